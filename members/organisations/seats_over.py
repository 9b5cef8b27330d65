"""More seats in use than an organisation pays for: the notice, and who is told.

Which seats are beyond the paid ones, and what access they give, is decided in
members/access/seats_paid.py. This module keeps the one thing that rule stores, when
the notice began (`Organisation.seats_over_since`): set when the seats in use first
exceed the paid ones, cleared as soon as they fit again. It is checked wherever seats
or the seats paid for change (a Stripe subscription written, a seat removed, an
invitation revoked, staff editing an organisation or a grant) and hourly for
everything else (a staff grant ending, an invitation expiring).

The admins are emailed once when the notice begins, and so is each person whose seat
is beyond the paid ones (by when, and what their admins can do); each whose seat then
stops giving access is emailed once more when it does (members/organisations/tasks.py).
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from members import access
from members.models import Invitation, Organisation
from members.organisations.seats import (
    invitation_lifetime,
    invitations_holding_seats,
    organisation_lock,
    seats_usage,
)

logger = logging.getLogger(__name__)


def seats_over(
    organisation: Organisation, *, paid: int | None = None
) -> access.SeatsBeyondPaid | None:
    """The organisation's seats and invitations beyond the paid seats (two queries, and
    one more for the seats paid for unless `paid` is given), or None when all fit."""
    if paid is None:
        paid = access.organisation_seats(organisation)
    if paid == 0:
        return None  # no membership: no seat gives access, none is "beyond"
    return access.seats_beyond_paid(
        organisation,
        paid=paid,
        seat_list=list(organisation.seats.select_related("user")),
        invitation_list=list(invitations_holding_seats(organisation)),
    )


def seats_over_check(*, organisation: Organisation) -> Organisation:
    """Begin the notice when more seats are in use than are paid for, and end it when
    they fit again. Emails the admins (on commit) when it begins."""
    from members.organisations.tasks import seats_over_admin_send, seats_over_warnings_send

    with transaction.atomic(durable=True):
        organisation = organisation_lock(organisation)
        usage = seats_usage(organisation)
        # Without a membership no seat gives access: there is nothing to give notice of.
        over = usage.total > 0 and usage.over > 0
        if over and organisation.seats_over_since is None:
            organisation.seats_over_since = timezone.now()
            organisation.save(update_fields=["seats_over_since"])
            seats_over_admin_send.delay_on_commit(organisation.pk)
            seats_over_warnings_send.delay_on_commit(organisation.pk)
            logger.info(
                "seats over paid organisation=%s used=%s paid=%s",
                organisation.pk,
                usage.used,
                usage.total,
            )
        elif not over and organisation.seats_over_since is not None:
            organisation.seats_over_since = None
            organisation.save(update_fields=["seats_over_since"])
            logger.info("seats fit again organisation=%s", organisation.pk)
    return organisation


def seats_to_warn(organisation: Organisation, beyond: access.SeatsBeyondPaid | None) -> list[int]:
    """The seats beyond the paid ones whose holders are not yet told that the notice has
    begun. Admins are left out: the admins' own email names every seat beyond."""
    if beyond is None or organisation.seats_over_since is None:
        return []
    return [
        seat.pk
        for seat in beyond.seats
        if not seat.is_admin and seat.beyond_paid_warned_for != organisation.seats_over_since
    ]


def seats_over_sweep(*, now: datetime | None = None) -> list[int]:
    """Check every organisation that may be over its paid seats, or was, and hand the
    seats beyond them to the email tasks: those not yet told the notice has begun (the
    task at its start may have failed), and those whose notice has ended. Returns the
    seats handed over."""
    from members.organisations.tasks import seat_beyond_paid_send, seat_beyond_paid_warning_send

    now = now or timezone.now()
    held = dict(
        Invitation.objects.filter(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            sent_at__gt=now - invitation_lifetime(),
        )
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organisation_id", "n")
    )
    candidates = {
        use.organisation_id
        for use in access.seat_use(now=now)
        if use.bought and use.used + held.get(use.organisation_id, 0) > use.bought
    }
    candidates |= set(
        Organisation.objects.filter(seats_over_since__isnull=False).values_list("pk", flat=True)
    )
    handed = []
    for organisation in Organisation.objects.filter(pk__in=candidates).order_by("pk"):
        organisation = seats_over_check(organisation=organisation)
        ends_at = access.seats_notice_end(organisation)
        if ends_at is None:
            continue
        beyond = seats_over(organisation)
        if ends_at > now:
            for seat_id in seats_to_warn(organisation, beyond):
                seat_beyond_paid_warning_send.delay(seat_id)
                handed.append(seat_id)
            continue
        for seat in beyond.seats if beyond is not None else []:
            if seat.beyond_paid_emailed_for == organisation.seats_over_since:
                continue  # told already; the task would send nothing
            seat_beyond_paid_send.delay(seat.pk)
            handed.append(seat.pk)
    return handed
