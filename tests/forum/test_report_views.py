"""A report sent from a form opened before the post was taken down: the reader hears that
it is gone, on the thread, instead of meeting "page not found"."""

import pytest

from forum.models import PostState, Report, ReportReason
from forum.services import posting, reports
from tests.forum.factories import member_of_type, thread_with_posts

pytestmark = pytest.mark.django_db


def test_a_report_of_a_post_another_report_hid_meanwhile_says_the_moderators_have_it(
    client, room, member, second_member
):
    post = thread_with_posts(posts=2, category=room).posts.get(post_number=2)
    client.force_login(second_member)
    form = client.get(f"/forum/post/{post.pk}/report/")
    reports.report_create(
        reporter=member_of_type(), post=post, reason=ReportReason.IDENTIFIES_CHILD
    )

    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "child"}, follow=True)

    assert form.status_code == 200
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(f"#post-{post.post_number}")
    assert "already hidden while the moderators look at reports about it" in response.text
    assert not Report.objects.filter(reporter=second_member).exists()


def test_a_report_of_a_post_its_author_removed_meanwhile_says_it_was_removed(
    client, room, member, second_member
):
    post = thread_with_posts(posts=2, category=room, author=member).posts.get(post_number=2)
    posting.post_remove(user=member, post=post)
    client.force_login(second_member)

    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "abusive"}, follow=True)

    assert response.status_code == 200
    assert "Its author has removed this post." in response.text


def test_a_report_of_a_post_in_a_room_the_reader_may_not_read_is_still_not_found(
    client, room, second_member
):
    post = thread_with_posts(posts=2, category=room).posts.get(post_number=2)
    post.state = PostState.HIDDEN
    post.save(update_fields=["state"])
    room.providers_may_read = False
    room.save(update_fields=["providers_may_read"])
    client.force_login(second_member)

    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "child"})

    assert response.status_code == 404
