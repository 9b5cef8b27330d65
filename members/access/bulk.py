"""Bulk queries: who is a member now, as a Q on User, for audiences (newsletter
editions, forum notifications) where asking is_member() per person is too slow."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from members.access.seats_paid import in_notice_q, seats_ahead
from members.access.subscriptions import access_giving_subscriptions
from members.models import (
    MembershipGrant,
    Seat,
    Subscription,
    SubscriptionStatus,
)


def _seats_through_subscriptions(giving: QuerySet[Subscription], now: datetime) -> QuerySet[Seat]:
    """Seats that give access through one of these subscriptions: one of the seats it
    pays for, or beyond them while the notice runs (access/seats_paid.py). One filter()
    call, so the quantity compared is that of the subscription matched."""
    return Seat.objects.annotate(seats_ahead=seats_ahead()).filter(
        Q(organisation__subscriptions__in=giving)
        & (in_notice_q(now) | Q(organisation__subscriptions__quantity__gt=F("seats_ahead")))
    )


def _seats_through_grants(grants: QuerySet[MembershipGrant], now: datetime) -> QuerySet[Seat]:
    """Likewise, seats that give access through one of these organisation grants."""
    return Seat.objects.annotate(seats_ahead=seats_ahead()).filter(
        Q(organisation__membership_grants__in=grants)
        & (in_notice_q(now) | Q(organisation__membership_grants__seats__gt=F("seats_ahead")))
    )


def members_now_q(*, member_type: str | None = None, now: datetime | None = None) -> Q:
    """A Q on User: people who are members at `now` (optionally of one member type), for
    bulk queries (newsletter audiences) where asking is_member() per person is too slow.

    The member type follows membership(): a personal subscription's plan, a seat's
    organisation type, or a grant's type; never the person's own profile.
    A person with memberships of two types matches either type.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    giving = access_giving_subscriptions(now)
    personal = Subscription.objects.filter(giving, organisation__isnull=True)
    seats = _seats_through_subscriptions(Subscription.objects.filter(giving), now)
    grants = MembershipGrant.objects.filter(starts_on__lte=today, ends_on__gte=today)
    personal_grants = grants.filter(user__isnull=False)
    organisation_grants = grants.filter(organisation__isnull=False)
    if member_type:
        personal = personal.filter(plan__member_type=member_type)
        seats = seats.filter(organisation__org_type=member_type)
        personal_grants = personal_grants.filter(member_type=member_type)
        organisation_grants = organisation_grants.filter(member_type=member_type)
    seat_grants = _seats_through_grants(organisation_grants, now)
    return Q(is_active=True) & (
        Q(pk__in=personal.values("user_id"))
        | Q(pk__in=seats.values("user_id"))
        | Q(pk__in=personal_grants.values("user_id"))
        | Q(pk__in=seat_grants.values("user_id"))
    )


@dataclass(frozen=True)
class BulkMembership:
    """What membership() would say about one person, as counted in bulk."""

    source: str  # members.access.Source: personal, seat or grant
    member_type: str
    organisation_id: int | None


def memberships_now(
    *, user_ids: Iterable[int] | None = None, now: datetime | None = None
) -> dict[int, BulkMembership]:
    """Each current member's membership, in four queries, for counting (insight's daily
    figures, its activity events) where asking membership() per person is too slow.

    Follows membership()'s order of preference: a personal subscription, a seat in an
    organisation whose subscription gives access, a personal grant, a seat in an
    organisation with a current grant. `user_ids` limits it to those people (all
    active people otherwise).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    giving = Subscription.objects.filter(access_giving_subscriptions(now))
    grants = MembershipGrant.objects.filter(starts_on__lte=today, ends_on__gte=today)
    people = Q(user__is_active=True)
    if user_ids is not None:
        people &= Q(user_id__in=list(user_ids))
    found: dict[int, BulkMembership] = {}

    def keep(user_id: int, source: str, member_type: str, organisation_id=None) -> None:
        found.setdefault(user_id, BulkMembership(source, member_type, organisation_id))

    for user_id, member_type in giving.filter(people, organisation__isnull=True).values_list(
        "user_id", "plan__member_type"
    ):
        keep(user_id, "personal", member_type)
    seats = _seats_through_subscriptions(giving, now).filter(people).order_by("-created_at")
    for user_id, organisation_id, org_type in seats.values_list(
        "user_id", "organisation_id", "organisation__org_type"
    ):
        keep(user_id, "seat", org_type, organisation_id)
    for user_id, member_type in (
        grants.filter(people, organisation__isnull=True)
        .order_by("-ends_on")
        .values_list("user_id", "member_type")
    ):
        keep(user_id, "grant", member_type)
    seat_grants = _seats_through_grants(grants.filter(organisation__isnull=False), now)
    for user_id, organisation_id, member_type in (
        seat_grants.filter(people)
        .order_by("-created_at")
        .values_list("user_id", "organisation_id", "organisation__membership_grants__member_type")
    ):
        keep(user_id, "seat", member_type, organisation_id)
    return found


@dataclass(frozen=True)
class SeatUse:
    organisation_id: int
    used: int  # seats filled
    bought: int  # seats the organisation's membership gives (organisation_seats)


def seat_use(*, now: datetime | None = None) -> list[SeatUse]:
    """Seats filled and seats held, for every organisation with either, in three
    queries (organisation_seats() for all of them at once)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    bought: dict[int, int] = {}
    for organisation_id, quantity in Subscription.objects.filter(
        access_giving_subscriptions(now), organisation__isnull=False
    ).values_list("organisation_id", "quantity"):
        bought[organisation_id] = max(bought.get(organisation_id, 0), quantity)
    for organisation_id, seats in MembershipGrant.objects.filter(
        organisation__isnull=False, starts_on__lte=today, ends_on__gte=today
    ).values_list("organisation_id", "seats"):
        bought[organisation_id] = max(bought.get(organisation_id, 0), seats)
    used = dict(
        Seat.objects.values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organisation_id", "n")
    )
    return [
        SeatUse(organisation_id=pk, used=used.get(pk, 0), bought=bought.get(pk, 0))
        for pk in sorted(set(bought) | set(used))
    ]


@dataclass(frozen=True)
class MembershipChanges:
    """Memberships (a person's or an organisation's: a subscription or a staff grant)
    over a period: held at its start, started during it, ended during it."""

    at_start: int
    joined: int
    lapsed: int

    @property
    def churn_rate(self) -> float | None:
        """Ended during the period, as a share of those held at its start."""
        return self.lapsed / self.at_start if self.at_start else None


def membership_changes(*, start: datetime, end: datetime) -> MembershipChanges:
    """Counts for the churn figures, in six queries. A subscription that never started
    (an abandoned Checkout) counts nowhere; `end` is exclusive."""
    started = Subscription.objects.exclude(
        status__in=[SubscriptionStatus.INCOMPLETE, SubscriptionStatus.INCOMPLETE_EXPIRED]
    )
    first_day = timezone.localdate(start)
    # `end` is exclusive (midnight after the period's last day, or now): the day it
    # falls on may be outside the period.
    last_day = timezone.localdate(end - timedelta(microseconds=1))
    # A grant gives access through its ends_on day and lapses only after it: one ending
    # today (the last day of the dashboard's periods) is still held.
    ended_by = min(last_day + timedelta(days=1), timezone.localdate())
    subscriptions_at_start = (
        started.filter(created_at__lt=start).exclude(ended_at__lt=start).count()
    )
    grants_at_start = MembershipGrant.objects.filter(
        starts_on__lte=first_day, ends_on__gte=first_day
    ).count()
    joined = (
        started.filter(created_at__gte=start, created_at__lt=end).count()
        + MembershipGrant.objects.filter(starts_on__gt=first_day, starts_on__lte=last_day).count()
    )
    lapsed = (
        started.filter(ended_at__gte=start, ended_at__lt=end).count()
        + MembershipGrant.objects.filter(ends_on__gte=first_day, ends_on__lt=ended_by).count()
    )
    return MembershipChanges(
        at_start=subscriptions_at_start + grants_at_start, joined=joined, lapsed=lapsed
    )
