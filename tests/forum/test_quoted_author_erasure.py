"""An erased member's name leaves the headers of other members' quotes of their posts;
the quoted words, part of the quoting post, stay."""

import pytest

from forum import quotes
from forum.models import Post, PostRevision
from members import data_rights
from tests.forum.factories import thread_with_posts
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def erase_now(user) -> None:
    data_request = data_rights.account_deletion_request(user=user, keep_post_text=True)
    data_rights.account_erase(data_request=data_request)


def quoting(post: Post, body: str) -> Post:
    """Another member's reply, written after `post`, in its thread."""
    reply = thread_with_posts(posts=1).posts.get()
    Post.objects.filter(pk=reply.pk).update(body=body, body_html=f"<p>{body}</p>")
    reply.refresh_from_db()
    return reply


def test_the_quote_links_header_names_a_former_member_once_the_quoted_author_is_erased():
    grace = UserFactory(name="Grace Shah")
    post = thread_with_posts(posts=1, author=grace).posts.get()
    address = f"/forum/t/{post.thread_id}/p/{post.post_number}/"
    reply = quoting(post, f"> **Grace Shah** [wrote]({address}):\n>\n> Rotas first.\n\nAgreed.")
    erase_now(grace)
    reply.refresh_from_db()
    assert reply.body == (
        f"> **{quotes.FORMER_MEMBER}** [wrote]({address}):\n>\n> Rotas first.\n\nAgreed."
    )
    assert "Grace Shah" not in reply.body_html
    assert quotes.FORMER_MEMBER in reply.body_html


def test_a_quote_written_by_hand_loses_the_name_on_its_leading_line():
    grace = UserFactory(name="Grace Shah")
    post = thread_with_posts(posts=1, author=grace).posts.get()
    address = f"/forum/t/{post.thread_id}/p/{post.post_number}/"
    reply = quoting(post, f"grace shah wrote at {address}:\n\n> Rotas first.")
    erase_now(grace)
    reply.refresh_from_db()
    assert reply.body == f"{quotes.FORMER_MEMBER} wrote at {address}:\n\n> Rotas first."


def test_the_quoted_words_and_the_rest_of_the_quoting_post_stay_as_written():
    grace = UserFactory(name="Grace Shah")
    post = thread_with_posts(posts=1, author=grace).posts.get()
    address = f"/forum/t/{post.thread_id}/p/{post.post_number}/"
    reply = quoting(
        post,
        f"> **Grace Shah** [wrote]({address}):\n>\n> Ask Grace Shah's deputy.\n\n"
        "Thanks, Grace Shah.",
    )
    erase_now(grace)
    reply.refresh_from_db()
    assert reply.body.endswith(">\n> Ask Grace Shah's deputy.\n\nThanks, Grace Shah.")


def test_a_quote_of_someone_else_by_the_same_name_keeps_their_name():
    grace = UserFactory(name="Grace Shah")
    namesake = UserFactory(name="Grace Shah")
    thread_with_posts(posts=1, author=grace)
    theirs = thread_with_posts(posts=1, author=namesake).posts.get()
    address = f"/forum/t/{theirs.thread_id}/p/{theirs.post_number}/"
    body = f"> **Grace Shah** [wrote]({address}):\n>\n> Rotas first."
    reply = quoting(theirs, body)
    erase_now(grace)
    reply.refresh_from_db()
    assert reply.body == body


def test_earlier_versions_of_the_quoting_post_lose_the_name_too():
    grace = UserFactory(name="Grace Shah")
    post = thread_with_posts(posts=1, author=grace).posts.get()
    address = f"/forum/t/{post.thread_id}/p/{post.post_number}/"
    reply = quoting(post, "Agreed.")
    revision = PostRevision.objects.create(
        post=reply, body=f"> **Grace Shah** [wrote]({address}):\n>\n> Rotas first."
    )
    erase_now(grace)
    revision.refresh_from_db()
    assert "Grace Shah" not in revision.body
    assert "> Rotas first." in revision.body


def test_quotes_in_a_large_forum_are_rewritten_a_batch_at_a_time(
    monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(quotes, "QUOTE_ERASURE_BATCH", 2)
    grace = UserFactory(name="Grace Shah")
    post = thread_with_posts(posts=1, author=grace).posts.get()
    address = f"/forum/t/{post.thread_id}/p/{post.post_number}/"
    replies = [quoting(post, f"> **Grace Shah** [wrote]({address}):\n>\n> {n}") for n in range(5)]
    with django_assert_max_num_queries(20):
        changed = quotes.quoted_author_forget(author=grace, name="Grace Shah")
    assert changed == 5
    assert not Post.objects.filter(pk__in=[r.pk for r in replies], body__contains="Grace").exists()
