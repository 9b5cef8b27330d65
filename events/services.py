"""Every write events make: registering, cancelling, the waiting list, changes and
cancellation of events, messages to registrants (reminders are queued by
events/reminders.py, attendance is marked in events/attendance.py, the recording as a
library resource is in events/recordings.py).

Entry points called from views and tasks run in `transaction.atomic(durable=True)`;
the helpers the admin calls (it wraps each save in its own transaction) are plain
functions. Emails are Notice rows written in the same transaction and sent on commit
(events/notices.py), so a rolled-back registration sends nothing and a retry sends
nothing twice.

Places: counting and giving places for one event happen one at a time (the event's row
is locked), and each place is a number unique per event in the database, so even where
the lock is not enforced (SQLite) the last place goes to one person.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from events import access
from events.attendance import attendance_untick
from events.models import (
    ACTIVE,
    HOLDING_PLACE,
    Event,
    EventMessage,
    EventStatus,
    Notice,
    Registration,
    RegistrationStatus,
)
from events.notices import notice_record, notice_stamp, notices_record
from network.activity import EVENT_REGISTRATION, activity_record
from network.markup import MARKUP_RENDERER_VERSION, render_markdown

logger = logging.getLogger(__name__)

Kind = Notice.Kind
Status = RegistrationStatus

# Changing one of these on a published event changes the calendar entry: registrants
# get an update with a higher SEQUENCE.
CALENDAR_FIELDS = ("starts_at", "ends_at", "format", "region", "venue", "address", "title")


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    changed: bool  # False: they were already registered (or waiting), nothing was done


# --- Places ----------------------------------------------------------------------------


def _lock(event: Event) -> Event:
    """Lock the event's row until the transaction ends (places are given one at a time)."""
    return Event.objects.select_for_update().get(pk=event.pk)


def _free_place(event: Event) -> int | None:
    taken = set(
        Registration.objects.filter(event=event, place__isnull=False).values_list(
            "place", flat=True
        )
    )
    # After staff lower the capacity, more people may hold places than it allows (they
    # keep them); a place given up then brings the event back towards it, not a newcomer.
    if len(taken) >= event.capacity:
        return None
    return next((n for n in range(1, event.capacity + 1) if n not in taken), None)


def _take_place(registration: Registration, *, status: str, place: int, now: datetime) -> bool:
    """Give `place` to `registration`; False when the database says it is taken."""
    registration.status = status
    registration.place = place
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Someone took the same numbered place a moment ago (only possible where the row
        # lock is not enforced): the database refused the second one.
        registration.place = None
        return False
    return True


def _join_waiting_list(registration: Registration, now: datetime) -> None:
    registration.status = Status.WAITING
    registration.place = None
    # confirmed_at is the confirmation of the current round: nothing of this round is in
    # their calendar (so cancelling sends no cancelling .ics).
    registration.confirmed_at = None
    registration.waiting_since = now
    registration.offer_expires_at = None
    registration.save()
    notice_record(registration, Kind.WAITING, ref=notice_stamp(now))


def registration_create(
    *, event: Event, user, needs: str = "", now: datetime | None = None
) -> RegistrationResult:
    """Register `user`: a place if one is free, else the waiting list.

    Registering twice is harmless (the same registration comes back, unchanged); someone
    holding an offer who registers confirms it. A closed window, a cancelled event or a
    person the event is not for: ValidationError, and nothing is recorded.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        event = _lock(event)
        problem = access.registration_problem(user, event, now=now)
        if problem:
            raise ValidationError(problem, code="cannot_register")
        registration = Registration.objects.filter(event=event, user=user).first()
        if registration is not None and registration.status == Status.OFFERED:
            return _offer_accept(registration, now=now)
        if registration is not None and registration.status in ACTIVE:
            return RegistrationResult(registration, changed=False)
        if registration is None:
            registration = Registration(event=event, user=user)
        activity_record(EVENT_REGISTRATION, user=user, subject_id=event.pk)
        registration.name = user.name or user.email
        registration.organisation_name = user.organisation_name
        registration.needs = needs.strip()
        registration.cancelled_at = None
        registration.offer_expires_at = None
        someone_waiting = Registration.objects.filter(event=event, status=Status.WAITING).exists()
        place = None if someone_waiting else _free_place(event)
        if place is not None:
            registration.confirmed_at = now
            if _take_place(registration, status=Status.CONFIRMED, place=place, now=now):
                notice_record(registration, Kind.CONFIRMED, ref=notice_stamp(now))
                return RegistrationResult(registration, changed=True)
        _join_waiting_list(registration, now)
        return RegistrationResult(registration, changed=True)


def registration_needs_update(
    *, registration: Registration, needs: str, now: datetime | None = None
) -> bool:
    """Change the accessibility or dietary note of a place held or awaited, until the
    event is over (the team reads it to prepare). False when it says the same already."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        )
        event = registration.event
        if registration.status not in ACTIVE or event.status == EventStatus.CANCELLED:
            raise ValidationError("You have no place or waiting-list entry to add a note to.")
        if event.ends_at <= now:
            raise ValidationError("The event is over, so the note can no longer change.")
        needs = needs.strip()
        if registration.needs == needs:
            return False
        registration.needs = needs
        registration.save(update_fields=["needs"])
    return True


def _offer_next(event: Event, *, now: datetime) -> Registration | None:
    """Offer a free place to the first on the waiting list, with a deadline. Call inside a
    transaction holding _lock(event)."""
    if event.status != EventStatus.PUBLISHED or now >= event.closes_at:
        return None
    place = _free_place(event)
    if place is None:
        return None
    first = Registration.objects.filter(event=event).waiting().first()
    if first is None:
        return None
    deadline = now + timedelta(hours=settings.EVENTS_OFFER_HOURS)
    first.offer_expires_at = min(deadline, event.closes_at)
    if not _take_place(first, status=Status.OFFERED, place=place, now=now):
        return None
    notice_record(first, Kind.OFFER, ref=notice_stamp(now))
    return first


def registration_cancel(*, registration: Registration, now: datetime | None = None) -> bool:
    """The person gives up their place (or leaves the waiting list, or declines an offer).
    A freed place is offered to the first on the waiting list. False if nothing to do."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        event = _lock(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status not in ACTIVE:
            return False
        if event.status == EventStatus.CANCELLED:
            # Their place went with the event, and they were told so once already.
            went = (
                "your place went with it"
                if registration.status in HOLDING_PLACE
                else "your place on the waiting list ended with it"
            )
            raise ValidationError(
                f"This event has been cancelled, so {went}.", code="event_cancelled"
            )
        if event.ends_at <= now:
            raise ValidationError("This event has finished.", code="finished")
        held_place = registration.status in HOLDING_PLACE
        registration.status = Status.CANCELLED
        registration.place = None
        registration.offer_expires_at = None
        registration.cancelled_at = now
        registration.save()
        if registration.attended:
            # Ticked at the start of the day and gone before its end: no place, no
            # certificate, and the attendance counted is taken back.
            attendance_untick(Registration.objects.filter(pk=registration.pk), now=now)
        notice_record(registration, Kind.CANCELLED, ref=notice_stamp(now))
        if held_place:
            _offer_next(event, now=now)
        return True


def _offer_accept(registration: Registration, *, now: datetime) -> RegistrationResult:
    if registration.offer_expires_at is None or registration.offer_expires_at <= now:
        raise ValidationError(
            "The time to confirm this place has passed, so it goes to the next person "
            "on the waiting list.",
            code="offer_expired",
        )
    registration.status = Status.CONFIRMED
    registration.offer_expires_at = None
    registration.confirmed_at = now
    registration.save()
    notice_record(registration, Kind.CONFIRMED, ref=notice_stamp(now))
    return RegistrationResult(registration, changed=True)


def offer_confirm(*, registration: Registration, now: datetime | None = None) -> RegistrationResult:
    """The first on the waiting list takes the place they were offered, in time."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        event = _lock(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Status.CONFIRMED:
            return RegistrationResult(registration, changed=False)
        if registration.status != Status.OFFERED:
            raise ValidationError("There is no place waiting for you to confirm.", code="no_offer")
        if event.status != EventStatus.PUBLISHED:
            raise ValidationError("This event is no longer taking places.", code="closed")
        if not access.is_eligible(registration.user, event):
            raise ValidationError(
                f"{access.eligibility_text(event, refused=True)} Renew your membership to "
                "take the place before the time to confirm it runs out.",
                code="cannot_register",
            )
        return _offer_accept(registration, now=now)


def offers_expire(*, now: datetime | None = None) -> int:
    """Offers past their deadline lapse; each freed place goes to the next person."""
    now = now or timezone.now()
    expired = 0
    due = Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
    for event_id in sorted(set(due.values_list("event_id", flat=True))):
        with transaction.atomic(durable=True):
            event = Event.objects.select_for_update().get(pk=event_id)
            for registration in due.filter(event=event).select_for_update():
                registration.status = Status.OFFER_EXPIRED
                registration.place = None
                registration.offer_expires_at = None
                registration.save()
                notice_record(registration, Kind.OFFER_EXPIRED, ref=notice_stamp(now))
                expired += 1
            while _offer_next(event, now=now) is not None:
                pass
    return expired


# --- Staff: events ---------------------------------------------------------------------


def event_prepare(*, event: Event, now: datetime | None = None) -> Event:
    """Before saving an edited event: render its description and check its fields."""
    now = now or timezone.now()
    event.description_html = render_markdown(event.description, user_content=False)
    event.description_renderer_version = MARKUP_RENDERER_VERSION
    if event.status == EventStatus.PUBLISHED and event.published_at is None:
        event.published_at = now
    if not event.slug:
        event.slug = slugify(event.title)[:120]
    return event


def event_changed(*, event: Event, before: dict, now: datetime | None = None) -> int:
    """After staff saved an event: when its time or place changed while published, raise
    the calendar SEQUENCE and email every registrant (an updated .ics to those with a
    place). Returns how many are emailed."""
    changed = [name for name in CALENDAR_FIELDS if before.get(name) != getattr(event, name)]
    if not changed or event.status != EventStatus.PUBLISHED or not before:
        return 0
    event.sequence += 1
    event.save(update_fields=["sequence", "updated_at"])
    # Everyone with a place (an updated .ics) or waiting for one (the news). Places beyond
    # a reduced capacity stay with their holders: staff decide who to move.
    everyone = list(event.registrations.filter(status__in=ACTIVE))
    return notices_record(everyone, Kind.UPDATED, ref=str(event.sequence))


def event_update_after_capacity_change(*, event: Event, now: datetime | None = None) -> None:
    """A larger capacity: offer the new places to the waiting list."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(event)
        while _offer_next(event, now=now) is not None:
            pass


def registrations_withdraw_for_erasure(*, user, now: datetime | None = None) -> int:
    """A person's account is being erased (inside that transaction): their places at
    events still to come are given up and offered on, without emailing them; every
    registration keeps its row for the event's counts but loses the name, organisation
    and needs they gave."""
    now = now or timezone.now()
    withdrawn = 0
    upcoming = Registration.objects.filter(
        user=user, status__in=ACTIVE, event__ends_at__gt=now
    ).values_list("pk", "event_id")
    for pk, event_id in list(upcoming):
        event = _lock(Event.objects.get(pk=event_id))
        registration = Registration.objects.select_for_update().get(pk=pk)
        held_place = registration.status in HOLDING_PLACE
        registration.status = Status.CANCELLED
        registration.place = None
        registration.offer_expires_at = None
        registration.cancelled_at = now
        registration.save()
        if held_place:
            _offer_next(event, now=now)
        withdrawn += 1
    Registration.objects.filter(user=user).update(name="", organisation_name="", needs="")
    Notice.objects.filter(registration__user=user).update(error="")
    return withdrawn


def registrations_follow_profile(*, user, now: datetime | None = None) -> int:
    """A person renamed themselves (or their organisation): the places they hold or await
    at events not yet over carry the new words, as the list of who is coming, the
    reminders and the certificate of attendance read them. Past events keep the name
    they were attended under. Returns the number of registrations changed."""
    now = now or timezone.now()
    return Registration.objects.filter(user=user, event__ends_at__gt=now).update(
        name=user.name or user.email, organisation_name=user.organisation_name
    )


def event_cancel(*, event: Event, now: datetime | None = None) -> int:
    """Cancel an event: everyone holding or waiting for a place is emailed (those with a
    place get a cancelling .ics). Returns the number emailed."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(event)
        if event.status == EventStatus.CANCELLED:
            return 0
        if event.status == EventStatus.FINISHED or event.ends_at <= now:
            # Cancelling would email its attendees that it was called off, and take away
            # the recording and slides they had.
            raise ValidationError(
                f"“{event.title}” has already taken place, so it cannot be cancelled.",
                code="taken_place",
            )
        event.status = EventStatus.CANCELLED
        event.cancelled_at = now
        event.sequence += 1
        event.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        # Called off once under way, after the register was ticked: nobody attended it.
        attendance_untick(event.registrations.all(), now=now)
        everyone = list(event.registrations.filter(status__in=ACTIVE))
        return notices_record(everyone, Kind.EVENT_CANCELLED)


def message_send(
    *, event: Event, subject: str, body: str, sent_by, include_waiting: bool = False
) -> EventMessage:
    """Email everyone registered (and, if chosen, waiting): one Notice per person.
    ValidationError when that is nobody: a message to no one is not kept as sent."""
    message = EventMessage(
        event=event, subject=subject, body=body, include_waiting=include_waiting, sent_by=sent_by
    )
    message.full_clean()
    with transaction.atomic():
        # The event's row is the lock: the form sent twice (a double click, the back
        # button, a second tab) finds the first message already there.
        _lock(event)
        _check_not_just_sent(message)
        statuses = ACTIVE if include_waiting else HOLDING_PLACE
        recipients = list(event.registrations.filter(status__in=statuses))
        if not recipients:
            raise ValidationError(
                "Nobody would receive this message: "
                + (
                    "no one is registered or waiting."
                    if include_waiting
                    else "no one holds a place (tick “Also email the waiting list” to reach "
                    "people waiting)."
                ),
                code="nobody",
            )
        message.save()
        notices_record(recipients, Kind.MESSAGE, ref=str(message.pk), message=message)
    return message


# The same words to the same event within this time are the form sent twice, not news.
MESSAGE_REPEAT_WINDOW = timedelta(minutes=10)


def _check_not_just_sent(message: EventMessage) -> None:
    earlier = (
        EventMessage.objects.filter(
            event=message.event,
            subject=message.subject,
            body=message.body,
            created_at__gte=timezone.now() - MESSAGE_REPEAT_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )
    if earlier is not None:
        sent_at = date_format(timezone.localtime(earlier.created_at), "H:i")
        raise ValidationError(
            f"This message was sent at {sent_at}, so it is not sent again. To send the same "
            "words once more, wait ten minutes.",
            code="already_sent",
        )


def events_finish(*, now: datetime | None = None) -> int:
    """Published events that have ended become finished."""
    now = now or timezone.now()
    return Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__lt=now).update(
        status=EventStatus.FINISHED, updated_at=now
    )
