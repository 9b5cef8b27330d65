"""A post that links to another without quoting it: the linked post's author is told of
a link ("linked to your post"), not of a quote. A quote is the address in a quote block,
as the Quote link writes it, or on the line leading into one (forum/quotes.py)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from forum import quotes
from forum.models import ForumPreference, Notification, NotificationKind
from forum.services import posting
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def confirmed(member, second_member):
    for person in (member, second_member):
        ForumPreference.objects.update_or_create(
            user=person, defaults={"child_safety_confirmed_at": timezone.now()}
        )


@pytest.fixture
def linked(room, member):
    """Post 2 of a three-post thread, written by `member`."""
    thread = thread_with_posts(category=room, posts=3, authors=[member])
    return thread.posts.get(post_number=2)


def address(post) -> str:
    return f"/forum/t/{post.thread_id}/p/{post.post_number}/"


def notice_for(member, *, author, post, body, capture):
    with capture(execute=True):
        reply = posting.post_reply(author=author, thread=post.thread, body=body)
    return Notification.objects.get(recipient=member, post=reply)


def test_a_bare_link_to_a_post_tells_its_author_of_a_link_not_a_quote(
    linked, member, second_member, django_capture_on_commit_callbacks
):
    body = f"Femi set this out well in {address(linked)}, worth a read before Friday."

    notice = notice_for(
        member, author=second_member, post=linked, body=body,
        capture=django_capture_on_commit_callbacks,
    )  # fmt: skip

    assert notice.kind == NotificationKind.LINK


def test_a_quote_written_by_the_quote_link_is_still_a_quote(
    linked, member, second_member, django_capture_on_commit_callbacks
):
    body = f"> **Femi Adebayo** [wrote]({address(linked)}):\n>\n> Rotas at 3pm.\n\nAgreed."

    notice = notice_for(
        member, author=second_member, post=linked, body=body,
        capture=django_capture_on_commit_callbacks,
    )  # fmt: skip

    assert notice.kind == NotificationKind.QUOTE


def test_a_link_leading_into_a_quote_block_is_a_quote(
    linked, member, second_member, django_capture_on_commit_callbacks
):
    body = f"Femi wrote at {address(linked)}:\n\n> Rotas at 3pm.\n\nAgreed."

    notice = notice_for(
        member, author=second_member, post=linked, body=body,
        capture=django_capture_on_commit_callbacks,
    )  # fmt: skip

    assert notice.kind == NotificationKind.QUOTE


def test_a_link_after_an_unrelated_quote_is_still_a_link(linked):
    body = f"> Someone else's words.\n\nSee also {address(linked)}."

    assert quotes.places_in_quotes(body) == set()


def test_the_notifications_page_says_the_post_was_linked_to(
    client, linked, member, second_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posting.post_reply(
            author=second_member, thread=linked.thread, body=f"See {address(linked)}."
        )
    client.force_login(member)

    page = client.get(reverse("forum:notifications")).text

    assert f"Nia Sharma linked to your post in “{linked.thread.title}”" in page
    assert "quoted you" not in page
