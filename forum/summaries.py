"""What happened in the forum over a period: the threads of the digests and of the daily
summary, and the figures the visitors' home page shows.

Filtered by forum/access.py's readable_categories_q, as every listing is.

Digest contract (the newsletter's daily and weekly digests call these):
    active_threads(user, since, until, limit)    threads with new posts, latest first
    busiest_threads(user, since, until, limit)   threads with the most new posts
    followed_thread_summary(user, since, until)  threads the member follows with new
                                                 posts by others, latest first
each returning a list of ThreadSummary (plain data: title, url, category, new post
count, last author, last post time). Periods are [since, until).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from forum import access
from forum.models import Follow, Post, PostState, Thread, ThreadState
from network.mail import site_url


@dataclass(frozen=True)
class ThreadSummary:
    title: str
    url: str  # absolute, for emails
    category: str
    new_post_count: int
    last_author: str
    last_post_at: datetime
    thread_id: int


def _new_posts(user, since: datetime, until: datetime) -> QuerySet:
    """Visible posts of listed threads the user may read, new to readers in [since,
    until): written then, or shown then (a held post approved after the period it was
    written in would otherwise reach no digest at all)."""
    written = Q(created_at__gte=since, created_at__lt=until)
    shown = Q(state_changed_at__gte=since, state_changed_at__lt=until)
    return Post.objects.filter(
        written | shown,
        access.readable_categories_q(user, prefix="thread__category__"),
        state=PostState.VISIBLE,
        thread__state=ThreadState.VISIBLE,
        thread__merged_into__isnull=True,
    )


def _summaries(posts: QuerySet, *, order: list[str], limit: int | None) -> list[ThreadSummary]:
    grouped = (
        posts.order_by()
        .values("thread")
        .annotate(new_posts=Count("pk"), last_at=Max("created_at"))
        .order_by(*order)
    )
    if limit is not None:
        grouped = grouped[:limit]
    rows = list(grouped)
    if not rows:
        return []
    last_author = (
        posts.filter(thread=OuterRef("pk")).order_by("-created_at", "-pk").values("author__name")
    )
    threads = {
        t.pk: t
        for t in Thread.objects.filter(pk__in=[r["thread"] for r in rows])
        .select_related("category")
        .annotate(window_last_author=Subquery(last_author[:1]))
    }
    return [
        ThreadSummary(
            title=threads[r["thread"]].title,
            url=site_url(threads[r["thread"]].get_absolute_url()),
            category=threads[r["thread"]].category.name,
            new_post_count=r["new_posts"],
            last_author=threads[r["thread"]].window_last_author or "A former member",
            last_post_at=r["last_at"],
            thread_id=r["thread"],
        )
        for r in rows
    ]


def active_threads(user, since: datetime, until: datetime, limit: int = 10) -> list[ThreadSummary]:
    """Threads with new visible posts in the period, most recent activity first."""
    return _summaries(_new_posts(user, since, until), order=["-last_at", "-thread"], limit=limit)


def busiest_threads(user, since: datetime, until: datetime, limit: int = 10) -> list[ThreadSummary]:
    """Threads with the most new visible posts in the period."""
    return _summaries(
        _new_posts(user, since, until), order=["-new_posts", "-last_at", "-thread"], limit=limit
    )


def followed_thread_summary(user, since: datetime, until: datetime) -> list[ThreadSummary]:
    """Threads the member follows (directly, or through a category, unless muted) with
    new visible posts by others in the period, most recent first."""
    follows = Follow.objects.filter(user=user)
    followed = Q(thread__in=follows.filter(is_muted=False, thread__isnull=False).values("thread"))
    followed |= Q(thread__category__in=follows.filter(category__isnull=False).values("category"))
    posts = (
        _new_posts(user, since, until)
        .filter(followed)
        .exclude(thread__in=follows.filter(is_muted=True).values("thread"))
        .exclude(author=user)
    )
    return _summaries(posts, order=["-last_at", "-thread"], limit=None)


# --- For people who may read no room ----------------------------------------------


@dataclass(frozen=True)
class ForumActivity:
    threads: int
    posts: int


def forum_activity_since(since: datetime) -> ForumActivity:
    """How many threads were started and posts written since `since`, across the forum:
    numbers only, for people who may read no room (no title, room or author)."""
    threads = Thread.objects.listed().filter(created_at__gte=since).count()
    posts = Post.objects.filter(
        state=PostState.VISIBLE,
        created_at__gte=since,
        thread__state=ThreadState.VISIBLE,
        thread__merged_into__isnull=True,
    ).count()
    return ForumActivity(threads=threads, posts=posts)
