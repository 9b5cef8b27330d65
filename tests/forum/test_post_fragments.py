"""A thread page's posts come from the cache when a reader sees them as someone else
already did, and never show anything stale or anyone else's rights."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from forum import post_fragments
from forum.services import posting, reactions
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _posts(response) -> list[str]:
    return [
        _TOKEN.sub('name="csrfmiddlewaretoken" value="…"', article)
        for article in _articles(response)
    ]


def _minutes_ago():
    """Posts young enough for their authors to edit."""
    return timezone.now() - timedelta(minutes=10)


def _articles(response) -> list[str]:
    return [
        article.split("</article>", 1)[0]
        for article in response.content.decode().split('<article class="forum-post"')[1:]
    ]


def test_kept_posts_read_exactly_as_the_page_renders_them_itself(
    client, room, member, second_member, monkeypatch
):
    thread = thread_with_posts(category=room, authors=[member, second_member], posts=6)
    client.force_login(second_member)
    client.get(thread.get_absolute_url())  # keeps them
    kept = client.get(thread.get_absolute_url())
    # Without the kept HTML, the page includes the post template itself.
    monkeypatch.setattr(post_fragments, "posts_html", lambda request, posts, **_: [""] * len(posts))

    rendered = client.get(thread.get_absolute_url())

    assert "Post 6: what worked for us" in _posts(kept)[5]
    assert _posts(kept) == _posts(rendered)


def test_an_edited_post_shows_its_new_text_at_once(client, room, member, second_member):
    thread = thread_with_posts(category=room, author=member, posts=2, created=_minutes_ago())
    client.force_login(second_member)
    client.get(thread.get_absolute_url())
    posting.post_edit(
        editor=member,
        post=thread.posts.get(post_number=2),
        body="Rotas changed in March; the new pattern is below.",
    )

    articles = _articles(client.get(thread.get_absolute_url()))

    assert "Rotas changed in March" in articles[1]
    assert "edited" in articles[1]


def test_each_reader_sees_their_own_marks_and_rights_on_the_same_posts(
    client, room, member, second_member, third_member
):
    thread = thread_with_posts(
        category=room, authors=[member, second_member], posts=2, created=_minutes_ago()
    )
    first_post = thread.posts.get(post_number=1)
    reactions.reaction_toggle(user=third_member, post=first_post)
    client.force_login(second_member)
    client.get(thread.get_absolute_url())  # keeps the posts as the second member sees them

    reader = Client()
    reader.force_login(third_member)
    theirs = _articles(reader.get(thread.get_absolute_url()))
    author = Client()
    author.force_login(member)
    own = _articles(author.get(thread.get_absolute_url()))

    assert 'aria-pressed="true"' in theirs[0]
    assert "Edit<" not in theirs[0]
    assert "Edit<" in own[0] and "Edit<" not in own[1]


def test_the_forms_of_kept_posts_carry_the_reader_s_own_csrf_token(
    room, member, second_member, third_member
):
    thread = thread_with_posts(category=room, author=member, posts=1)
    first_reader = Client()
    first_reader.force_login(second_member)
    first_reader.get(thread.get_absolute_url())
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(third_member)

    article = _articles(reader.get(thread.get_absolute_url()))[0]
    action = re.search(r'<form method="post" action="([^"]+helpful/)"', article).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', article).group(1)
    response = reader.post(action, {"csrfmiddlewaretoken": token, "next": "/forum/"})

    assert response.status_code == 302
    assert thread.posts.get().helpful_count == 1


def test_a_moderator_gets_their_tools_on_posts_others_have_seen(
    client, room, member, second_member, moderator
):
    thread = thread_with_posts(category=room, author=member, posts=2)
    client.force_login(second_member)
    client.get(thread.get_absolute_url())
    client.force_login(moderator)

    articles = _articles(client.get(thread.get_absolute_url()))

    assert all("moderator-tools" in article for article in articles)
