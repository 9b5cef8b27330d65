"""Whether a post is up: publishing, hiding, the denormalised counters of threads and
categories that follow, the search vectors, and the notifications a visible post owes.

Every write that changes what readers see goes through here, so the counters on Thread
and Category stay right (forum_recount recomputes them from scratch).
"""

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Count, F, Sum, Value
from django.utils import timezone

from forum import tasks
from forum.models import (
    AttachmentApproval,
    Category,
    ModerationAction,
    ModerationActionKind,
    Notification,
    NotificationKind,
    Post,
    PostState,
    ReviewItem,
    ReviewKind,
    Thread,
    ThreadState,
    content_hash,
)
from forum.services.audit import audit_record
from network.activity import FORUM_REPLY, FORUM_THREAD, activity_record
from network.markup import markdown_to_text


def post_search_index(post: Post) -> None:
    """Refresh the stored search vector (PostgreSQL); SQLite searches the columns."""
    if connection.vendor != "postgresql":
        return
    Post.objects.filter(pk=post.pk).update(
        search_vector=SearchVector(Value(markdown_to_text(post.body)), weight="B", config="english")
    )


def thread_search_index(thread: Thread) -> None:
    if connection.vendor != "postgresql":
        return
    Thread.objects.filter(pk=thread.pk).update(
        search_vector=SearchVector(Value(thread.title), weight="A", config="english")
    )


def image_review_open(post: Post) -> None:
    """A visible post whose images still wait keeps an item in the review queue for them
    (unless an open item, a report say, already brings the post to the moderators)."""
    if post.state != PostState.VISIBLE:
        return
    waiting = post.attachments.filter(is_image=True, approval=AttachmentApproval.PENDING)
    if waiting.exists() and not ReviewItem.objects.filter(post=post, resolved_at=None).exists():
        ReviewItem.objects.create(post=post, kind=ReviewKind.IMAGE)


def counters_after_new_visible_post(post: Post, *, new_thread: bool) -> None:
    """A visible post was added at the end of its thread: move the counters on."""
    Thread.objects.filter(pk=post.thread_id).update(
        post_count=F("post_count") + 1,
        last_post_number=post.post_number,
        last_post_at=post.created_at,
        last_post_author=post.author,
    )
    Category.objects.filter(pk=post.thread.category_id).update(
        post_count=F("post_count") + 1,
        thread_count=F("thread_count") + (1 if new_thread else 0),
        last_post_at=post.created_at,
        last_thread=post.thread_id,
        last_post_author=post.author,
    )


def thread_recount(thread: Thread) -> None:
    """Recompute a thread's counters from its posts (after a post changed state)."""
    posts = Post.objects.filter(thread=thread, state=PostState.VISIBLE)
    last = posts.order_by("-post_number").values("post_number", "created_at", "author").first()
    Thread.objects.filter(pk=thread.pk).update(
        post_count=posts.count(),
        last_post_number=last["post_number"] if last else 0,
        last_post_at=last["created_at"] if last else thread.created_at,
        last_post_author=last["author"] if last else None,
    )


def category_recount(category: Category) -> None:
    """Recompute a category's counters from its listed threads."""
    threads = Thread.objects.filter(category=category).listed().filter(post_count__gt=0)
    totals = threads.aggregate(threads=Count("pk"), posts=Sum("post_count"))
    last = threads.order_by("-last_post_at", "-id").values("pk", "last_post_at", "last_post_author")
    last = last.first()
    Category.objects.filter(pk=category.pk).update(
        thread_count=totals["threads"] or 0,
        post_count=totals["posts"] or 0,
        last_post_at=last["last_post_at"] if last else None,
        last_thread=last["pk"] if last else None,
        last_post_author=last["last_post_author"] if last else None,
    )


def post_announce(post: Post) -> None:
    """After the commit, tell followers, mentioned and quoted members about a post that
    has just become visible (a new post, or a held one approved). A post held for review
    sends none when it is written; they go out when it is published."""
    tasks.post_notify.delay_on_commit(post.pk)


# In a moderator's log entry that reverses the moderators' earlier decision on a post
# (forum/moderation/reversals.py): what it reverses, and the entry that decided it.
REVERSES = "reverses"
REVERSED_ENTRY = "reversed_entry"


def post_hide(
    *,
    post: Post,
    actor,
    reason: str,
    action: str = ModerationActionKind.HIDE,
    details: dict | None = None,
) -> Post:
    """Take a post out of sight (moderators, or automatically after reports). Hidden
    automatically, it is marked as waiting for the moderators (`hidden_by_reports`), so
    nobody reads that they hid it before one of them has decided."""
    if post.state == PostState.HIDDEN:
        return post
    was_visible = post.state == PostState.VISIBLE
    post.state = PostState.HIDDEN
    post.state_changed_at = timezone.now()
    post.hidden_by_reports = actor is None
    post.save(update_fields=["state", "state_changed_at", "hidden_by_reports"])
    thread_hidden = post.post_number == 1 and _thread_hide_with_opening_post(post.thread, actor)
    if was_visible or thread_hidden:
        thread_recount(post.thread)
        category_recount(post.thread.category)
    entry = audit_record(
        actor=actor,
        action=action,
        post=post,
        reason=reason,
        hash_before=content_hash(post.body),
        hash_after=content_hash(post.body),
        details=details,
    )
    if actor is not None:
        # A moderator decided: the author is told (hidden automatically by reports, they
        # hear when a moderator agrees; forum/moderation/notices.py).
        tasks.moderation_notice_send.delay_on_commit(entry.pk)
    if (details or {}).get(REVERSES):
        tasks.decision_reversed_send.delay_on_commit(entry.pk)
    return post


WITH_OPENING_POST = "with_opening_post"


def _thread_hide_with_opening_post(thread: Thread, actor) -> bool:
    """A thread's title often says what its opening post says, a child's name included:
    hidden with that post (by a moderator, or at once by an urgent report), the thread
    leaves its category's listing, search and followers' emails too. Returns whether it
    was hidden now."""
    if thread.state != ThreadState.VISIBLE:
        return False
    _thread_state_with_opening_post(
        thread, ThreadState.HIDDEN, actor, ModerationActionKind.HIDE_THREAD, "Hidden"
    )
    return True


def thread_restore_with_opening_post(thread: Thread, actor) -> bool:
    """The opening post is shown again: its thread comes back too if it went with it (a
    thread a moderator hid by itself stays hidden). Returns whether it came back."""
    if thread.state != ThreadState.HIDDEN:
        return False
    latest = (
        ModerationAction.objects.filter(
            thread=thread,
            action__in=[ModerationActionKind.HIDE_THREAD, ModerationActionKind.RESTORE_THREAD],
        )
        .order_by("-pk")
        .first()
    )
    if latest is None or latest.action != ModerationActionKind.HIDE_THREAD:
        return False
    if not (latest.details or {}).get(WITH_OPENING_POST):
        return False
    _thread_state_with_opening_post(
        thread, ThreadState.VISIBLE, actor, ModerationActionKind.RESTORE_THREAD, "Shown again"
    )
    return True


def _thread_state_with_opening_post(
    thread: Thread, state: str, actor, action: str, done: str
) -> None:
    Thread.objects.filter(pk=thread.pk).update(state=state)
    thread.state = state
    audit_record(
        actor=actor,
        action=action,
        thread=thread,
        reason=f"{done} with its opening post.",
        details={WITH_OPENING_POST: True},
    )


def post_publish(
    *, post: Post, actor, reason: str = "", thread_state_from: str = ThreadState.HELD
) -> Post:
    """Make a post visible for the first time: a held post approved (the review queue,
    the moderation page), or a post refused while held and then shown after all. Its
    thread goes up with it when it opens one (a thread in `thread_state_from`), the
    counters and search follow, the audit log records the approval with the content's
    hash, its author is told, its notifications go out after the commit, and images
    still waiting get a queue item. Callers lock the post and check its state."""
    post.state = PostState.VISIBLE
    post.state_changed_at = timezone.now()
    post.save(update_fields=["state", "state_changed_at"])
    thread = post.thread
    if post.post_number == 1 and thread.state == thread_state_from:
        thread.state = ThreadState.VISIBLE
        thread.save(update_fields=["state"])
        thread_search_index(thread)
    thread_recount(thread)
    category_recount(thread.category)
    post_search_index(post)
    post_count_activity(post)
    audit_record(
        actor=actor,
        action=ModerationActionKind.APPROVE,
        post=post,
        reason=reason,
        hash_before=content_hash(post.body),
        hash_after=content_hash(post.body),
    )
    if post.author_id:
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=post.author_id,
                    kind=NotificationKind.POST_APPROVED,
                    thread=thread,
                    post=post,
                    actor=actor,
                )
            ],
            ignore_conflicts=True,
        )
    post_announce(post)
    image_review_open(post)
    return post


def post_count_activity(post: Post) -> None:
    """Announce a post that became visible, for the counts of posts per room."""
    kind = FORUM_THREAD if post.post_number == 1 else FORUM_REPLY
    activity_record(kind, user_id=post.author_id, subject_id=post.thread.category_id)
