"""The author of a post the moderators hid: the thread shows them that it is hidden, not
its text, and offers no Edit (whose page would not open for them: they may not read the
post while it is hidden, and an edit would change what the moderators are judging)."""

import pytest
from django.utils import timezone

from forum.models import ForumPreference
from forum.moderation import actions
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(room, member, moderator):
    """The member's reply, posted a minute ago (inside the edit window), then hidden."""
    ForumPreference.objects.update_or_create(
        user=member, defaults={"child_safety_confirmed_at": timezone.now()}
    )
    thread = thread_with_posts(
        category=room, posts=2, authors=[moderator, member], created=timezone.now()
    )
    post = thread.posts.get(post_number=2)
    actions.post_hide(actor=moderator, post=post, reason="Could identify a child")
    post.refresh_from_db()
    return post


def test_the_author_of_a_hidden_post_is_offered_no_edit(client, hidden, member):
    client.force_login(member)

    page = client.get(hidden.thread.get_absolute_url()).text

    assert "This post was hidden by the moderators." in page
    assert 'Edit<span class="visually-hidden"> post 2</span>' not in page
