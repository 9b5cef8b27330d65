"""Seats beyond what an organisation pays for.

An organisation may come to pay for fewer seats than are in use: its admin lowers the
quantity in Stripe's portal, staff lower it, an invoiced membership renews with fewer
seats, or a larger staff grant ends. Nobody is cut off at random, and nobody is shown
members' content unpaid for long:

- The seats are put in one order, the same on every page and in every query (SEAT_ORDER):
  the organisation's admins first (someone must be able to put it right), then everyone
  else in the order they took their seat. The first `paid` seats give access as before;
  the rest, the most recently filled, are beyond the paid seats.
- Invitations waiting to be accepted hold seats after all the people, oldest first
  (INVITATION_ORDER): those beyond the paid seats go first, at once, since nobody has
  access through them yet; they cannot be accepted.
- A seat beyond the paid seats keeps giving access for ORGANISATION_SEATS_NOTICE_DAYS
  from `Organisation.seats_over_since` (set when the seats in use first exceed the paid
  ones, cleared when they fit again, by members/organisations/seats_over.py), so the
  admin can add seats or remove people first. Until that mark is set the notice has not
  begun, and the seat gives access.
- Adding seats or removing people puts everyone back at once: nothing here is stored
  but the start of the notice.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from members.models import Invitation, Organisation, Seat

# Who keeps access first: admins, then by when the seat was taken. Used by the pages
# (Python sort) and by seats_ahead_sql()/seats_ahead() (SQL), which must agree.
SEAT_ORDER = ("-is_admin", "created_at", "pk")
INVITATION_ORDER = ("created_at", "pk")


def seats_notice_end(organisation: Organisation) -> datetime | None:
    """When the seats beyond the paid ones stop giving access (None: no notice running)."""
    if organisation.seats_over_since is None:
        return None
    return organisation.seats_over_since + timedelta(days=settings.ORGANISATION_SEATS_NOTICE_DAYS)


def seat_gives_access(
    organisation: Organisation, *, seats_ahead: int, paid: int, now: datetime
) -> bool:
    """Does a seat with `seats_ahead` seats before it in SEAT_ORDER give access, when the
    organisation's membership pays for `paid` seats?"""
    if seats_ahead < paid:
        return True
    ends_at = seats_notice_end(organisation)
    return ends_at is None or now < ends_at


@dataclass(frozen=True)
class SeatBeyondPaid:
    """A person's seat beyond the seats their organisation pays for."""

    organisation: Organisation
    paid: int
    ends_at: datetime | None  # when it stops (or stopped) giving access

    @property
    def has_ended(self) -> bool:
        return self.ends_at is not None and self.ends_at <= timezone.now()


@dataclass(frozen=True)
class SeatsBeyondPaid:
    """An organisation's seats and invitations beyond the seats it pays for."""

    paid: int
    in_use: int
    seats: list[Seat]  # beyond the paid seats, most recently filled first
    invitations: list[Invitation]  # beyond the paid seats: they cannot be accepted
    ends_at: datetime | None  # when the seats stop giving access (None: not yet marked)

    @property
    def over(self) -> int:
        return len(self.seats) + len(self.invitations)

    @property
    def has_ended(self) -> bool:
        return self.ends_at is not None and self.ends_at <= timezone.now()


def _seat_key(seat: Seat) -> tuple:
    return (not seat.is_admin, seat.created_at, seat.pk)


def seats_beyond_paid(
    organisation: Organisation,
    *,
    paid: int,
    seat_list: list[Seat],
    invitation_list: list[Invitation],
) -> SeatsBeyondPaid | None:
    """Which of these seats and (seat-holding) invitations are beyond the paid seats, or
    None when all fit. Works on the lists a page has already loaded: no query."""
    ordered_seats = sorted(seat_list, key=_seat_key)
    ordered_invitations = sorted(invitation_list, key=lambda i: (i.created_at, i.pk))
    beyond_seats = ordered_seats[paid:]
    room = max(0, paid - len(ordered_seats))
    beyond_invitations = ordered_invitations[room:]
    if not beyond_seats and not beyond_invitations:
        return None
    return SeatsBeyondPaid(
        paid=paid,
        in_use=len(seat_list) + len(invitation_list),
        seats=beyond_seats[::-1],
        invitations=beyond_invitations[::-1],
        ends_at=seats_notice_end(organisation),
    )


def invitations_held_before(invitations, invitation: Invitation):
    """Of `invitations` (a queryset), those ahead of `invitation` in INVITATION_ORDER."""
    return invitations.filter(
        Q(created_at__lt=invitation.created_at)
        | Q(created_at=invitation.created_at, pk__lt=invitation.pk)
    )


# --- In SQL ----------------------------------------------------------------------------


def seats_ahead_sql(organisation_column: str) -> str:
    """SQL: how many seats come before the person's (%(user)s) own seat in the
    organisation `organisation_column` names, in SEAT_ORDER (0 when they hold none)."""
    seat = Seat._meta.db_table
    return (
        f"(SELECT COUNT(*) FROM {seat} a JOIN {seat} me "
        "ON me.organisation_id = a.organisation_id AND me.user_id = %(user)s "
        f"WHERE a.organisation_id = {organisation_column} AND (a.is_admin > me.is_admin "
        "OR (a.is_admin = me.is_admin AND (a.created_at < me.created_at "
        "OR (a.created_at = me.created_at AND a.id < me.id)))))"
    )


def seats_ahead() -> Coalesce:
    """For a Seat queryset: how many seats of its organisation come before it in
    SEAT_ORDER (annotate with it, then compare with the seats paid for)."""
    before = (
        Q(is_admin__gt=OuterRef("is_admin"))
        | Q(is_admin=OuterRef("is_admin"), created_at__lt=OuterRef("created_at"))
        | Q(is_admin=OuterRef("is_admin"), created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    counted = (
        Seat.objects.filter(before, organisation_id=OuterRef("organisation_id"))
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def in_notice_q(now: datetime, prefix: str = "organisation__") -> Q:
    """Organisations whose seats beyond the paid ones still give access at `now`."""
    started_after = now - timedelta(days=settings.ORGANISATION_SEATS_NOTICE_DAYS)
    return Q(**{f"{prefix}seats_over_since__isnull": True}) | Q(
        **{f"{prefix}seats_over_since__gt": started_after}
    )
