"""Attendance: staff mark who came, from the register or in bulk. Only a confirmed place
can have attended; attendance opens the person's certificate (events/access.py) and is
counted once for the insight reports (network/activity.py)."""

from datetime import datetime

from django.utils import timezone

from events.models import Event, Registration, RegistrationStatus
from network.activity import EVENT_ATTENDANCE, activity_record

Status = RegistrationStatus


def attendance_mark(
    *, registration_ids: list[int], attended: bool, now: datetime | None = None
) -> int:
    """Mark people as attended (or not). Only confirmed places can have attended."""
    now = now or timezone.now()
    confirmed = Registration.objects.filter(pk__in=registration_ids, status=Status.CONFIRMED)
    if attended:
        _attendance_announce(confirmed, now=now)
    return confirmed.update(attended=attended, attendance_marked_at=now)


def _attendance_announce(attending, *, now: datetime) -> None:
    """Count each registration's attendance once, the first time it is marked: ticked,
    unticked and ticked again (a slip on the register), it is still one attendance in
    the insight reports. Unticking takes nothing back: the counts only add up."""
    uncounted = attending.filter(attendance_counted_at__isnull=True)
    for user_id, event_id in uncounted.values_list("user_id", "event_id"):
        activity_record(EVENT_ATTENDANCE, user_id=user_id, subject_id=event_id)
    uncounted.update(attendance_counted_at=now)


def attendance_set(*, event: Event, attended_ids: set[int], now: datetime | None = None) -> int:
    """The register: exactly the ticked confirmed registrations of `event` attended."""
    now = now or timezone.now()
    confirmed = Registration.objects.filter(event=event, status=Status.CONFIRMED)
    _attendance_announce(confirmed.filter(pk__in=attended_ids), now=now)
    confirmed.filter(pk__in=attended_ids).update(attended=True, attendance_marked_at=now)
    confirmed.exclude(pk__in=attended_ids).update(attended=False, attendance_marked_at=now)
    return confirmed.filter(attended=True).count()
