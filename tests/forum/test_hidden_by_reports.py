"""A post hidden automatically by its reports is not said to be hidden by the moderators:
readers, its author and the moderators read that it waits for them, until one decides."""

import pytest
from django.core import mail

from forum.models import ReportReason, ReviewItem
from forum.moderation import actions
from forum.moderation.queue import Decision
from forum.services import reports
from tests.forum.factories import member_of_type, thread_with_posts

pytestmark = pytest.mark.django_db

WAITING = "This post is hidden while the moderators look at reports about it."
DECIDED = "This post was hidden by the moderators."


@pytest.fixture
def reply(room, member):
    post = thread_with_posts(posts=2, category=room).posts.get(post_number=2)
    post.author = member
    post.save(update_fields=["author"])
    reports.report_create(reporter=member_of_type(), post=post, reason=ReportReason.SAFEGUARDING)
    return post


def test_readers_are_told_a_post_hidden_by_reports_waits_for_the_moderators(
    client, reply, second_member
):
    client.force_login(second_member)

    page = client.get(reply.thread.get_absolute_url()).content.decode()

    assert WAITING in page
    assert DECIDED not in page


def test_the_author_of_a_post_hidden_by_reports_reads_that_it_waits_for_the_moderators(
    client, reply, member
):
    client.force_login(member)

    page = client.get(reply.get_absolute_url(), follow=True).content.decode()

    assert WAITING in page


def test_once_a_moderator_agrees_the_post_is_hidden_by_the_moderators(
    client, reply, second_member, moderator
):
    item = ReviewItem.objects.open().get(post=reply)
    actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)
    client.force_login(second_member)

    page = client.get(reply.thread.get_absolute_url()).content.decode()

    assert DECIDED in page
    assert WAITING not in page


def test_the_queue_says_a_post_is_hidden_by_its_reports_not_by_a_moderator(
    client, reply, moderator
):
    client.force_login(moderator)

    page = client.get("/forum/moderation/").content.decode()

    assert "Post hidden while the moderators look at reports" in page


def test_the_author_s_email_says_the_post_waited_on_reports_before_a_moderator_agreed(
    reply, member, moderator, django_capture_on_commit_callbacks
):
    item = ReviewItem.objects.open().get(post=reply)

    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)

    [notice] = [message for message in mail.outbox if member.email in message.to]
    assert "was hidden while the moderators looked at reports about it" in notice.body
    assert "a forum moderator has now decided it stays hidden" in notice.body
