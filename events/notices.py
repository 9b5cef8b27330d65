"""The emails to registrants as Notice rows: recorded by the services with each change
they make (notice_record, notices_record), and sent each at most once in the normal course.

A notice is claimed by one worker at a time (a conditional UPDATE from pending, or from
sending once its lease ran out because a worker died), sent through Django's email
framework (network/mail.py builds it), and marked sent in its own commit right after the
mail server accepted it; after a crash at most the one message in flight goes twice.
Failures are retried by the beat task up to EVENTS_NOTICE_MAX_ATTEMPTS.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from events import access, ics, tokens
from events.models import EventStatus, Notice, Registration, RegistrationStatus
from events.templatetags.events import uk_datetime, uk_when
from members import email_pause
from network.mail import build_email, site_url

logger = logging.getLogger(__name__)

Kind = Notice.Kind
State = Notice.State
LEASE = timedelta(minutes=5)

SUBJECTS = {
    Kind.CONFIRMED: "Your place is booked: {title}",
    Kind.WAITING: "You are on the waiting list: {title}",
    Kind.OFFER: "A place is free for you: {title}",
    Kind.OFFER_EXPIRED: "The place we offered has passed on: {title}",
    Kind.CANCELLED: "Registration cancelled: {title}",
    Kind.UPDATED: "Changed: {title}",
    Kind.EVENT_CANCELLED: "Cancelled: {title}",
    Kind.REMINDER_WEEK: "Next week: {title}",
    Kind.REMINDER_HOUR: "Starting in an hour: {title}",
}
# Which calendar file each email carries: an invitation (or its update), a cancellation.
CALENDAR_METHOD = {
    Kind.CONFIRMED: ics.REQUEST,
    Kind.UPDATED: ics.REQUEST,
    Kind.REMINDER_WEEK: ics.REQUEST,
    Kind.REMINDER_HOUR: ics.REQUEST,
    Kind.EVENT_CANCELLED: ics.CANCEL,
}


def _calendar_method(notice: Notice) -> str | None:
    if notice.kind == Kind.CANCELLED:
        # Only a place that was confirmed is in their calendar to be removed.
        return ics.CANCEL if notice.registration.confirmed_at else None
    if notice.kind in (Kind.EVENT_CANCELLED, Kind.UPDATED) and not notice.registration.holds_place:
        return None  # someone waiting has no entry in their calendar
    return CALENDAR_METHOD.get(notice.kind)


def _subject(notice: Notice) -> str:
    if notice.kind == Kind.MESSAGE and notice.message is not None:
        return notice.message.subject
    return SUBJECTS[notice.kind].format(title=notice.registration.event.title)


def notice_message(notice: Notice) -> EmailMultiAlternatives:
    registration = notice.registration
    event = registration.event
    method = _calendar_method(notice)
    context = {
        "notice": notice,
        # Someone waiting has no entry in their calendar: their email says so, not that
        # a calendar file comes with it.
        "calendar_attached": method is not None,
        "kind": notice.kind,
        "registration": registration,
        "event": event,
        "when": uk_when(event),
        "event_url": site_url(event.get_absolute_url()),
        "account_url": site_url("/account/"),
        "cancel_url": tokens.cancel_url(registration),
        "confirm_url": tokens.confirm_offer_url(registration),
        "offer_expires": uk_datetime(registration.offer_expires_at)
        if registration.offer_expires_at
        else "",
        "link_opens": uk_datetime(access.joining_link_opens_at(event)),
        # A place booked as a member, whose membership has ended since: the page will not
        # give them the link (or the freed place), so the email must not promise it.
        "needs_renewal": access.place_needs_renewal(registration.user, event, registration),
        "renew_url": site_url(reverse("membership")),
        "message": notice.message,
        "show_cancel": registration.status in ("confirmed", "offered", "waiting")
        and event.status == EventStatus.PUBLISHED,
    }
    email = build_email(
        template="events/emails/notice",
        context=context,
        subject=_subject(notice),
        to=[registration.user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    if method:
        body = ics.event_ics(event, method=method, registration=registration)
        # Django adds the charset itself: naming it here too wrote it twice in the header.
        email.attach(f"{event.slug}.ics", body, f"text/calendar; method={method}")
    return email


def _claim(notice_id: int, now: datetime) -> bool:
    claimable = Q(state=State.PENDING) | Q(state=State.SENDING, leased_until__lt=now)
    return bool(
        Notice.objects.filter(claimable, pk=notice_id).update(
            state=State.SENDING, leased_until=now + LEASE, attempts=F("attempts") + 1
        )
    )


def notice_send(*, notice_id: int, now: datetime | None = None) -> bool:
    """Send one notice if nobody else is sending it; True if it went."""
    now = now or timezone.now()
    if not _claim(notice_id, now):
        return False
    notice = Notice.objects.select_related(
        "registration__event", "registration__user", "message"
    ).get(pk=notice_id)
    if _stale(notice):
        Notice.objects.filter(pk=notice.pk).update(
            state=State.FAILED, error="No longer true when its turn came.", leased_until=None
        )
        return False
    if notice.kind in OPTIONAL_KINDS and email_pause.optional_email_paused(
        notice.registration.user
    ):
        Notice.objects.filter(pk=notice.pk).update(
            state=State.FAILED,
            error="Not sent: the person asked for their account to be deleted.",
            leased_until=None,
        )
        return False
    try:
        notice_message(notice).send()
    except Exception as error:  # noqa: BLE001 - any failure of the mail path is retried
        final = notice.attempts >= settings.EVENTS_NOTICE_MAX_ATTEMPTS
        Notice.objects.filter(pk=notice.pk).update(
            state=State.FAILED if final else State.PENDING,
            error=str(error)[:500],
            leased_until=None,
        )
        logger.warning("event notice %s not sent: %s", notice.pk, error)
        return False
    Notice.objects.filter(pk=notice.pk).update(
        state=State.SENT, sent_at=timezone.now(), leased_until=None, error=""
    )
    return True


# What a person waiting for their account to be deleted is not sent (members.email_pause
# says why); changes to a place they still hold, and staff's messages about it, are.
OPTIONAL_KINDS = frozenset({Kind.REMINDER_WEEK, Kind.REMINDER_HOUR})


def _stale(notice: Notice) -> bool:
    """A reminder or offer whose moment passed while it waited is not sent."""
    registration: Registration = notice.registration
    if notice.kind in (Kind.REMINDER_WEEK, Kind.REMINDER_HOUR):
        return (
            registration.status != RegistrationStatus.CONFIRMED
            or registration.event.status != EventStatus.PUBLISHED
            or registration.event.starts_at <= timezone.now()
        )
    if notice.kind == Kind.OFFER:
        return registration.status != RegistrationStatus.OFFERED
    return False


def notices_retry(*, now: datetime | None = None) -> list[int]:
    """Notices a dead worker or a failed send left behind (older than a minute)."""
    now = now or timezone.now()
    return list(
        Notice.objects.filter(
            Q(state=State.PENDING, created_at__lt=now - timedelta(minutes=1))
            | Q(state=State.SENDING, leased_until__lt=now)
        ).values_list("pk", flat=True)[:500]
    )


# --- Recording: the services write a notice with each change they make -------------------


def notice_stamp(now: datetime) -> str:
    """A ref telling apart the notices of one kind that a registration may get more than
    once (cancel, register again, cancel again)."""
    return now.strftime("%Y%m%dT%H%M%S.%f")


def notice_record(registration: Registration, kind: str, *, ref: str = "", message=None) -> None:
    """Record one email to send once this transaction commits (once per kind and ref)."""
    from events.tasks import notice_send

    notice, created = Notice.objects.get_or_create(
        registration=registration, kind=kind, ref=ref, defaults={"message": message}
    )
    if created:
        notice_send.delay_on_commit(notice.pk)


def notices_record(registrations, kind: str, *, ref: str = "", message=None) -> int:
    """The same for many registrations at once; the number of notices to send."""
    from events.tasks import notices_send

    rows = [Notice(registration=r, kind=kind, ref=ref, message=message) for r in registrations]
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Notice.objects.filter(
            registration__in=[r.pk for r in registrations],
            kind=kind,
            ref=ref,
            state=Notice.State.PENDING,
        ).values_list("pk", flat=True)
    )
    if ids:
        notices_send.delay_on_commit(ids)
    return len(ids)
