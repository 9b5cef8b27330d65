"""An organisation's membership has ended (cancelled, closed unpaid, or a staff grant,
such as a year paid by invoice outside Stripe, run out): each person in its seats is
told once what they lose and how to keep access.

A subscription's admins and billing address hear of it from members/billing/notices.py
(`membership_ended_notice_send`); once that email has gone, the other seat holders are
handed to members/organisations/tasks.py in chunks, so a large organisation is never
loaded whole. A grant's ending is found by the daily reminders (its admins had the
"ending soon" email). Each person's email is claimed on their seat against a mark of
that ending (when the admins were told, or the grant's last day): a membership that
starts again and ends again later earns a new email, a redelivered task does not.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
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

# A grant that ended within this many days is still told of (a worker may have been down).
GRANT_ENDED_WITHIN_DAYS = 7


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
        grant = (
            MembershipGrant.objects.select_related("organisation")
            .filter(pk=grant_id, organisation__isnull=False, ends_on__lt=timezone.localdate())
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
    """Organisations' staff grants that ended lately (their seat holders not all told)."""
    today = today or timezone.localdate()
    return list(
        MembershipGrant.objects.filter(
            organisation__isnull=False,
            ends_on__lt=today,
            ends_on__gte=today - timedelta(days=GRANT_ENDED_WITHIN_DAYS),
        ).values_list("pk", flat=True)
    )


def _untold(mark) -> Q:
    return Q(membership_ended_emailed_for__isnull=True) | ~Q(membership_ended_emailed_for=mark)


def seat_holders_to_tell(found: Ending | None) -> Iterator[list[int]]:
    """The seats to tell of the ending, in chunks of ids. Admins are left out, and anyone
    at the billing address: they hear of the membership from its own emails."""
    if found is None:
        return
    organisation = found.organisation
    seats = Seat.objects.filter(
        _untold(found.mark), organisation=organisation, is_admin=False, user__is_active=True
    )
    if organisation.billing_email:
        seats = seats.exclude(user__email__iexact=organisation.billing_email)
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
