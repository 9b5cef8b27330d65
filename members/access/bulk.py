"""Bulk queries: who is a member now, as a Q on User, for audiences (newsletter
editions, forum notifications) where asking is_member() per person is too slow."""

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from members.access.subscriptions import access_giving_subscriptions
from members.models import (
    MembershipGrant,
    Seat,
    Subscription,
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
    seats = Seat.objects.filter(organisation__subscriptions__in=Subscription.objects.filter(giving))
    grants = MembershipGrant.objects.filter(starts_on__lte=today, ends_on__gte=today)
    personal_grants = grants.filter(user__isnull=False)
    organisation_grants = grants.filter(organisation__isnull=False)
    if member_type:
        personal = personal.filter(plan__member_type=member_type)
        seats = seats.filter(organisation__org_type=member_type)
        personal_grants = personal_grants.filter(member_type=member_type)
        organisation_grants = organisation_grants.filter(member_type=member_type)
    seat_grants = Seat.objects.filter(organisation__membership_grants__in=organisation_grants)
    return Q(is_active=True) & (
        Q(pk__in=personal.values("user_id"))
        | Q(pk__in=seats.values("user_id"))
        | Q(pk__in=personal_grants.values("user_id"))
        | Q(pk__in=seat_grants.values("user_id"))
    )
