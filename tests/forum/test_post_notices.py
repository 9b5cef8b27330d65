"""What the forum says after an action on a post is said at that post, where the browser
scrolls to on a long thread, not only at the top of the page."""

import re

import pytest
from django.utils import timezone

from forum.models import ForumPreference
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


def article(html: str, number: int) -> str:
    """The HTML of post `number` on a thread page."""
    return re.search(rf'<article[^>]*id="post-{number}".*?</article>', html, re.S).group(0)


def top_of_page(html: str) -> str:
    return html.split("<article", 1)[0]


def test_a_report_s_thank_you_is_said_at_the_post_reported(client, room, member, second_member):
    thread = thread_with_posts(posts=45, category=room, author=member)
    post = thread.posts.get(post_number=42)
    client.force_login(second_member)

    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "spam"}, follow=True)

    html = response.content.decode()
    assert "the moderators have your report" in article(html, 42)
    assert "the moderators have your report" not in top_of_page(html)


def test_a_bookmark_is_confirmed_at_the_post_bookmarked(client, room, member, second_member):
    thread = thread_with_posts(posts=3, category=room, author=member)
    post = thread.posts.get(post_number=2)
    client.force_login(second_member)

    response = client.post(f"/forum/post/{post.pk}/bookmark/", follow=True)

    html = response.content.decode()
    assert "Bookmarked." in article(html, 2)
    assert "Bookmarked." not in article(html, 1) + article(html, 3)


def test_a_reply_is_confirmed_at_the_reply(client, room, member, second_member):
    thread = thread_with_posts(posts=2, category=room, author=member)
    ForumPreference.objects.create(user=second_member, child_safety_confirmed_at=timezone.now())
    client.force_login(second_member)

    response = client.post(
        f"/forum/t/{thread.pk}/reply/", {"body": "We moved handovers to 8am."}, follow=True
    )

    assert "Posted." in article(response.content.decode(), 3)


def test_a_notice_for_a_post_not_on_the_page_is_said_at_the_top(
    client, room, member, second_member
):
    thread = thread_with_posts(posts=45, category=room, author=member)
    post = thread.posts.get(post_number=42)
    client.force_login(second_member)
    client.post(f"/forum/post/{post.pk}/bookmark/")

    html = client.get(thread.get_absolute_url()).content.decode()

    assert "Bookmarked." in top_of_page(html)
    assert 'class="message message--success"' in top_of_page(html)
