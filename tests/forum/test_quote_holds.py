"""A post the moderators hid must not come back through a quote: a reply or an edit that
quotes a post readers no longer see (hidden, awaiting review, removed) waits for a
moderator, with a reason of its own that the author and the review queue read."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import ForumPreference, HoldReason, PostState, ReviewItem, ReviewKind
from forum.moderation import actions
from forum.moderation.threads import thread_merge
from forum.services import posting
from tests.forum.factories import held_post, thread_with_posts

pytestmark = pytest.mark.django_db

NAMING_WORDS = "Our new lad from the Larchfield estate settled in well."


def page(response) -> str:
    return response.content.decode()


def quote_of(post, words: str = NAMING_WORDS) -> str:
    """A quote as the reply form's Quote link writes it."""
    return (
        f"> **Femi Adebayo** [wrote](/forum/t/{post.thread_id}/p/{post.post_number}/):\n"
        f">\n> {words}\n\nThank you, this helps."
    )


@pytest.fixture(autouse=True)
def confirmed(member, second_member, moderator):
    """Everyone here has confirmed the reminder that no post may identify a child."""
    for person in (member, second_member, moderator):
        ForumPreference.objects.update_or_create(
            user=person, defaults={"child_safety_confirmed_at": timezone.now()}
        )


@pytest.fixture
def hidden(room, member, moderator):
    """Post 2 of a thread in `room`, written by `member` and hidden by a moderator."""
    thread = thread_with_posts(category=room, posts=2, author=member)
    post = thread.posts.get(post_number=2)
    post.body = NAMING_WORDS
    post.save(update_fields=["body"])
    return actions.post_hide(actor=moderator, post=post, reason="Could identify a child")


def test_a_reply_quoting_a_hidden_post_is_held_with_its_own_reason(hidden, second_member):
    reply = posting.post_reply(author=second_member, thread=hidden.thread, body=quote_of(hidden))

    assert reply.state == PostState.HELD
    assert reply.hold_reason == HoldReason.QUOTES_NOT_SHOWN
    item = ReviewItem.objects.get(post=reply)
    assert (item.kind, item.hold_reason) == (ReviewKind.HELD, HoldReason.QUOTES_NOT_SHOWN)


def test_a_reply_quoting_a_visible_post_is_published(room, member, second_member):
    thread = thread_with_posts(category=room, posts=2, author=member)
    quoted = thread.posts.get(post_number=2)

    reply = posting.post_reply(author=second_member, thread=thread, body=quote_of(quoted))

    assert reply.state == PostState.VISIBLE
    assert reply.hold_reason == ""


@pytest.mark.parametrize(
    "address",
    [
        "https://network.example.org/forum/t/{thread}/p/{number}/",
        "/forum/t/{thread}/p/{number}",
    ],
)
def test_a_quote_typed_by_hand_with_the_post_s_address_is_held(hidden, second_member, address):
    link = address.format(thread=hidden.thread_id, number=hidden.post_number)
    body = f"> Jo [wrote]({link}):\n> {NAMING_WORDS}\n\nSame here."

    reply = posting.post_reply(author=second_member, thread=hidden.thread, body=body)

    assert reply.hold_reason == HoldReason.QUOTES_NOT_SHOWN


def test_a_reply_quoting_a_post_its_author_removed_is_held(room, member, second_member):
    thread = thread_with_posts(category=room, posts=2, author=member)
    removed = posting.post_remove(user=member, post=thread.posts.get(post_number=2))

    reply = posting.post_reply(author=second_member, thread=thread, body=quote_of(removed))

    assert reply.state == PostState.HELD
    assert reply.hold_reason == HoldReason.QUOTES_NOT_SHOWN


def test_a_reply_quoting_a_post_still_awaiting_review_is_held(room, member, second_member):
    waiting = held_post(thread=thread_with_posts(category=room, posts=1), author=member)

    reply = posting.post_reply(author=second_member, thread=waiting.thread, body=quote_of(waiting))

    assert reply.hold_reason == HoldReason.QUOTES_NOT_SHOWN


def test_the_hidden_post_s_own_author_is_held_for_quoting_it(hidden, member):
    reply = posting.post_reply(author=member, thread=hidden.thread, body=quote_of(hidden))

    assert reply.hold_reason == HoldReason.QUOTES_NOT_SHOWN


def test_a_moderator_s_reply_is_not_held_as_no_post_of_theirs_is(hidden, moderator):
    reply = posting.post_reply(author=moderator, thread=hidden.thread, body=quote_of(hidden))

    assert reply.state == PostState.VISIBLE


def test_a_new_thread_quoting_a_hidden_post_of_another_thread_is_held(hidden, room, second_member):
    opening = posting.thread_create(
        author=second_member, category=room, title="Settling in", body=quote_of(hidden)
    )

    assert opening.hold_reason == HoldReason.QUOTES_NOT_SHOWN


def test_a_quote_of_a_hidden_post_is_found_after_its_thread_was_merged(
    hidden, room, second_member, moderator
):
    old_address_quote = quote_of(hidden)
    into = thread_with_posts(category=room, posts=4)
    thread_merge(actor=moderator, thread=hidden.thread, into=into)

    reply = posting.post_reply(author=second_member, thread=into, body=old_address_quote)

    assert reply.hold_reason == HoldReason.QUOTES_NOT_SHOWN


def test_an_edit_that_adds_a_quote_of_a_hidden_post_is_held(hidden, second_member):
    reply = posting.post_reply(author=second_member, thread=hidden.thread, body="Thank you.")

    posting.post_edit(editor=second_member, post=reply, body=quote_of(hidden))

    reply.refresh_from_db()
    assert reply.state == PostState.HELD
    assert reply.hold_reason == HoldReason.QUOTES_NOT_SHOWN
    assert ReviewItem.objects.get(post=reply).hold_reason == HoldReason.QUOTES_NOT_SHOWN


def test_an_edit_of_a_post_already_waiting_takes_the_quote_as_its_reason(hidden, second_member):
    waiting = held_post(thread=hidden.thread, author=second_member, body="My first post.")

    posting.post_edit(editor=second_member, post=waiting, body=quote_of(hidden))

    item = ReviewItem.objects.get(post=waiting, resolved_at__isnull=True)
    assert item.hold_reason == HoldReason.QUOTES_NOT_SHOWN


def test_a_reply_form_opened_with_quote_before_the_hide_and_sent_after_is_held(
    client, room, member, second_member, moderator
):
    thread = thread_with_posts(category=room, posts=2, author=member)
    client.force_login(second_member)
    opened = page(client.get(f"/forum/t/{thread.pk}/reply/?quote=2"))
    body = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", opened, re.S)[1]
    actions.post_hide(actor=moderator, post=thread.posts.get(post_number=2))

    response = client.post(f"/forum/t/{thread.pk}/reply/", {"body": body + "Agreed."}, follow=True)

    reply = thread.posts.get(post_number=3)
    assert reply.state == PostState.HELD
    text = page(response)
    assert "waits for a moderator, because it quotes a post the moderators hid" in text
    assert "because it quotes a post that is no longer shown on the forum" in text
    assert "Agreed." in text  # what they typed, there for them on the page


def test_an_edit_adding_such_a_quote_tells_the_author_why_it_waits(client, hidden, second_member):
    reply = posting.post_reply(author=second_member, thread=hidden.thread, body="Thank you.")
    client.force_login(second_member)

    response = client.post(f"/forum/post/{reply.pk}/edit/", {"body": quote_of(hidden)}, follow=True)

    assert (
        "Saved. Your post waits for a moderator, because it quotes a post the moderators hid"
        in (page(response))
    )


def test_the_queue_shows_the_reason(client, hidden, second_member, moderator):
    posting.post_reply(author=second_member, thread=hidden.thread, body=quote_of(hidden))
    client.force_login(moderator)

    text = page(client.get(reverse("forum:moderation_queue")))

    assert "Held:</strong> Quotes a post that is hidden, awaiting review or removed." in text


def test_the_queue_names_the_quoted_post_readers_no_longer_see(
    client, hidden, second_member, moderator
):
    posting.post_reply(author=second_member, thread=hidden.thread, body=quote_of(hidden))
    client.force_login(moderator)

    text = page(client.get(reverse("forum:moderation_queue")))

    quoted_link = reverse("forum:moderation_post", kwargs={"pk": hidden.pk})
    assert f'see:</strong> <a href="{quoted_link}">post #2</a> (hidden).' in text
    assert "Publishing this post brings back whatever it quotes." in text
