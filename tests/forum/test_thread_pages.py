"""How many pages a thread has for each reader: one per twenty post numbers, up to the
last post that has a place for them (a post, or the line saying it was hidden or
removed). Someone else's post waiting for review has none, so it adds no empty page."""

import pytest

from forum.models import PostState
from forum.moderation import actions
from tests.forum.factories import held_post, thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def twenty_and_one_waiting(room, second_member):
    """A thread of twenty visible posts, and a 21st by `second_member` waiting for review."""
    thread = thread_with_posts(category=room, posts=20)
    waiting = held_post(thread=thread, author=second_member, body="Our Staying Close plan.")
    thread.refresh_from_db()
    return thread, waiting


def test_a_post_waiting_for_review_at_the_end_adds_no_empty_page_for_other_readers(
    client, member, twenty_and_one_waiting
):
    thread, _ = twenty_and_one_waiting
    client.force_login(member)

    first = client.get(thread.get_absolute_url())
    second = client.get(f"{thread.get_absolute_url()}?page=2")

    assert 'rel="next"' not in first.text
    assert "?page=2" not in first.text
    assert second.status_code == 302
    assert second["Location"] == f"{thread.get_absolute_url()}?page=1"


def test_the_author_of_a_waiting_post_finds_it_on_the_page_after(
    client, second_member, twenty_and_one_waiting
):
    thread, waiting = twenty_and_one_waiting
    client.force_login(second_member)

    response = client.get(f"{thread.get_absolute_url()}?page=2")

    assert response.status_code == 200
    assert 'id="post-21"' in response.text
    assert "Page 2 of 2" in response.text


def test_a_moderator_finds_a_waiting_post_on_the_page_after(
    client, moderator, twenty_and_one_waiting
):
    thread, _ = twenty_and_one_waiting
    client.force_login(moderator)

    response = client.get(f"{thread.get_absolute_url()}?page=2")

    assert response.status_code == 200
    assert 'id="post-21"' in response.text


def test_a_hidden_post_at_the_end_keeps_its_place_on_the_last_page(client, room, member, moderator):
    thread = thread_with_posts(category=room, posts=21)
    hidden = thread.posts.get(post_number=21)
    actions.post_hide(actor=moderator, post=hidden, reason="Names a child's school")
    assert thread.posts.get(post_number=21).state == PostState.HIDDEN
    client.force_login(member)

    response = client.get(f"{thread.get_absolute_url()}?page=2")

    assert response.status_code == 200
    assert "Page 2 of 2" in response.text
    assert "This post was hidden by the moderators." in response.text
