"""Organisations: the membership an organisation holds and its seats, who manages it,
and who may take a seat (by invitation or verified email domain)."""

from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower, StrIndex, Substr
from django.utils import timezone

from members.access.people import is_org_admin
from members.access.subscriptions import (
    STATUSES_THAT_MAY_GIVE_ACCESS,
    current_grants,
    end_of_day,
    first_giving_subscription,
    with_earliest_unpaid_due,
)
from members.models import (
    Invitation,
    MembershipGrant,
    Organisation,
    SeatRemoval,
    Subscription,
    SubscriptionStatus,
    User,
)


@dataclass(frozen=True)
class OrganisationMembership:
    """What an organisation holds now: its seats and where they come from."""

    seats: int
    subscription: Subscription | None = None
    grant: MembershipGrant | None = None

    @property
    def ends_at(self) -> datetime | None:
        """When the seats run out if nothing renews them (None while a subscription renews).

        A subscription that renews outlives a grant; otherwise the later end wins.
        """
        ends: list[datetime] = []
        if self.subscription is not None:
            if not self.subscription.cancel_at_period_end:
                return None
            if self.subscription.current_period_end is not None:
                ends.append(self.subscription.current_period_end)
        if self.grant is not None:
            ends.append(end_of_day(self.grant.ends_on))
        return max(ends) if ends else None

    @property
    def renews_at(self) -> datetime | None:
        """When a renewing subscription next renews. Not while a payment is overdue: the
        period Stripe moved on to is not paid for."""
        if (
            self.subscription is not None
            and not self.subscription.cancel_at_period_end
            and self.subscription.status != SubscriptionStatus.PAST_DUE
        ):
            return self.subscription.current_period_end
        return None

    @property
    def pays_by_card(self) -> bool:
        """Are the seats paid by card through Stripe, so that the billing portal changes
        them? Invoice payers (and staff grants) ask the network team instead."""
        return (
            self.subscription is not None
            and self.subscription.collection_method == Subscription.CollectionMethod.CARD
        )


# --- Organisations -------------------------------------------------------------------


def organisations_managed_by(user) -> QuerySet[Organisation]:
    """The organisations where `user` holds an admin seat (none for anyone else).

    Views look organisations up in this queryset, so another organisation's page is a
    404 rather than a page that leaks its name.
    """
    # is_org_admin is asked once per request (with the person's groups): most people
    # administer nothing, and their pages then make no query here.
    if not is_org_admin(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(seats__user=user, seats__is_admin=True).distinct()


def organisation_admins(organisation: Organisation) -> list:
    """The people who manage the organisation's seats, whom a colleague asks (one query)."""
    return list(
        User.objects.filter(
            seats__organisation=organisation, seats__is_admin=True, is_active=True
        ).order_by("name", "email")
    )


def organisation_membership(
    organisation: Organisation, *, now: datetime | None = None
) -> OrganisationMembership | None:
    """The organisation's membership now: its seats and where they come from, or None."""
    now = now or timezone.now()
    subscriptions = (
        with_earliest_unpaid_due(
            organisation.subscriptions.filter(status__in=STATUSES_THAT_MAY_GIVE_ACCESS)
        )
        .select_related("plan")
        .order_by("-created_at")
    )
    subscription = first_giving_subscription(subscriptions, now)
    grant = (
        current_grants(timezone.localdate(now))
        .filter(organisation=organisation)
        .order_by("-seats", "-ends_on")
        .first()
    )
    if subscription is None and grant is None:
        return None
    seats = max(
        subscription.quantity if subscription is not None else 0,
        grant.seats if grant is not None else 0,
    )
    return OrganisationMembership(seats=seats, subscription=subscription, grant=grant)


def organisation_seats(organisation: Organisation, *, now: datetime | None = None) -> int:
    """How many seats the organisation may fill now (0 without a membership)."""
    current = organisation_membership(organisation, now=now)
    return current.seats if current is not None else 0


def verified_emails(user) -> frozenset[str]:
    """The person's verified email addresses, lower-cased."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_access_emails", None)
    if cached is None:
        addresses = _verified(user).values_list("email", flat=True)
        cached = frozenset(address.lower() for address in addresses)
        user._access_emails = cached
    return cached


def verified_addresses(user) -> QuerySet:
    """The person's verified addresses, lower-cased, as a subquery to filter by: a page
    that only filters by them asks no query of its own for them."""
    return _verified(user).values(address=Lower("email"))


def _verified_domains(user) -> QuerySet:
    """Their domains, as email_domain() gives them, likewise."""
    return _verified(user).values(domain=Lower(Substr("email", StrIndex("email", Value("@")) + 1)))


def _verified(user) -> QuerySet[EmailAddress]:
    return EmailAddress.objects.filter(user=user, verified=True)


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def invitation_is_for(user, invitation: Invitation) -> bool:
    """May `user` accept `invitation`? Only with a verified address it was sent to, so a
    forwarded link does not hand a seat to someone else."""
    return invitation.email.lower() in verified_emails(user)


def can_claim_seat(user, organisation: Organisation) -> bool:
    """May `user` claim a seat because a verified address of theirs is at the
    organisation's verified domain? (Whether a seat is free is for the caller to check.)"""
    domain = organisation.verified_domain.lower()
    if not domain:
        return False
    return any(email_domain(address) == domain for address in verified_emails(user))


def claimable_organisations(user) -> QuerySet[Organisation]:
    """Organisations whose verified domain matches one of the person's verified addresses
    and where they hold no seat yet."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(verified_domain__in=_verified_domains(user)).exclude(
        seats__user=user
    )


def colleague_organisation(user) -> Organisation | None:
    """An organisation with a membership now at one of the person's verified email
    domains, where they hold no seat: the one whose admin they ask for a seat. Looked at
    once per request; None for everyone else."""
    cached = getattr(user, "_access_colleague_organisation", False)
    if cached is False:
        cached = None
        # A handful at most share a domain; each is asked about its membership.
        for organisation in claimable_organisations(user).order_by("name")[:3]:
            if organisation_membership(organisation) is not None:
                cached = organisation
                break
        user._access_colleague_organisation = cached
    return cached


def seat_taken_back(user) -> SeatRemoval | None:
    """The seat an admin last took back from this person, while they hold none there
    again: their account page says so, where it would otherwise greet someone who read
    as a member until that day as "not a member yet"."""
    if not user.is_authenticated:
        return None
    return (
        SeatRemoval.objects.filter(user=user)
        .exclude(organisation__seats__user=user)
        .select_related("organisation", "removed_by")
        .first()
    )
