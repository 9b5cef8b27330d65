"""A person waiting for their account to be deleted is not reminded of an event
(members.email_pause), but is still told of changes to the place they hold."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import notices, reminders, services
from events.models import Notice
from members import data_rights
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def booked_in_three_weeks(person, commit):
    starts = (timezone.now() + timedelta(days=20)).replace(microsecond=0)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=1))
    with commit():
        services.registration_create(event=event, user=person)
    mail.outbox.clear()
    return event


def test_no_reminder_is_queued_while_they_wait_for_deletion(person, commit):
    event = booked_in_three_weeks(person, commit)
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    with commit():
        assert reminders.reminders_queue(now=event.starts_at - timedelta(days=6)) == 0
    assert mail.outbox == []


def test_the_reminder_goes_once_they_stop_the_deletion_in_time(person, commit):
    event = booked_in_three_weeks(person, commit)
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    with commit():
        reminders.reminders_queue(now=event.starts_at - timedelta(days=6, hours=12))
    data_rights.account_deletion_cancel(user=person)
    with commit():
        assert reminders.reminders_queue(now=event.starts_at - timedelta(days=6)) == 1
    assert [message.to for message in mail.outbox] == [[person.email]]


def test_a_reminder_queued_before_they_asked_is_not_sent(person, commit):
    event = booked_in_three_weeks(person, commit)
    registration = event.registrations.get()
    notices.notice_record(registration, Notice.Kind.REMINDER_WEEK)
    notice = Notice.objects.get(kind=Notice.Kind.REMINDER_WEEK)
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    assert notices.notice_send(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.error == "Not sent: the person asked for their account to be deleted."
    assert mail.outbox == []


def test_they_are_still_sent_staffs_message_about_the_event(person, commit, staff):
    event = booked_in_three_weeks(person, commit)
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    with commit():
        services.message_send(
            event=event, subject="Room change", body="We are in room 2.", sent_by=staff
        )
    assert [message.subject for message in mail.outbox] == ["Room change"]
