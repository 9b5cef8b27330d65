"""When the moderators reverse a decision on a post (a post they hid shown again, a post
they kept up hidden after all), its author and the members who reported it hear of it,
once each, without the author's details or the moderator's name reaching the reporters."""

import pytest
from django.core import mail

from forum.models import ModerationAction, ModerationActionKind, ReportReason
from forum.moderation import actions
from forum.moderation.queue import Decision
from forum.tasks import decision_reversed_send
from tests.forum import reported
from tests.forum.factories import member_of_type
from tests.forum.reported import mail_to, report_open

pytestmark = pytest.mark.django_db


writer = reported.writer
reporter = reported.reporter
reply = reported.reply


def test_a_post_a_moderator_hid_and_shows_again_tells_its_author_it_is_visible_again(
    moderator, reply, writer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_hide(actor=moderator, post=reply, reason="Names a young person")
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_restore(actor=moderator, post=reply, reason="The name was a staff member's")

    hidden, shown = mail_to(writer)
    assert hidden.subject == "Your post in “Winter rotas” was hidden by a moderator"
    assert shown.subject == "Your post in “Winter rotas” is visible again"
    assert "The moderator's reason: The name was a staff member's" in shown.body


def test_a_reported_post_hidden_on_agreeing_and_shown_again_tells_its_author(
    moderator, reply, writer, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_restore(actor=moderator, post=reply)

    assert [message.subject for message in mail_to(writer)] == [
        "Your post in “Winter rotas” was hidden by a moderator",
        "Your post in “Winter rotas” is visible again",
    ]


def test_a_post_shown_again_tells_its_reporters_without_naming_author_or_moderator(
    moderator, reply, writer, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_restore(actor=moderator, post=reply, reason="Femi explained it was fine")

    decided, message = mail_to(reporter)
    assert decided.subject == "A post you reported in “Winter rotas” has been hidden"
    assert message.subject == "A post you reported in “Winter rotas” is visible again"
    html = message.alternatives[0][0]
    for private in (writer.name, writer.email, moderator.name, "Femi explained"):
        assert private not in message.body and private not in html
    assert "visible again in the thread" in message.body


def test_a_kept_post_hidden_later_tells_the_reporters_of_its_dismissed_reports(
    moderator, reply, writer, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.DISAGREE)
    [decided] = mail_to(reporter)
    assert decided.subject == "A post you reported in “Winter rotas” stays up"

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_hide(actor=moderator, post=reply, reason="Names a young person")

    _, message = mail_to(reporter)
    assert message.subject == "A post you reported in “Winter rotas” has now been hidden"
    assert "Names a young person" not in message.body and writer.name not in message.body
    [notice] = mail_to(writer)
    assert notice.subject == "Your post in “Winter rotas” has now been hidden by a moderator"
    assert "after the moderators had first decided it could stay up" in notice.body
    assert "The moderator's reason: Names a young person" in notice.body


def test_agreeing_with_new_reports_on_a_post_kept_earlier_tells_earlier_and_new_reporters(
    moderator, reply, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)
    actions.review_resolve(actor=moderator, item=item, decision=Decision.IGNORE)
    later = member_of_type(email="later@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        item = report_open(reply, later, reason=ReportReason.SAFEGUARDING)  # hides it at once
    assert mail_to(later) == [] and mail_to(reporter) == []

    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)

    assert [m.subject for m in mail_to(reporter)] == [
        "A post you reported in “Winter rotas” has now been hidden"
    ]
    assert len(mail_to(later)) == 1


def test_showing_a_post_its_reports_hid_is_no_reversal_and_tells_only_the_decision(
    moderator, reply, writer, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter, reason=ReportReason.SAFEGUARDING)

    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.DISAGREE)

    assert mail_to(writer) == []
    assert [m.subject for m in mail_to(reporter)] == [
        "A post you reported in “Winter rotas” stays up"
    ]


def test_a_reversal_is_told_once_however_often_its_task_runs(
    moderator, reply, writer, reporter, django_capture_on_commit_callbacks
):
    item = report_open(reply, reporter)
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_restore(actor=moderator, post=reply)
    entry = ModerationAction.objects.get(action=ModerationActionKind.RESTORE)
    sent = len(mail.outbox)

    assert decision_reversed_send(entry.pk) == 0
    assert len(mail.outbox) == sent
    assert [m.subject for m in mail_to(reporter)] == [
        "A post you reported in “Winter rotas” has been hidden",
        "A post you reported in “Winter rotas” is visible again",
    ]


def test_a_reversal_undone_before_its_email_goes_sends_nothing(
    moderator, reply, writer, reporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_hide(actor=moderator, post=reply, reason="Checking")
    actions.post_restore(actor=moderator, post=reply)
    actions.post_hide(actor=moderator, post=reply, reason="Checking again")
    restored = ModerationAction.objects.get(action=ModerationActionKind.RESTORE)

    assert decision_reversed_send(restored.pk) == 0


def test_an_author_never_told_of_the_hiding_is_not_told_it_was_reversed(moderator, reply, writer):
    actions.post_hide(actor=moderator, post=reply, reason="Checking")  # its email never went

    actions.post_restore(actor=moderator, post=reply)

    restored = ModerationAction.objects.get(action=ModerationActionKind.RESTORE)
    assert decision_reversed_send(restored.pk) == 0
    assert mail_to(writer) == []
