"""An organisation's membership has ended (cancelled, closed unpaid, or a staff grant,
such as a year paid by invoice outside Stripe, run out): each person in its seats is
told once what they lose and how to keep access.

A subscription's admins and billing address hear of it from members/billing/notices.py
(`membership_ended_notice_send`); a grant's from `grant_ended_admins_send` below, found by
the daily reminders (they had the "ending soon" email). Once the admins' email has gone,
the other seat holders are handed to members/organisations/tasks.py in chunks, so a
large organisation is never loaded whole; the daily reminders hand on again any ending
whose seat holders are not all told (the task was not queued: a worker or broker down).
Each person's email is claimed on their seat against a mark of that ending (when the
admins were told, or the grant's last day): a membership that starts again and ends
again later earns a new email, a redelivered task does not, and nor does the other
membership (a subscription and a grant) of an organisation whose access ended once.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from members import access
from members.access.subscriptions import end_of_day
from members.models import (
    ENDED_STATUSES,
    MembershipGrant,
    Organisation,
    Seat,
    Subscription,
    SubscriptionStatus,
)
from network.mail import build_email, send_once, site_url

logger = logging.getLogger(__name__)

# Seats per task: enough to keep the queue short, few enough for one task to finish
# well within a worker's time limit.
CHUNK_SIZE = 200

# A grant that ended within this many days is still told of (a worker may have been down),
# and the seat holders of an ending told within it are handed on again if not all told.
GRANT_ENDED_WITHIN_DAYS = 7
# A grant whose end has not been told yet (a grant extended and run out again is told again).
GRANT_ENDED_UNTOLD = Q(ended_notice_sent_for__isnull=True) | ~Q(ended_notice_sent_for=F("ends_on"))

# Two endings whose marks lie this close are one ending of the organisation's access: a
# subscription and a grant that ran out together. An ending is only told once nothing
# carries the seats on, so the later one's mark falls within GRANT_ENDED_WITHIN_DAYS (the
# catch-up's reach) of the earlier; a person told of either is not told of the other.
# The price: access restarted and ended again within a fortnight is not told twice.
SAME_ENDING_DAYS = 14


@dataclass(frozen=True)
class Ending:
    """An organisation's membership that has ended, and nothing carries its seats on."""

    organisation: Organisation
    mark: datetime  # stored on each seat told: each ending is told once
    ended_on: date | None
    payment_owed: bool  # closed unpaid: paying it, not renewing, opens the seats


def ending(*, subscription_id: int | None = None, grant_id: int | None = None) -> Ending | None:
    """The ending of this subscription (once its admins were told) or staff grant, while
    the organisation has no other membership; else None."""
    if grant_id is not None:
        # Its admins are told first, as a subscription's are.
        grant = (
            MembershipGrant.objects.select_related("organisation")
            .filter(
                pk=grant_id,
                organisation__isnull=False,
                ends_on__lt=timezone.localdate(),
                ended_notice_sent_for=F("ends_on"),
            )
            .first()
        )
        if grant is None:
            return None
        found = Ending(grant.organisation, end_of_day(grant.ends_on), grant.ends_on, False)
    else:
        subscription = (
            Subscription.objects.select_related("organisation")
            .filter(pk=subscription_id, organisation__isnull=False, status__in=ENDED_STATUSES)
            .exclude(ended_notice_sent_at=None)
            .first()
        )
        if subscription is None:
            return None
        found = Ending(
            subscription.organisation,
            subscription.ended_notice_sent_at,
            timezone.localdate(subscription.ended_at) if subscription.ended_at else None,
            subscription.status == SubscriptionStatus.UNPAID,
        )
    if access.organisation_membership(found.organisation) is not None:
        return None  # a grant or another subscription carries the seats on
    return found


def ended_grants_due(*, today: date | None = None) -> list[int]:
    """Organisations' staff grants that ended lately, their admins not yet told."""
    today = today or timezone.localdate()
    return list(
        MembershipGrant.objects.filter(
            organisation__isnull=False,
            ends_on__lt=today,
            ends_on__gte=today - timedelta(days=GRANT_ENDED_WITHIN_DAYS),
        )
        .exclude(ended_notice_sent_for=F("ends_on"))
        .values_list("pk", flat=True)
    )


def seat_holders_untold_due(*, today: date | None = None) -> list[tuple[int | None, int | None]]:
    """Endings told to the admins lately whose seat holders are not all told (the task
    handing them on was never queued), as (subscription_id, grant_id) for that task. A
    person left untold on purpose (a membership of their own) keeps an ending here until
    it is out of reach: handing it on again tells nobody twice."""
    today = today or timezone.localdate()
    since = end_of_day(today - timedelta(days=GRANT_ENDED_WITHIN_DAYS + 1))  # that day's start
    subscriptions = Subscription.objects.filter(
        organisation__isnull=False, status__in=ENDED_STATUSES, ended_notice_sent_at__gte=since
    ).values_list("pk", flat=True)
    grants = MembershipGrant.objects.filter(
        organisation__isnull=False,
        ends_on__lt=today,
        ends_on__gte=today - timedelta(days=GRANT_ENDED_WITHIN_DAYS),
        ended_notice_sent_for=F("ends_on"),
    ).values_list("pk", flat=True)
    due: list[tuple[int | None, int | None]] = [
        (subscription_id, None)
        for subscription_id in subscriptions
        if _seats_to_tell(ending(subscription_id=subscription_id)).exists()
    ]
    due += [
        (None, grant_id)
        for grant_id in grants
        if _seats_to_tell(ending(grant_id=grant_id)).exists()
    ]
    return due


def _untold(mark: datetime) -> Q:
    """Not told of this ending, nor of another within SAME_ENDING_DAYS of it."""
    return Q(membership_ended_emailed_for__isnull=True) | Q(
        membership_ended_emailed_for__lt=mark - timedelta(days=SAME_ENDING_DAYS)
    )


def _seats_to_tell(found: Ending | None) -> QuerySet[Seat]:
    """Seats not yet told of the ending. Admins are left out, and anyone at the billing
    address: they hear of the membership from its own emails."""
    if found is None:
        return Seat.objects.none()
    organisation = found.organisation
    seats = Seat.objects.filter(
        _untold(found.mark), organisation=organisation, is_admin=False, user__is_active=True
    )
    if organisation.billing_email:
        seats = seats.exclude(user__email__iexact=organisation.billing_email)
    return seats


def seat_holders_to_tell(found: Ending | None) -> Iterator[list[int]]:
    """The seats to tell of the ending, in chunks of ids (read with a server-side cursor
    where there is one, so a large organisation is never loaded whole)."""
    seats = _seats_to_tell(found)
    chunk: list[int] = []
    for seat_id in seats.order_by("pk").values_list("pk", flat=True).iterator(CHUNK_SIZE):
        chunk.append(seat_id)
        if len(chunk) == CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def membership_ended_seats_send(*, found: Ending | None, seat_ids: list[int]) -> int:
    """Tell these people in the seats that the organisation's membership ended, each
    once. Returns how many were sent."""
    if found is None:
        return 0
    admins = access.organisation_admins(found.organisation)
    seats = Seat.objects.filter(
        _untold(found.mark), pk__in=seat_ids, organisation=found.organisation, is_admin=False
    ).select_related("user")
    sent = 0
    for seat in seats:
        person = seat.user
        # Their own membership (or another organisation's seat) keeps everything open.
        if person.is_erased or not person.is_active or access.is_member(person):
            continue
        if _send(found=found, seat=seat, admins=admins):
            sent += 1
    logger.info("membership ended emailed organisation=%s seats=%s", found.organisation.pk, sent)
    return sent


def _send(*, found: Ending, seat: Seat, admins: list) -> bool:
    organisation = found.organisation
    person = seat.user

    def build():
        return build_email(
            template="members/organisation/emails/membership_ended",
            context={
                "organisation": organisation,
                "ended_on": found.ended_on,
                "person": person,
                "admins": admins,
                "payment_owed": found.payment_owed,
                "account_url": site_url(reverse("members:account")),
                "membership_url": site_url(reverse("membership")),
            },
            subject=(
                f"{organisation.name}'s membership is closed until it is paid"
                if found.payment_owed
                else f"{organisation.name}'s membership has ended"
            ),
            to=[person.email],
            reply_to=[admin.email for admin in admins] or None,
        )

    return send_once(
        model=Seat,
        pk=seat.pk,
        claim=_untold(found.mark),
        field="membership_ended_emailed_for",
        value=found.mark,
        build=build,
    )


def admins_told_lately(organisation: Organisation, *, mark: datetime) -> bool:
    """Were the organisation's admins told within SAME_ENDING_DAYS of this mark that its
    membership ended (its subscription's or its grant's email)? A subscription and a
    grant that ran out together are one ending: its admins have one email."""
    near = (mark - timedelta(days=SAME_ENDING_DAYS), mark + timedelta(days=SAME_ENDING_DAYS))
    return (
        Subscription.objects.filter(
            organisation=organisation, ended_notice_sent_at__range=near
        ).exists()
        or MembershipGrant.objects.filter(
            organisation=organisation,
            ended_notice_sent_for=F("ends_on"),
            ends_on__range=(near[0].date(), near[1].date()),
        ).exists()
    )


def grant_ended_admins_send(*, grant_id: int) -> bool:
    """Tell an organisation's admins and its billing address, once per end date, that its
    staff grant has run out: what closes, and how to renew. Returns whether the seat
    holders are to be handed on (told now, or just before of the same ending)."""
    found = (
        MembershipGrant.objects.select_related("organisation")
        .filter(pk=grant_id, organisation__isnull=False, ends_on__lt=timezone.localdate())
        .first()
    )
    if found is None:
        return False
    organisation = found.organisation
    if access.organisation_membership(organisation) is not None:
        return False  # renewed, or a subscription carries the seats on
    claim = GRANT_ENDED_UNTOLD
    if admins_told_lately(organisation, mark=end_of_day(found.ends_on)):
        return bool(
            MembershipGrant.objects.filter(claim, pk=found.pk).update(
                ended_notice_sent_for=found.ends_on
            )
        )
    recipients = [admin.email for admin in access.organisation_admins(organisation)]
    # The billing address is often an admin's own, typed with other capitals.
    if organisation.billing_email and organisation.billing_email.lower() not in {
        address.lower() for address in recipients
    }:
        recipients.append(organisation.billing_email)

    def build():
        return build_email(
            template="members/billing/emails/grant_ended",
            context={
                "grant": found,
                "organisation": organisation,
                "paid_by_invoice": found.reason == MembershipGrant.Reason.INVOICE_PAID_OFFLINE,
                "contact_url": site_url(reverse("contact")),
                "account_url": site_url(reverse("members:account")),
            },
            subject="Your membership has ended",
            to=recipients,
        )

    return send_once(
        model=MembershipGrant,
        pk=found.pk,
        claim=claim,
        field="ended_notice_sent_for",
        value=found.ends_on,
        build=build,
    )
