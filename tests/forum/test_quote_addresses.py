"""A quote is found by the quoted post's address, in whichever form the writer used, and
the forum agrees on it everywhere: the quoted author hears of it, a reply quoting a
hidden post waits for a moderator, and the review queue shows both where a post is
quoted and what a post quotes (forum/quotes.py decides for all of them)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import ForumPreference, HoldReason, Notification, NotificationKind, PostState
from forum.moderation import actions
from forum.moderation.threads import thread_hide, thread_merge
from forum.services import posting
from tests.forum.factories import reported_item, thread_with_posts

pytestmark = pytest.mark.django_db

# Every form of a post's address a member may quote it by ({t}: thread, {n}: post
# number, {slug}: the thread's slug).
ADDRESSES = {
    "the Quote link": "> **Femi Adebayo** [wrote](/forum/t/{t}/p/{n}/):\n> Rotas at 3pm.",
    "its full address": "As https://network.example.org/forum/t/{t}/p/{n}/ said: rotas at 3pm.",
    "no last slash": "> [Femi](/forum/t/{t}/p/{n}) wrote: rotas at 3pm.",
    "no scheme": "See network.example.org/forum/t/{t}/p/{n}/ on rotas.",
    "the thread page at the post": (
        "> Rotas at 3pm (https://network.example.org/forum/t/{t}/{slug}/?page=1#post-{n})"
    ),
    "the thread page without its page": "[Femi wrote](/forum/t/{t}/{slug}/#post-{n}): 3pm.",
}


# The forms above written in a quote block; the others only link to the post, and its
# author hears of a link (tests/forum/test_link_notifications.py).
IN_A_QUOTE = {"the Quote link", "no last slash", "the thread page at the post"}


def quoting(post, form: str) -> str:
    return ADDRESSES[form].format(t=post.thread_id, n=post.post_number, slug=post.thread.slug)


@pytest.fixture(autouse=True)
def confirmed(member, second_member, moderator):
    for person in (member, second_member, moderator):
        ForumPreference.objects.update_or_create(
            user=person, defaults={"child_safety_confirmed_at": timezone.now()}
        )


@pytest.fixture
def quoted(room, member):
    """Post 2 of a four-post thread in `room`, written by `member`."""
    thread = thread_with_posts(category=room, posts=4, authors=[member])
    return thread.posts.get(post_number=2)


def queue_page(client, moderator) -> str:
    client.force_login(moderator)
    return client.get(reverse("forum:moderation_queue")).content.decode()


@pytest.mark.parametrize("form", ADDRESSES)
def test_the_quoted_author_hears_of_a_quote_by_any_form_of_the_address(
    form, quoted, member, second_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = posting.post_reply(
            author=second_member, thread=quoted.thread, body=quoting(quoted, form)
        )

    assert reply.state == PostState.VISIBLE
    notice = Notification.objects.get(recipient=member)
    kind = NotificationKind.QUOTE if form in IN_A_QUOTE else NotificationKind.LINK
    assert (notice.kind, notice.post) == (kind, reply)


@pytest.mark.parametrize("form", ADDRESSES)
def test_a_reply_quoting_a_hidden_post_by_any_form_of_the_address_waits(
    form, quoted, second_member, moderator
):
    actions.post_hide(actor=moderator, post=quoted, reason="Could identify a child")

    reply = posting.post_reply(
        author=second_member, thread=quoted.thread, body=quoting(quoted, form)
    )

    assert (reply.state, reply.hold_reason) == (PostState.HELD, HoldReason.QUOTES_NOT_SHOWN)


@pytest.mark.parametrize("form", ADDRESSES)
def test_the_queue_names_the_hidden_post_a_held_reply_quotes_by_any_form(
    form, client, quoted, second_member, moderator
):
    actions.post_hide(actor=moderator, post=quoted, reason="Could identify a child")
    posting.post_reply(author=second_member, thread=quoted.thread, body=quoting(quoted, form))

    text = queue_page(client, moderator)

    link = reverse("forum:moderation_post", kwargs={"pk": quoted.pk})
    assert f'see:</strong> <a href="{link}">post #2</a> (hidden).' in text


@pytest.mark.parametrize("form", ADDRESSES)
def test_the_queue_shows_where_a_reported_post_is_quoted_by_any_form(
    form, client, quoted, second_member, moderator
):
    reply = posting.post_reply(
        author=second_member, thread=quoted.thread, body=quoting(quoted, form)
    )
    reported_item(post=quoted)

    text = queue_page(client, moderator)

    link = reverse("forum:moderation_post", kwargs={"pk": reply.pk})
    assert f'Quoted in:</strong> <a href="{link}">post #5</a>' in text


def test_the_queue_names_a_quote_in_another_thread_with_that_thread_s_title(
    client, room, quoted, second_member, moderator
):
    elsewhere = posting.thread_create(
        author=second_member,
        category=room,
        title="Rotas over Christmas",
        body=quoting(quoted, "its full address"),
    )
    reported_item(post=quoted)

    text = queue_page(client, moderator)

    link = reverse("forum:moderation_post", kwargs={"pk": elsewhere.pk})
    assert f'Quoted in:</strong> <a href="{link}">post #1 in “Rotas over Christmas”</a>' in text


def test_a_longer_number_names_another_post_not_this_one(
    quoted, member, second_member, moderator, django_capture_on_commit_callbacks
):
    actions.post_hide(actor=moderator, post=quoted, reason="Could identify a child")
    body = f"See /forum/t/{quoted.thread_id}/p/{quoted.post_number}4/ on rotas."
    with django_capture_on_commit_callbacks(execute=True):
        reply = posting.post_reply(author=second_member, thread=quoted.thread, body=body)

    assert reply.state == PostState.VISIBLE
    assert not Notification.objects.filter(recipient=member, kind=NotificationKind.QUOTE)


@pytest.fixture
def merged(room, quoted, moderator):
    """`quoted`'s thread merged into a three-post thread: it is post 5 there now, and
    quotes written before name it by its old address."""
    old_address = quoting(quoted, "the Quote link")
    thread_merge(actor=moderator, thread=quoted.thread, into=thread_with_posts(category=room))
    quoted.refresh_from_db()
    assert quoted.post_number == 5
    return quoted, old_address


def test_a_quote_by_an_address_from_before_a_merge_reaches_the_quoted_author(
    merged, member, second_member, django_capture_on_commit_callbacks
):
    quoted, old_address = merged
    with django_capture_on_commit_callbacks(execute=True):
        reply = posting.post_reply(author=second_member, thread=quoted.thread, body=old_address)

    assert Notification.objects.get(recipient=member, post=reply).kind == NotificationKind.QUOTE


def test_the_queue_shows_a_quote_by_an_address_from_before_a_merge(
    client, merged, second_member, moderator
):
    quoted, old_address = merged
    reply = posting.post_reply(author=second_member, thread=quoted.thread, body=old_address)
    reported_item(post=quoted)

    text = queue_page(client, moderator)

    link = reverse("forum:moderation_post", kwargs={"pk": reply.pk})
    assert f'Quoted in:</strong> <a href="{link}">post #{reply.post_number}</a>' in text


def test_the_queue_leaves_out_a_quote_in_a_thread_readers_no_longer_see(
    client, room, quoted, second_member, moderator
):
    elsewhere = posting.thread_create(
        author=second_member,
        category=room,
        title="Rotas over Christmas",
        body=quoting(quoted, "its full address"),
    )
    thread_hide(actor=moderator, thread=elsewhere.thread, reason="Off topic")
    reported_item(post=quoted)

    text = queue_page(client, moderator)

    assert "Quoted in:" not in text
