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
        _attendance_announce(confirmed.filter(attended=False))
    return confirmed.update(attended=attended, attendance_marked_at=now)


def _attendance_announce(newly_attended) -> None:
    """Count each person's attendance once, when it is first marked."""
    for user_id, event_id in newly_attended.values_list("user_id", "event_id"):
        activity_record(EVENT_ATTENDANCE, user_id=user_id, subject_id=event_id)


def attendance_set(*, event: Event, attended_ids: set[int], now: datetime | None = None) -> int:
    """The register: exactly the ticked confirmed registrations of `event` attended."""
    now = now or timezone.now()
    confirmed = Registration.objects.filter(event=event, status=Status.CONFIRMED)
    _attendance_announce(confirmed.filter(pk__in=attended_ids, attended=False))
    confirmed.filter(pk__in=attended_ids).update(attended=True, attendance_marked_at=now)
    confirmed.exclude(pk__in=attended_ids).update(attended=False, attendance_marked_at=now)
    return confirmed.filter(attended=True).count()
