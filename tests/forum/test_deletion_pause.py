"""A member waiting for their account to be deleted is emailed of no reply, sent no daily
summary and no news of a post they reported (members.email_pause); the on-site
notification stays."""

import pytest

from forum import notifications
from forum.models import ForumPreference, Notification, NotifyBy
from forum.moderation import actions
from forum.moderation.queue import Decision
from forum.services import posting
from members import data_rights
from tests.forum.factories import member_of_type, thread_with_posts
from tests.forum.reported import report_open

pytestmark = pytest.mark.django_db


def start(author, category):
    return posting.thread_create(
        author=author,
        category=category,
        title="Handover times that work",
        body="We moved handovers to 3pm.",
        confirmed_child_safety=True,
    ).thread


def reply(author, thread):
    return posting.post_reply(
        author=author, thread=thread, body="Same here.", confirmed_child_safety=True
    )


def test_a_reply_in_their_thread_is_not_emailed_while_they_wait_for_deletion(
    room, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    thread = start(member, room)
    data_rights.account_deletion_request(user=member, keep_post_text=True)
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, thread)
    assert [message for message in mailoutbox if message.to == [member.email]] == []
    assert Notification.objects.filter(recipient=member).exists()


def test_replies_are_emailed_again_once_they_stop_the_deletion(
    room, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    thread = start(member, room)
    data_rights.account_deletion_request(user=member, keep_post_text=True)
    data_rights.account_deletion_cancel(user=member)
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, thread)
    assert [message.to for message in mailoutbox] == [[member.email]]


def test_no_daily_summary_goes_to_someone_waiting_for_deletion(member, second_member):
    for user in (member, second_member):
        ForumPreference.objects.create(user=user, notify_by=NotifyBy.DAILY)
    data_rights.account_deletion_request(user=member, keep_post_text=True)
    assert notifications.daily_summary_recipients() == [second_member.pk]


# --- What became of a post they reported ---------------------------------------------------


def test_a_reporter_waiting_for_deletion_finds_the_decision_on_the_site_but_gets_no_email(
    moderator, mailoutbox, django_capture_on_commit_callbacks
):
    reporter = member_of_type(name="Grace Lewis", email="grace@example.org")
    post = thread_with_posts(posts=2, title="Winter rotas").posts.get(post_number=2)
    item = report_open(post, reporter)
    data_rights.account_deletion_request(user=reporter, keep_post_text=True)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_restore(actor=moderator, post=post)

    assert [message for message in mailoutbox if reporter.email in message.to] == []
    assert Notification.objects.filter(recipient=reporter, decision__isnull=False).count() == 2
