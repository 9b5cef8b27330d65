"""Who is emailed when a post is reported urgently: the moderators who may act on it."""

import pytest
from django.utils import timezone

from forum.models import ReportReason, Suspension
from forum.services import posting, reports
from tests import roles

pytestmark = pytest.mark.django_db


def report_urgently(reporter, post, capture) -> None:
    with capture(execute=True):
        reports.report_create(reporter=reporter, post=post, reason=ReportReason.IDENTIFIES_CHILD)


def opening_post(author, category):
    return posting.thread_create(
        author=author,
        category=category,
        title="Holiday rotas",
        body="How do you plan rotas over the holidays?",
        confirmed_child_safety=True,
    )


def test_a_moderator_is_alerted_to_an_urgent_report(
    room, member, second_member, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    report_urgently(second_member, opening_post(member, room), django_capture_on_commit_callbacks)

    assert [m.to for m in mailoutbox] == [[moderator.email]]


def test_the_alert_s_text_offers_the_post_as_its_html_does(
    room, member, second_member, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    report_urgently(second_member, opening_post(member, room), django_capture_on_commit_callbacks)

    (message,) = mailoutbox
    assert "Open the post:" in message.body
    assert "review queue" not in message.body


def test_a_suspended_moderator_is_not_alerted_to_an_urgent_report(
    room, member, second_member, moderator, staff, mailoutbox, django_capture_on_commit_callbacks
):
    Suspension.objects.create(
        member=moderator,
        until=timezone.now() + timezone.timedelta(days=7),
        reason="Shared a report outside the forum",
        created_by=staff,
    )

    report_urgently(second_member, opening_post(member, room), django_capture_on_commit_callbacks)

    assert mailoutbox == []


def test_the_alert_tells_a_moderator_without_two_factor_to_set_it_up_before_the_link_opens(
    room, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    roles.moderator_without_two_factor()

    report_urgently(second_member, opening_post(member, room), django_capture_on_commit_callbacks)

    (alert,) = mailoutbox
    assert "needs two-factor authentication before this link opens" in alert.body
    assert "two-factor authentication" in alert.alternatives[0][0]


def test_the_alert_to_a_moderator_with_two_factor_says_nothing_of_setting_it_up(
    room, member, second_member, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    report_urgently(second_member, opening_post(member, room), django_capture_on_commit_callbacks)

    (alert,) = mailoutbox
    assert "two-factor" not in alert.body
    assert "two-factor" not in alert.alternatives[0][0]
