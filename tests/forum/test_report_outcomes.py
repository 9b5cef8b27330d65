"""A member who reports a post hears once what the moderators decided about it (kept up,
hidden, or deleted by its author meanwhile), without the author's details, the moderator's
name or their words; a decision that reverses an earlier one is told by the reversal email
alone."""

import pytest
from django.core import mail

from forum.models import ModerationAction, ModerationActionKind, ReportReason
from forum.moderation import actions
from forum.moderation.queue import Decision
from forum.services import posting
from forum.tasks import report_decided_send
from network.mail import site_url
from tests.forum import reported
from tests.forum.factories import member_of_type, thread_with_posts
from tests.forum.reported import mail_to, report_open

pytestmark = pytest.mark.django_db


writer = reported.writer
reporter = reported.reporter
reply = reported.reply


def _decide(item, moderator, decision, capture, note: str = "") -> None:
    with capture(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=decision, note=note)


def test_a_reporter_is_told_the_post_they_reported_was_hidden(
    moderator, reply, writer, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)

    _decide(
        item,
        moderator,
        Decision.HIDE,
        django_capture_on_commit_callbacks,
        note="Femi is going through a hard time at work",
    )

    [message] = mail_to(reporter)
    assert message.subject == "A post you reported in “Winter rotas” has been hidden"
    assert "The moderators have looked at it and hidden it." in message.body
    html = message.alternatives[0][0]
    for private in (writer.name, writer.email, moderator.name, "hard time", "Agree: hide"):
        assert private not in message.body and private not in html


def test_a_reporter_is_told_a_post_the_moderators_found_nothing_wrong_with_stays_up(
    moderator, reply, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)

    _decide(item, moderator, Decision.DISAGREE, django_capture_on_commit_callbacks)

    [message] = mail_to(reporter)
    assert message.subject == "A post you reported in “Winter rotas” stays up"
    assert "found nothing in it that needs to change" in message.body
    assert site_url(reply.get_absolute_url()) in message.body


def test_a_reporter_is_told_when_the_moderators_close_their_report_with_the_post_up(
    moderator, reply, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)

    _decide(item, moderator, Decision.IGNORE, django_capture_on_commit_callbacks)

    [message] = mail_to(reporter)
    assert message.subject == "A post you reported in “Winter rotas” stays up"
    assert "closed your report: the post stays up as it is" in message.body


def test_a_reporter_is_told_when_a_post_the_moderators_put_right_stays_up(
    moderator, reply, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)

    _decide(item, moderator, Decision.KEEP, django_capture_on_commit_callbacks)

    [message] = mail_to(reporter)
    assert "put it right: it stays up as it is now" in message.body


def test_a_reporter_of_a_post_hidden_with_its_thread_is_not_told_the_thread_s_title(
    moderator, reporter, django_capture_on_commit_callbacks
):
    opening = thread_with_posts(posts=1, title="About Amelia, aged 9").posts.get()
    with django_capture_on_commit_callbacks(execute=True):
        item = report_open(opening, reporter, reason=ReportReason.IDENTIFIES_CHILD)
    mail.outbox.clear()  # the moderators' alert

    _decide(item, moderator, Decision.HIDE, django_capture_on_commit_callbacks)

    [message] = mail_to(reporter)
    assert message.subject == "A post you reported has been hidden"
    assert "in a thread that is now hidden" in message.body
    assert "Amelia" not in message.body and "Amelia" not in message.alternatives[0][0]
    assert "http" not in message.body.split("tell us:")[0]  # no link to where it was


def test_a_report_on_a_post_its_author_deleted_meanwhile_says_so_when_closed(
    moderator, reply, writer, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)
    posting.post_remove(user=writer, post=reply)

    _decide(item, moderator, Decision.IGNORE, django_capture_on_commit_callbacks)

    [message] = mail_to(reporter)
    assert message.subject == "A post you reported in “Winter rotas” was deleted by its author"
    assert "stays up" not in message.body and "See the post" not in message.alternatives[0][0]


def test_several_reports_decided_at_once_send_each_reporter_one_email(
    moderator, reply, reporter, django_capture_on_commit_callbacks
):
    others = [member_of_type(email=f"reporter{n}@example.org") for n in range(2)]
    item = report_open(reply, reporter)
    for other in others:
        report_open(reply, other)

    _decide(item, moderator, Decision.HIDE, django_capture_on_commit_callbacks)
    entry = ModerationAction.objects.get(action=ModerationActionKind.RESOLVE)

    assert [len(mail_to(person)) for person in (reporter, *others)] == [1, 1, 1]
    assert report_decided_send(entry.pk) == 0  # a retried task sends none again
    assert [len(mail_to(person)) for person in (reporter, *others)] == [1, 1, 1]


def test_a_decision_reversing_an_earlier_one_reaches_its_reporters_as_the_reversal_alone(
    moderator, reply, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)
    _decide(item, moderator, Decision.DISAGREE, django_capture_on_commit_callbacks)
    later = member_of_type(email="later@example.org")
    item = report_open(reply, later)

    _decide(item, moderator, Decision.HIDE, django_capture_on_commit_callbacks)

    assert [m.subject for m in mail_to(later)] == [
        "A post you reported in “Winter rotas” has now been hidden"
    ]
    assert [m.subject for m in mail_to(reporter)] == [
        "A post you reported in “Winter rotas” stays up",
        "A post you reported in “Winter rotas” has now been hidden",
    ]


def test_disagreeing_after_a_moderator_hid_the_post_tells_reporters_it_is_visible_again_once(
    moderator, reply, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)
    actions.post_hide(actor=moderator, post=reply, reason="Checking")

    _decide(item, moderator, Decision.DISAGREE, django_capture_on_commit_callbacks)

    assert [m.subject for m in mail_to(reporter)] == [
        "A post you reported in “Winter rotas” is visible again"
    ]


def test_a_decision_overtaken_before_its_email_goes_sends_nothing(moderator, reply, reporter):
    item = report_open(reply, reporter)
    actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)
    actions.post_restore(actor=moderator, post=reply)
    entry = ModerationAction.objects.get(action=ModerationActionKind.RESOLVE)

    assert report_decided_send(entry.pk) == 0
    assert mail_to(reporter) == []
