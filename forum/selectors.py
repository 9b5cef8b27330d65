"""Read queries of the forum: listings with unread markers, thread pages, notifications.

Everything here is filtered by forum/access.py's readable_categories_q, the same
visibility rule as every listing: a person never sees the title, count or author of a
thread in a category they may not read, nor anything about held or hidden posts. What
happened over a period (the digests' threads) is in forum/summaries.py.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.urls import reverse

from forum import access
from forum.models import (
    Category,
    CategoryReadMark,
    Follow,
    ModerationAction,
    ModerationActionKind,
    Notification,
    Post,
    PostAttachment,
    PostBookmark,
    PostState,
    Reaction,
    Thread,
    ThreadReadState,
    ThreadState,
)

# --- Listings for pages ----------------------------------------------------------------


def forum_index(user) -> list[Category]:
    return list(
        access.readable_categories(user)
        .select_related("last_thread", "last_post_author")
        .order_by("order", "name")
    )


@dataclass
class ThreadRow:
    thread: Thread
    unread: bool  # has posts the member has not read
    new: bool  # the member never opened it
    url: str
    first_unread_url: str
    last_post_url: str


_PK, _NUMBER, _SLUG = 2_147_483_646, 2_147_483_645, "slug-marker"


def _row_links() -> tuple[str, str, str]:
    """Format strings for a listing's links: reverse() once per page, not thrice per row."""

    def template(link: str) -> str:
        return link.replace(str(_PK), "{pk}").replace(str(_NUMBER), "{n}").replace(_SLUG, "{slug}")

    return (
        template(reverse("forum:thread", kwargs={"pk": _PK, "slug": _SLUG})),
        template(reverse("forum:first_unread", kwargs={"pk": _PK})),
        template(reverse("forum:post", kwargs={"thread_pk": _PK, "post_number": _NUMBER})),
    )


def _read_context(user, category_ids: list[int], thread_ids: list[int]):
    if not user.is_authenticated or not thread_ids:
        return {}, {}
    states = dict(
        ThreadReadState.objects.filter(user=user, thread_id__in=thread_ids).values_list(
            "thread_id", "last_read_post_number"
        )
    )
    marks = dict(
        CategoryReadMark.objects.filter(user=user, category_id__in=category_ids).values_list(
            "category_id", "marked_at"
        )
    )
    return states, marks


def with_read_pointer(threads: QuerySet[Thread], user) -> QuerySet[Thread]:
    """Each thread with the person's read pointer (`read_to`, None before their first
    visit), in the query that finds it."""
    read_to = ThreadReadState.objects.filter(user=user, thread=OuterRef("pk")).values(
        "last_read_post_number"
    )
    return threads.annotate(read_to=Subquery(read_to[:1]))


def with_reader_state(threads: QuerySet[Thread], user) -> QuerySet[Thread]:
    """Each thread with what its page shows of the person, in the query that finds it:
    their read pointer (`read_to`) and what following_thread() reads (`follow_muted`:
    their own follow of the thread, None without one; `follows_category`)."""
    own_follow = Follow.objects.filter(user=user, thread=OuterRef("pk")).values("is_muted")
    return with_read_pointer(threads, user).annotate(
        follow_muted=Subquery(own_follow[:1]),
        follows_category=Exists(Follow.objects.filter(user=user, category=OuterRef("category"))),
    )


def following_thread(thread: Thread) -> bool:
    """Following directly (not muted), or through the thread's category; `thread` came
    with with_reader_state()."""
    if thread.follow_muted is not None:
        return not thread.follow_muted
    return thread.follows_category


def _with_read_pointers(threads: QuerySet[Thread], user) -> QuerySet[Thread]:
    """Each thread with the person's read pointer and their room's read mark, in the
    query that lists them (thread_rows then asks nothing more)."""
    mark_at = CategoryReadMark.objects.filter(user=user, category=OuterRef("category")).values(
        "marked_at"
    )
    return with_read_pointer(threads, user).annotate(mark_at=Subquery(mark_at[:1]))


def thread_rows(user, threads: list[Thread]) -> list[ThreadRow]:
    """Threads with their unread markers: 2 queries whatever the number of threads, none
    when the threads came with their read pointers (_with_read_pointers)."""
    if threads and all(hasattr(thread, "read_to") for thread in threads):
        states = {t.pk: t.read_to for t in threads if t.read_to is not None}
        marks = {t.category_id: t.mark_at for t in threads if t.mark_at is not None}
    else:
        states, marks = _read_context(
            user, sorted({t.category_id for t in threads}), [t.pk for t in threads]
        )
    thread_link, unread_link, post_link = _row_links()
    rows = []
    for thread in threads:
        mark = marks.get(thread.category_id)
        read_to = states.get(thread.pk)
        caught_up_by_mark = mark is not None and thread.last_post_at <= mark
        if not user.is_authenticated or caught_up_by_mark:
            unread = new = False
        else:
            new = read_to is None
            unread = read_to is not None and thread.last_post_number > read_to
        rows.append(
            ThreadRow(
                thread=thread,
                unread=unread,
                new=new,
                url=thread_link.format(pk=thread.pk, slug=thread.slug or "thread"),
                first_unread_url=unread_link.format(pk=thread.pk),
                last_post_url=post_link.format(pk=thread.pk, n=thread.last_post_number or 1),
            )
        )
    return rows


def category_threads(category: Category, *, page: int, per_page: int) -> list[Thread]:
    """One page of a category: pinned first, then by last activity (an index scan)."""
    start = (page - 1) * per_page
    return list(
        Thread.objects.filter(category=category)
        .listed()
        .select_related("author", "last_post_author")
        .order_by("-is_pinned", "-last_post_at", "-id")[start : start + per_page]
    )


def own_threads_awaiting_review(user, category: Category) -> list[Thread]:
    """The threads `user` started in `category` that wait for a moderator: the category
    lists only visible threads, and without this the author could not find theirs again
    once they left its page."""
    if not user.is_authenticated:
        return []
    return list(
        Thread.objects.filter(
            category=category, author=user, state=ThreadState.HELD, merged_into__isnull=True
        )
        .only("pk", "slug", "title", "created_at")
        .order_by("-created_at")[:20]
    )


def thread_page_posts(thread: Thread, reader, *, page: int, per_page: int) -> list[Post]:
    """The posts numbered ((page-1)*per_page, page*per_page]: an index range scan on
    (thread, post_number), the same cost on page 1 and page 500. Each post says whether
    `reader` (signed in: only they reach a thread) found it helpful (`is_helpful`) and
    bookmarked it (`is_kept`).

    The LIMIT changes no result (the range holds per_page posts at most) but it tells
    PostgreSQL so: without it the planner guesses a few hundred rows for the range and
    joins the authors by hashing the whole member table, a cost that grows with the
    number of members (5 ms at 20,000) instead of 20 primary-key lookups."""
    first = (page - 1) * per_page + 1
    posts = list(
        Post.objects.filter(thread=thread, post_number__gte=first, post_number__lt=first + per_page)
        # The page shows the rendered HTML: the Markdown source and the search vector
        # would only travel from the database for nothing.
        .defer("body", "search_vector")
        .select_related("author")
        # In upload order: the model's ordering ("post", "id") would join the posts
        # and their thread again only to sort by them.
        .prefetch_related(Prefetch("attachments", PostAttachment.objects.order_by("pk")))
        .order_by("post_number")
        .annotate(
            is_helpful=Exists(Reaction.objects.filter(user=reader, post=OuterRef("pk"))),
            is_kept=Exists(PostBookmark.objects.filter(user=reader, post=OuterRef("pk"))),
        )[:per_page]
    )
    for post in posts:
        post.thread = thread  # already loaded with its category
    return posts


def last_shown_post_number(thread: Thread, reader, *, moderator: bool) -> int:
    """The highest post number that has a place on the thread's pages for `reader`: a
    post, or the line saying it was hidden or removed. Others' posts waiting for review
    have none, so those at the end must not add a page with nothing on it. No query
    unless posts after the last visible one exist."""
    if moderator or thread.post_number_counter <= thread.last_post_number:
        return thread.post_number_counter
    waiting_for_others = Q(state=PostState.HELD) & ~Q(author_id=reader.pk)
    number = (
        Post.objects.filter(thread=thread)
        .exclude(waiting_for_others)
        .order_by("-post_number")
        .values_list("post_number", flat=True)
        .first()
    )
    return number or 1


def first_unread_post_number(user, thread: Thread) -> int | None:
    """The first visible post after the member's read pointer (None: nothing unread)."""
    read_to = (
        ThreadReadState.objects.filter(user=user, thread=thread)
        .values_list("last_read_post_number", flat=True)
        .first()
    )
    mark = (
        CategoryReadMark.objects.filter(user=user, category=thread.category_id)
        .values_list("marked_at", flat=True)
        .first()
    )
    if mark is not None and thread.last_post_at <= mark:
        return None
    posts = Post.objects.filter(thread=thread, state=PostState.VISIBLE)
    if read_to:
        posts = posts.filter(post_number__gt=read_to)
    elif mark is not None:
        posts = posts.filter(created_at__gt=mark)
    return posts.order_by("post_number").values_list("post_number", flat=True).first()


def merged_post_location(thread: Thread, post_number: int) -> tuple[int, int]:
    """(thread id, post number) where post `post_number` of merged `thread` is now. A
    merge numbers the moved posts on from the other thread's last number, and its log
    entry keeps that offset; a thread merged again is followed to the end."""
    seen = set()
    while thread.merged_into_id and thread.pk not in seen:
        seen.add(thread.pk)
        details = (
            ModerationAction.objects.filter(thread=thread, action=ModerationActionKind.MERGE)
            .order_by("-pk")
            .values_list("details", flat=True)
            .first()
        )
        post_number += int((details or {}).get("number_offset", 0))
        thread = Thread.objects.only("pk", "merged_into").get(pk=thread.merged_into_id)
    return thread.pk, post_number


def followed_category_ids(user) -> set[int]:
    return set(
        Follow.objects.filter(user=user, category__isnull=False).values_list(
            "category_id", flat=True
        )
    )


# --- The home page ----------------------------------------------------------------------


def _unread_q() -> Q:
    """Threads with posts after the reader's pointer and after their room's read mark
    (the same rule as thread_rows, in SQL so a limit applies to unread threads only)."""
    return (Q(read_to__isnull=True) | Q(last_post_number__gt=F("read_to"))) & (
        Q(mark_at__isnull=True) | Q(last_post_at__gt=F("mark_at"))
    )


def unread_followed_threads(user, *, limit: int = 5) -> list[ThreadRow]:
    """Threads the person follows (directly, or through a room, unless muted) with posts
    they have not read, latest activity first; only threads they may read."""
    if not user.is_authenticated:
        return []
    follows = Follow.objects.filter(user=user)
    # Many members follow nothing (posting follows a thread; reading does not): asking
    # that first spares their home page the statement below, which costs some 6 ms of
    # the web process's time to build and 1-2 ms of the database's to plan and run.
    if not follows.filter(is_muted=False).exists():
        return []
    followed = Q(pk__in=follows.filter(is_muted=False, thread__isnull=False).values("thread"))
    followed |= Q(category__in=follows.filter(category__isnull=False).values("category"))
    threads = (
        _with_read_pointers(
            Thread.objects.listed()
            .filter(access.readable_categories_q(user, prefix="category__"))
            .filter(followed)
            .exclude(pk__in=follows.filter(is_muted=True, thread__isnull=False).values("thread")),
            user,
        )
        .filter(_unread_q())
        .select_related("category", "last_post_author")
        .defer("search_vector")
        .order_by("-last_post_at", "-pk")[:limit]
    )
    return thread_rows(user, list(threads))


def latest_active_threads(user, *, limit: int = 5, exclude: list[int] = ()) -> list[ThreadRow]:
    """The threads with the latest posts in the rooms the person may read (leaving out
    `exclude`, threads the page already lists)."""
    if not user.is_authenticated:
        return []
    threads = (
        _with_read_pointers(
            Thread.objects.listed()
            .filter(access.readable_categories_q(user, prefix="category__"))
            .exclude(pk__in=list(exclude)),
            user,
        )
        .select_related("category", "last_post_author")
        .defer("search_vector")
        .order_by("-last_post_at", "-pk")[:limit]
    )
    return thread_rows(user, list(threads))


# --- Notifications -------------------------------------------------------------------


def _post_open_to(user) -> Q:
    """Of a notification: its post is up, in a visible thread of a category `user` may
    read now."""
    return Q(
        access.readable_categories_q(user, prefix="thread__category__"),
        post__state=PostState.VISIBLE,
        thread__state=ThreadState.VISIBLE,
    )


def notifications_shown(user) -> QuerySet[Notification]:
    """The person's notifications that their list shows and the header counts: of posts
    still visible, in visible threads of categories they may read now. A notification of
    a post a moderator has since hidden, or from a room their membership no longer opens,
    is kept (it may be shown again) but neither listed nor counted. A notice of what the
    moderators decided about a post the person reported is the news itself, so it is
    listed whatever became of the post since; notifications_listed() says what it may
    show of the post and its thread."""
    return user.forum_notifications.filter(Q(decision__isnull=False) | _post_open_to(user))


def _with_openings(notes: QuerySet[Notification], user) -> QuerySet[Notification]:
    """`notes` with `opens_post` (its link may lead to the post) and `names_thread` (its
    thread's title may be shown), by the rule every listing follows, in the same query:
    a notice to a reporter of a post hidden since, or of a thread hidden with its opening
    post, links nowhere and names no thread."""
    thread_open = Q(
        access.readable_categories_q(user, prefix="thread__category__"),
        thread__state=ThreadState.VISIBLE,
    )
    return notes.annotate(
        opens_post=Case(When(_post_open_to(user), then=True), default=False),
        names_thread=Case(When(thread_open, then=True), default=False),
    )


def notifications_listed(user) -> QuerySet[Notification]:
    """notifications_shown() as the list shows them, with what each may show."""
    return _with_openings(notifications_shown(user), user)


def notifications_to_open(user) -> QuerySet[Notification]:
    """All the person's notifications, with what each may show, for opening one: a link
    in an older notification still leads to its post, whose page says why it is shut."""
    return _with_openings(user.forum_notifications.all(), user)


# The header's badge is asked on every page a signed-in person sees. Most have nothing
# unread, and this statement, written in SQL, says so for about 90 µs of the web
# process's CPU against 300 µs for the ORM's composing of it (measured on the bench
# database); only when something is unread is the rule of notifications_shown() asked,
# with the rooms the person may read.
_ANY_UNREAD_SHOWN_SQL = (
    f"SELECT EXISTS (SELECT 1 FROM {Notification._meta.db_table} n "
    f"JOIN {Post._meta.db_table} p ON p.id = n.post_id "
    f"JOIN {Thread._meta.db_table} t ON t.id = n.thread_id "
    "WHERE n.recipient_id = %s AND n.read_at IS NULL "
    "AND (n.decision_id IS NOT NULL OR (p.state = %s AND t.state = %s)))"
)


def unread_notification_count(user) -> int:
    """How many of notifications_shown() the person has not read."""
    with connection.cursor() as cursor:
        cursor.execute(
            _ANY_UNREAD_SHOWN_SQL, [user.pk, PostState.VISIBLE.value, ThreadState.VISIBLE.value]
        )
        if not cursor.fetchone()[0]:
            return 0
    return notifications_shown(user).filter(read_at__isnull=True).count()
