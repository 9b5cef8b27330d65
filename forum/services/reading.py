"""What a member keeps while reading: read state, follows, preferences, notifications."""

from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from forum.models import (
    Category,
    CategoryReadMark,
    Follow,
    ForumPreference,
    Notification,
    Thread,
    ThreadReadState,
)


def preference_for(user) -> ForumPreference:
    """The member's forum settings (defaults when they never changed them; not saved)."""
    try:
        return user.forum_preference
    except ForumPreference.DoesNotExist:
        return ForumPreference(user=user)


# --- Reading ------------------------------------------------------------------------------


def read_to(user, thread: Thread, post_number: int) -> None:
    """Move the member's read pointer forward (never back) to `post_number`: one
    INSERT ... ON CONFLICT statement (both PostgreSQL and SQLite speak it). Rereading
    a page writes nothing: the row changes (and updated_at with it) only when the
    pointer moves, so most thread views commit no write at all."""
    table = ThreadReadState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, thread_id, last_read_post_number, updated_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (user_id, thread_id) DO UPDATE SET "
            "last_read_post_number = excluded.last_read_post_number, "
            "updated_at = excluded.updated_at "
            f"WHERE {table}.last_read_post_number < excluded.last_read_post_number",
            [user.pk, thread.pk, post_number, timezone.now()],
        )


def thread_mark_read(*, user, thread: Thread, up_to: int) -> None:
    """The member has read `thread` up to post `up_to`: so have they the notifications of
    those posts (a mention, a reply, a quote), or the header would go on counting what
    they have already read."""
    if not user.is_authenticated or up_to <= 0:
        return
    read_to(user, thread, up_to)
    # A notice of what the moderators decided about a post the person reported is news
    # the thread does not carry: it stays unread until they open it.
    Notification.objects.filter(
        recipient=user,
        thread=thread,
        read_at__isnull=True,
        post__post_number__lte=up_to,
        decision__isnull=True,
    ).update(read_at=timezone.now())


def category_mark_read(*, user, category: Category) -> None:
    """Everything in the category up to now counts as read."""
    CategoryReadMark.objects.update_or_create(
        user=user, category=category, defaults={"marked_at": timezone.now()}
    )


# --- Following and preferences -----------------------------------------------------------


def thread_follow(*, user, thread: Thread) -> None:
    Follow.objects.update_or_create(user=user, thread=thread, defaults={"is_muted": False})


def thread_unfollow(*, user, thread: Thread) -> None:
    """Stop hearing about a thread, also when a category follow would bring it."""
    Follow.objects.update_or_create(user=user, thread=thread, defaults={"is_muted": True})


def category_follow(*, user, category: Category) -> None:
    Follow.objects.get_or_create(user=user, category=category)


def category_unfollow(*, user, category: Category) -> None:
    Follow.objects.filter(user=user, category=category).delete()


def preference_save(*, user, notify_by: str, email_mentions: bool, follow_on_post: bool) -> None:
    ForumPreference.objects.update_or_create(
        user=user,
        defaults={
            "notify_by": notify_by,
            "email_mentions": email_mentions,
            "follow_on_post": follow_on_post,
        },
    )


def notifications_mark_read(*, user, ids: Sequence[int] | None = None) -> int:
    notes = user.forum_notifications.filter(read_at__isnull=True)
    if ids is not None:
        notes = notes.filter(pk__in=ids)
    return notes.update(read_at=timezone.now())
