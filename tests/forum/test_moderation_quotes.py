"""A moderator who hides a post hears where its words still stand: the visible posts of
its thread that quote it, on the post's moderation page and after hiding it from the
thread page, as the review queue tells of a reported post."""

import pytest
from django.urls import reverse

from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def url(name: str, pk: int) -> str:
    return reverse(f"forum:moderation_{name}", kwargs={"pk": pk})


def _quoted_in_the_thread():
    """Post 2 of a thread, quoted by post 3 the way the reply form's Quote link writes it."""
    thread = thread_with_posts(posts=3)
    quoted = thread.posts.get(post_number=2)
    quoting = thread.posts.get(post_number=3)
    quoting.body = (
        f"> **Femi Adebayo** [wrote](/forum/t/{thread.pk}/p/2/):\n>\n> {quoted.body}\n\nAgreed."
    )
    quoting.save(update_fields=["body"])
    return quoted, quoting


def test_hiding_a_quoted_post_from_the_tools_names_the_posts_that_still_quote_it(mod_client):
    quoted, _ = _quoted_in_the_thread()

    response = mod_client.post(
        url("post_hide", quoted.pk), {"reason": "Names a child"}, follow=True
    )

    assert "Post #2 is hidden." in response.text
    assert "Quoted in post #3 (still visible)" in response.text


def test_hiding_a_post_nobody_quoted_says_nothing_of_quotes(mod_client):
    post = thread_with_posts(posts=2).posts.get(post_number=2)

    response = mod_client.post(url("post_hide", post.pk), {"reason": "Off topic"}, follow=True)

    assert "Post #2 is hidden." in response.text
    assert "Quoted in" not in response.text


def test_the_moderator_post_page_names_the_posts_that_quote_it(mod_client):
    quoted, quoting = _quoted_in_the_thread()

    response = mod_client.get(url("post", quoted.pk))

    assert "Quoted in" in response.text
    assert url("post", quoting.pk) in response.text


def test_hiding_a_quoted_post_from_the_thread_page_goes_to_its_page_listing_the_quotes(
    mod_client,
):
    quoted, quoting = _quoted_in_the_thread()
    thread_page = f"{quoted.thread.get_absolute_url()}?page=1#post-2"

    response = mod_client.post(
        url("post_hide", quoted.pk), {"reason": "Names a child", "next": thread_page}
    )

    assert response.url == url("post", quoted.pk)


def test_hiding_a_post_nobody_quoted_goes_back_to_the_thread_page(mod_client):
    post = thread_with_posts(posts=2).posts.get(post_number=2)
    thread_page = f"{post.thread.get_absolute_url()}?page=1#post-2"

    response = mod_client.post(
        url("post_hide", post.pk), {"reason": "Off topic", "next": thread_page}
    )

    assert response.url == thread_page


def test_hiding_a_quoted_post_from_the_queue_goes_back_to_the_queue(mod_client):
    quoted, _ = _quoted_in_the_thread()
    back = reverse("forum:moderation_queue") + "#item-1"

    response = mod_client.post(
        url("post_hide", quoted.pk), {"reason": "Names a child", "next": back}
    )

    assert response.url == back
