"""Reminders a week and an hour before each event, queued by beat (events.tasks) as
Notice rows and sent as every notice is (events/notices.py)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from events.models import EventStatus, Notice, Registration, RegistrationStatus
from events.notices import notices_record
from members import email_pause

Kind = Notice.Kind
Status = RegistrationStatus

WEEK = timedelta(days=7)
HOUR = timedelta(hours=1)


def reminders_queue(*, now: datetime | None = None) -> int:
    """Reminders a week and an hour before each event, to confirmed places; each is one
    Notice per registration and kind (unique), so beat may run as often as it likes.

    The week reminder goes to people who booked more than a week ahead (the others had
    their confirmation in that week) until a day before; the hour one in the last hour,
    to people who booked before it (the others were just sent their confirmation, and
    would read "starts in about an hour" of an event starting in minutes).
    """
    now = now or timezone.now()
    queued = 0
    week = Registration.objects.filter(
        status=Status.CONFIRMED,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__lte=now + WEEK,
        event__starts_at__gt=now + timedelta(days=1),
    ).filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=_week_before_start()))
    hour = Registration.objects.filter(
        status=Status.CONFIRMED,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__lte=now + HOUR,
        event__starts_at__gt=now,
    ).filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=F("event__starts_at") - HOUR))
    # Nobody waiting for their account to be deleted is reminded; one who stops the
    # deletion in time is reminded on beat's next run.
    paused = email_pause.optional_email_paused_users()
    for kind, registrations in ((Kind.REMINDER_WEEK, week), (Kind.REMINDER_HOUR, hour)):
        waiting = list(registrations.exclude(notices__kind=kind).exclude(user__in=paused))
        if waiting:
            with transaction.atomic(durable=True):
                queued += notices_record(waiting, kind)
    return queued


def _week_before_start():
    return F("event__starts_at") - WEEK
