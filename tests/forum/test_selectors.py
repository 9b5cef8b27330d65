"""The digest contract the newsletter calls, and the unread markers of listings."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forum import selectors, summaries
from forum.models import CategoryReadMark, Follow, Post, PostState, ThreadState
from forum.services import reading
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def window():
    now = timezone.now()
    return now - timedelta(days=2), now + timedelta(minutes=1)


def test_active_threads_lists_recent_threads_as_plain_data(room, member, second_member, window):
    older = thread_with_posts(category=room, author=member, posts=2, title="Older thread")
    newer = thread_with_posts(
        category=room, author=member, posts=1, title="Newer thread",
        created=timezone.now() - timedelta(minutes=30),
    )  # fmt: skip
    found = summaries.active_threads(second_member, *window, limit=10)
    assert [s.title for s in found] == ["Newer thread", "Older thread"]
    summary = found[1]
    assert summary.url == f"https://network.example.org{older.get_absolute_url()}"
    assert (summary.category, summary.new_post_count) == (room.name, 2)
    assert summary.last_author == member.name
    assert newer.pk == found[0].thread_id


def test_busiest_threads_orders_by_new_posts(room, member, second_member, window):
    thread_with_posts(category=room, author=member, posts=1, title="Quiet")
    thread_with_posts(category=room, author=member, posts=4, title="Busy")
    found = summaries.busiest_threads(second_member, *window, limit=1)
    assert [(s.title, s.new_post_count) for s in found] == [("Busy", 4)]


def test_digest_never_shows_threads_the_member_may_not_read(
    room, commissioners_room, provider_member, commissioner_member, window
):
    thread_with_posts(
        posts=1, category=commissioners_room, author=commissioner_member, title="Fees"
    )
    thread_with_posts(posts=1, category=room, author=commissioner_member, title="Rotas")
    assert [s.title for s in summaries.active_threads(provider_member, *window)] == ["Rotas"]
    titles = {s.title for s in summaries.active_threads(commissioner_member, *window)}
    assert titles == {"Fees", "Rotas"}


def test_digest_counts_only_visible_posts_of_visible_threads(room, member, second_member, window):
    thread = thread_with_posts(category=room, author=member, posts=3, title="Partly held")
    Post.objects.filter(thread=thread, post_number=3).update(state=PostState.HELD)
    hidden = thread_with_posts(category=room, author=member, posts=2, title="Hidden thread")
    hidden.state = ThreadState.HIDDEN
    hidden.save()
    found = summaries.active_threads(second_member, *window)
    assert [(s.title, s.new_post_count) for s in found] == [("Partly held", 2)]


def test_digest_respects_the_period(room, member, second_member):
    thread_with_posts(
        posts=1, category=room, author=member, created=timezone.now() - timedelta(days=10)
    )
    now = timezone.now()
    assert summaries.active_threads(second_member, now - timedelta(days=1), now) == []


def test_a_held_post_approved_after_the_day_it_was_written_reaches_the_next_digest(
    room, member, second_member
):
    now = timezone.now()
    thread = thread_with_posts(
        posts=2, category=room, author=member, title="Night staffing",
        created=now - timedelta(days=3),
    )  # fmt: skip
    # The reply waited two days for a moderator, who approved it an hour ago.
    Post.objects.filter(thread=thread, post_number=2).update(
        state=PostState.VISIBLE, state_changed_at=now - timedelta(hours=1)
    )

    found = summaries.active_threads(second_member, now - timedelta(days=1), now)

    assert [(s.title, s.new_post_count) for s in found] == [("Night staffing", 1)]


def test_followed_thread_summary_lists_followed_threads_with_posts_by_others(
    room, member, second_member, window
):
    followed = thread_with_posts(
        category=room, author=member, authors=[member, second_member, member], posts=3,
        title="Followed",
    )  # fmt: skip
    thread_with_posts(posts=1, category=room, author=second_member, title="Not followed")
    reading.thread_follow(user=second_member, thread=followed)
    found = summaries.followed_thread_summary(second_member, *window)
    assert [(s.title, s.new_post_count) for s in found] == [("Followed", 2)]


def test_followed_summary_includes_followed_categories_but_not_muted_threads(
    room, member, second_member, window
):
    kept = thread_with_posts(posts=1, category=room, author=member, title="Through the category")
    muted = thread_with_posts(posts=1, category=room, author=member, title="Muted")
    reading.category_follow(user=second_member, category=room)
    reading.thread_unfollow(user=second_member, thread=muted)
    found = summaries.followed_thread_summary(second_member, *window)
    assert [s.thread_id for s in found] == [kept.pk]


def test_unread_markers_from_read_pointer_and_category_mark(room, member, second_member):
    read = thread_with_posts(category=room, author=member, posts=3, title="Read")
    partly = thread_with_posts(category=room, author=member, posts=3, title="Partly read")
    never = thread_with_posts(category=room, author=member, posts=1, title="Never opened")
    reading.thread_mark_read(user=second_member, thread=read, up_to=3)
    reading.thread_mark_read(user=second_member, thread=partly, up_to=1)
    rows = {r.thread.title: r for r in selectors.thread_rows(second_member, [read, partly, never])}
    assert (rows["Read"].unread, rows["Read"].new) == (False, False)
    assert rows["Partly read"].unread
    assert rows["Never opened"].new
    reading.category_mark_read(user=second_member, category=room)
    rows = selectors.thread_rows(second_member, [read, partly, never])
    assert not any(r.unread or r.new for r in rows)


def test_first_unread_is_the_post_after_the_pointer(room, member, second_member):
    thread = thread_with_posts(category=room, author=member, posts=5)
    reading.thread_mark_read(user=second_member, thread=thread, up_to=2)
    Post.objects.filter(thread=thread, post_number=3).update(state=PostState.HELD)
    assert selectors.first_unread_post_number(second_member, thread) == 4


# --- The home page's lists ----------------------------------------------------------


def test_a_muted_thread_in_a_followed_room_is_not_listed_as_unread(provider_member):
    thread = thread_with_posts(title="Muted after a while")
    Follow.objects.create(user=provider_member, category=thread.category)
    Follow.objects.create(user=provider_member, thread=thread, is_muted=True)
    assert selectors.unread_followed_threads(provider_member) == []


def test_a_member_who_follows_nothing_is_answered_in_one_query(
    provider_member, django_assert_num_queries
):
    thread = thread_with_posts(title="Read but not followed")
    Follow.objects.create(user=provider_member, thread=thread, is_muted=True)
    with django_assert_num_queries(1):
        assert selectors.unread_followed_threads(provider_member) == []


def test_a_followed_thread_is_not_unread_once_its_room_is_marked_read_after_its_last_post(
    provider_member,
):
    thread = thread_with_posts(title="Caught up by the room")
    Follow.objects.create(user=provider_member, thread=thread)
    CategoryReadMark.objects.create(
        user=provider_member, category=thread.category, marked_at=timezone.now()
    )
    assert selectors.unread_followed_threads(provider_member) == []


def test_forum_activity_counts_leave_out_hidden_threads(db):
    thread_with_posts(posts=2)
    hidden = thread_with_posts(posts=3)
    hidden.state = ThreadState.HIDDEN
    hidden.save(update_fields=["state"])
    activity = summaries.forum_activity_since(timezone.now() - timedelta(days=1))
    assert (activity.threads, activity.posts) == (1, 2)
