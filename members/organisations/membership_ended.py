"""An organisation's membership has ended (cancelled, or closed unpaid): each person
in its seats is told once what they lose and how to keep access.

The admins and the billing address hear of it from members/billing/notices.py
(`membership_ended_notice_send`); once that email has gone, the other seat holders are
handed to members/organisations/tasks.py in chunks, so a large organisation is never
loaded whole. Each person's email is claimed on their seat, against the moment the
admins were told (`Subscription.ended_notice_sent_at`): a membership that starts again
and ends again later earns a new email, a redelivered task does not.
"""

import logging
from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse

from members import access
from members.models import ENDED_STATUSES, Seat, Subscription, SubscriptionStatus
from network.mail import build_email, send_once, site_url

logger = logging.getLogger(__name__)

# Seats per task: enough to keep the queue short, few enough for one task to finish
# well within a worker's time limit.
CHUNK_SIZE = 200


def _ended(subscription_id: int) -> Subscription | None:
    """The organisation's subscription, while it is still ended and its admins told."""
    subscription = (
        Subscription.objects.select_related("organisation", "plan")
        .filter(pk=subscription_id, organisation__isnull=False, status__in=ENDED_STATUSES)
        .exclude(ended_notice_sent_at=None)
        .first()
    )
    if subscription is None:
        return None
    if access.organisation_membership(subscription.organisation) is not None:
        return None  # a grant or a new subscription carries the seats on
    return subscription


def _untold(mark) -> Q:
    return Q(membership_ended_emailed_for__isnull=True) | ~Q(membership_ended_emailed_for=mark)


def seat_holders_to_tell(*, subscription_id: int) -> Iterator[list[int]]:
    """The seats to tell that the organisation's membership ended, in chunks of ids.
    Admins are left out, and anyone at the billing address: they had the admins' email."""
    subscription = _ended(subscription_id)
    if subscription is None:
        return
    organisation = subscription.organisation
    seats = Seat.objects.filter(
        _untold(subscription.ended_notice_sent_at),
        organisation=organisation,
        is_admin=False,
        user__is_active=True,
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


def membership_ended_seats_send(*, subscription_id: int, seat_ids: list[int]) -> int:
    """Tell these people in the seats that the organisation's membership ended, each
    once. Returns how many were sent."""
    subscription = _ended(subscription_id)
    if subscription is None:
        return 0
    organisation = subscription.organisation
    mark = subscription.ended_notice_sent_at
    admins = access.organisation_admins(organisation)
    seats = Seat.objects.filter(
        _untold(mark), pk__in=seat_ids, organisation=organisation, is_admin=False
    ).select_related("user")
    sent = 0
    for seat in seats:
        person = seat.user
        # Their own membership (or another organisation's seat) keeps everything open.
        if person.is_erased or not person.is_active or access.is_member(person):
            continue
        if _send(subscription=subscription, seat=seat, admins=admins, mark=mark):
            sent += 1
    logger.info("membership ended emailed subscription=%s seats=%s", subscription.pk, sent)
    return sent


def _send(*, subscription: Subscription, seat: Seat, admins: list, mark) -> bool:
    organisation = subscription.organisation
    person = seat.user
    # Unpaid, Stripe keeps the subscription for its payment: paying it opens the seats.
    payment_owed = subscription.status == SubscriptionStatus.UNPAID

    def build():
        return build_email(
            template="members/organisation/emails/membership_ended",
            context={
                "organisation": organisation,
                "subscription": subscription,
                "person": person,
                "admins": admins,
                "payment_owed": payment_owed,
                "account_url": site_url(reverse("members:account")),
                "membership_url": site_url(reverse("membership")),
            },
            subject=(
                f"{organisation.name}'s membership is closed until it is paid"
                if payment_owed
                else f"{organisation.name}'s membership has ended"
            ),
            to=[person.email],
            reply_to=[admin.email for admin in admins] or None,
        )

    return send_once(
        model=Seat,
        pk=seat.pk,
        claim=_untold(mark),
        field="membership_ended_emailed_for",
        value=mark,
        build=build,
    )
