"""A place at a members' webinar booked while a member, whose membership has ended since:
the reminders say the joining link waits on renewing, as the event page does, and never
promise a link the page will not show."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events import reminders
from events.models import Eligibility, Registration
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def members_webinar_with_a_place_for(user):
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    event = EventFactory(
        title="Life-story work with teenagers",
        eligibility=Eligibility.MEMBERS,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    Registration.objects.create(
        event=event,
        user=user,
        status="confirmed",
        place=1,
        name=user.name,
        confirmed_at=starts - timedelta(days=30),
    )
    return event


def hour_reminder(event, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with (
        time_machine.travel(event.starts_at - timedelta(minutes=55), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reminders.reminders_queue() == 1
    [message] = mail.outbox
    return message


def test_a_lapsed_place_holders_reminder_says_to_renew_for_the_joining_link(
    lapsed, django_capture_on_commit_callbacks
):
    event = members_webinar_with_a_place_for(lapsed)

    message = hour_reminder(event, django_capture_on_commit_callbacks)

    assert "until you renew it: http" in message.body
    assert "/membership/" in message.body
    assert "The joining link appears" not in message.body
    html = message.alternatives[0].content
    assert "/membership/" in html and "The joining link appears" not in html


def test_a_members_reminder_says_when_the_joining_link_appears(
    provider_member, django_capture_on_commit_callbacks
):
    event = members_webinar_with_a_place_for(provider_member)

    message = hour_reminder(event, django_capture_on_commit_callbacks)

    assert "The joining link appears on the event page" in message.body
    assert "renew" not in message.body
