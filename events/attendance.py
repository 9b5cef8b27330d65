"""Attendance: staff mark who came, from the register or in bulk. Only a confirmed place
can have attended. Everything attendance gives follows the tick both ways:

- the certificate of attendance, and the "attended" line on the person's events, are
  read from `attended` each time (events/access.py), so unticking withdraws them;
- the insight reports count an attendance while it stands: counted once when ticked
  (`attendance_counted_at`), taken back when unticked (network/activity.py's
  activity_withdraw), counted again if ticked again. A slip on the register put right
  leaves one attendance, never two and never a ghost.

Nothing else is derived from it: no email is sent and CPD hours are printed only on the
certificate.
"""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from events.models import Event, Registration, RegistrationStatus
from network.activity import EVENT_ATTENDANCE, activity_record, activity_withdraw

Status = RegistrationStatus


def attendance_mark(
    *, registration_ids: list[int], attended: bool, now: datetime | None = None
) -> int:
    """Mark people as attended (or not); returns how many are now marked so. Only
    confirmed places can be marked attended; any can be unmarked, so a place cancelled
    after it was ticked still loses its certificate."""
    now = now or timezone.now()
    chosen = Registration.objects.filter(pk__in=registration_ids)
    if attended:
        confirmed = chosen.filter(status=Status.CONFIRMED)
        attendance_tick(confirmed, now=now)
        return confirmed.count()
    attendance_untick(chosen, now=now)
    return chosen.count()


def attendance_set(*, event: Event, attended_ids: set[int], now: datetime | None = None) -> int:
    """The register: exactly the ticked confirmed registrations of `event` attended."""
    now = now or timezone.now()
    confirmed = Registration.objects.filter(event=event, status=Status.CONFIRMED)
    attendance_tick(confirmed.filter(pk__in=attended_ids), now=now)
    attendance_untick(confirmed.exclude(pk__in=attended_ids), now=now)
    return confirmed.filter(attended=True).count()


def attendance_tick(registrations: QuerySet[Registration], *, now: datetime) -> None:
    """Those not yet marked attended become so, and are counted if not counted already."""
    newly = registrations.filter(attended=False)
    uncounted = registrations.filter(attendance_counted_at__isnull=True)
    for user_id, event_id in uncounted.values_list("user_id", "event_id"):
        activity_record(EVENT_ATTENDANCE, user_id=user_id, subject_id=event_id)
    uncounted.update(attendance_counted_at=now)
    newly.update(attended=True, attendance_marked_at=now)


def attendance_untick(registrations: QuerySet[Registration], *, now: datetime) -> None:
    """Those marked attended are marked not, and their counted attendance taken back."""
    counted = registrations.filter(attendance_counted_at__isnull=False)
    for user_id, event_id in counted.values_list("user_id", "event_id"):
        activity_withdraw(EVENT_ATTENDANCE, user_id=user_id, subject_id=event_id)
    counted.update(attendance_counted_at=None)
    registrations.filter(attended=True).update(attended=False, attendance_marked_at=now)
