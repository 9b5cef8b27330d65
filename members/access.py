"""The access policy: the only module that decides who may read or do what.

Views, templates, tasks and other apps ask these functions; nothing else tests
subscription, seat, grant or invitation fields. Everything is denied unless a rule below
allows it, and every view needs a signed-in person unless it is marked
`login_not_required` (Django's LoginRequiredMiddleware is on).

Roles a person can be in at one moment (`roles(user)`):
    anonymous      not signed in
    registered     signed in (email verified: allauth refuses sign-in before), no membership
    member         one of, in this order of preference:
                     personal  a personal subscription that gives access (STATUS_ACCESS)
                     seat      a seat in an organisation whose membership gives access
                               (its subscription, or a staff grant to the organisation)
                     grant     a membership granted by staff to the person, between its
                               start and end dates (both days included)
    lapsed         signed in, not a member now, but had a subscription or a grant before
    member type    inside membership: provider, commissioner or policy maker/other, from
                   the personal plan, the seat's organisation, or the grant, and only
                   from there: the "work" a person states in their profile decides
                   nothing, and a member asks staff to change their type
                   (MemberTypeChangeRequest) rather than change it
    org_admin      holds an admin seat: manages that organisation's seats (and billing),
                   whether or not its membership is active (so they can renew it)
    moderator      in the "Moderators" group (forum), or a superuser
    editor         in the "Editors" group (library and newsletter), or a superuser
    staff          is_staff and active: reaches the Django admin (after two-factor)

Subscriptions: Stripe's states map to access in one table, STATUS_ACCESS:
    active, trialing                           yes
    past_due                                   for MEMBERSHIP_GRACE_DAYS (setting, 14) from
                                               `past_due_since` (else `current_period_end`)
    unpaid, canceled, incomplete,
    incomplete_expired, paused                 no
Subscriptions billed by invoice (collection_method=send_invoice, councils paying against
a PO) give access from their creation while their state allows it; an invoice left
unpaid (open or uncollectible, not marked paid by staff) for MEMBERSHIP_GRACE_DAYS past
its due date ends it, whatever Stripe's state says.

Organisations: an organisation's seat count is its membership's: the quantity of the
subscription that gives access, or the seats of a current staff grant (the larger when
both exist: a grant covers an organisation while billing is being arranged, it does not
add to it). Pending invitations hold seats (members/organisations.py counts them). Every
seat holder of an organisation whose membership gives access is a member; when a plan
shrinks below the seats in use, nobody is cut off at random: the organisation page shows
the excess and no one can be invited until the admin removes people.

The functions other apps use:
    membership(user)         -> Membership | None: the membership giving access and its source
    is_member(user), is_lapsed(user)            -> bool
    member_type(user)        -> str | None: the MemberType of the current membership
    roles(user)              -> frozenset[Role]
    is_moderator(user), is_editor(user), is_staff(user)
    is_org_admin(user, organisation=None)
    organisations_managed_by(user)              -> QuerySet[Organisation] (admin seats)
    organisation_membership(organisation)      -> OrganisationMembership | None
    organisation_seats(organisation)            -> int: seats the organisation may fill
    invitation_is_for(user, invitation)         -> bool: a verified address of theirs
    can_claim_seat(user, organisation)          -> bool: by verified email domain
    subscription_gives_access(subscription)     -> bool (the table above)
    invoice_overdue(subscription)               -> bool (the invoice rule above)
    grace_period_end(subscription)              -> datetime | None
    can_read_level(user, level), can_read(user, obj) -> bool (AccessLevel)
    can_read_for_member_type(user, level, restricted_to) -> bool: one type's content
    can_read_resource(user, resource, *, free_reads_left, already_read_this_month)
                             -> bool, a library resource, with the monthly free reads
    uses_free_read(user, resource) -> bool: would reading it spend a free read?
    @member_required         view decorator: sign in, then membership, else a join page
    members_now_q(member_type=None)             -> Q on User, for bulk audiences

Nothing is cached across requests, so a lapsed member loses access on their next
request. Within one request the membership is worked out once and kept on the user
object (request.user is loaded afresh for every request); code that changes a
membership and asks again about the same user object calls `forget(user)`.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from members.models import (
    Invitation,
    Invoice,
    MembershipGrant,
    MemberType,
    Organisation,
    Seat,
    Subscription,
    SubscriptionStatus,
)

MODERATORS_GROUP = "Moderators"
EDITORS_GROUP = "Editors"


class AccessLevel(models.TextChoices):
    """Who may read a piece of content."""

    PUBLIC = "public", "Everyone"
    REGISTERED = "registered", "Signed-in users"
    MEMBERS = "members", "Members only"


class Role(enum.StrEnum):
    ANONYMOUS = "anonymous"
    REGISTERED = "registered"
    MEMBER = "member"
    LAPSED = "lapsed"
    ORG_ADMIN = "org_admin"
    MODERATOR = "moderator"
    EDITOR = "editor"
    STAFF = "staff"


class StatusAccess(enum.Enum):
    YES = "yes"
    GRACE = "grace"  # yes, until the grace period after the first failed payment ends
    NO = "no"


# Stripe's subscription states and the access each gives. One table, read by
# subscription_gives_access() and its SQL twin _access_giving_subscriptions() only.
# A state Stripe adds later is missing here and so gives no access (deny by default).
STATUS_ACCESS: dict[str, StatusAccess] = {
    SubscriptionStatus.ACTIVE: StatusAccess.YES,
    SubscriptionStatus.TRIALING: StatusAccess.YES,
    SubscriptionStatus.PAST_DUE: StatusAccess.GRACE,
    SubscriptionStatus.UNPAID: StatusAccess.NO,
    SubscriptionStatus.CANCELED: StatusAccess.NO,
    SubscriptionStatus.INCOMPLETE: StatusAccess.NO,
    SubscriptionStatus.INCOMPLETE_EXPIRED: StatusAccess.NO,
    SubscriptionStatus.PAUSED: StatusAccess.NO,
}
_STATUSES_THAT_MAY_GIVE_ACCESS = [s for s, a in STATUS_ACCESS.items() if a != StatusAccess.NO]

# Invoices that still ask to be paid: open (sent, waiting) and uncollectible (written off
# by Stripe after failed collection). Draft ones are not sent yet; void ones are not owed.
_UNPAID_INVOICE_STATUSES = [Invoice.Status.OPEN, Invoice.Status.UNCOLLECTIBLE]


class Source(enum.StrEnum):
    PERSONAL = "personal"
    SEAT = "seat"
    GRANT = "grant"


@dataclass(frozen=True)
class Membership:
    """Where a person's access comes from, for pages and for the other rules."""

    source: Source
    member_type: str
    organisation: Organisation | None = None
    subscription: Subscription | None = None
    grant: MembershipGrant | None = None

    @property
    def member_type_label(self) -> str:
        return MemberType(self.member_type).label

    @property
    def ends_at(self) -> datetime | None:
        """When access ends if nothing renews it (None while a subscription renews)."""
        if self.grant is not None:
            return _end_of_day(self.grant.ends_on)
        if self.subscription is not None and self.subscription.cancel_at_period_end:
            return self.subscription.current_period_end
        return None


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
            ends.append(_end_of_day(self.grant.ends_on))
        return max(ends) if ends else None

    @property
    def renews_at(self) -> datetime | None:
        """When a renewing subscription next renews."""
        if self.subscription is not None and not self.subscription.cancel_at_period_end:
            return self.subscription.current_period_end
        return None


def _end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.max.time()))


# --- Subscriptions -------------------------------------------------------------------


def grace_period_end(subscription: Subscription) -> datetime | None:
    """When a past_due card subscription stops giving access.

    The grace runs from the first failed payment (`past_due_since`, set by billing when the
    subscription turns past_due); when that is missing, from the end of the paid period.
    """
    start = (
        subscription.past_due_since or subscription.current_period_end or subscription.created_at
    )
    if start is None:
        return None
    return start + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)


def _overdue_invoice_q(now: datetime) -> Q:
    """Invoices unpaid for longer than the grace period after their due date."""
    return Q(
        status__in=_UNPAID_INVOICE_STATUSES,
        paid_out_of_band=False,
        due_date__lt=now - timedelta(days=settings.MEMBERSHIP_GRACE_DAYS),
    )


def _unpaid_invoices_prefetch() -> Prefetch:
    return Prefetch(
        "invoices",
        queryset=Invoice.objects.filter(
            status__in=_UNPAID_INVOICE_STATUSES, paid_out_of_band=False, due_date__isnull=False
        ),
        to_attr="unpaid_invoices",
    )


def invoice_overdue(subscription: Subscription, *, now: datetime | None = None) -> bool:
    """Has an invoice of this subscription stayed unpaid past its due date plus the grace?"""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    unpaid = getattr(subscription, "unpaid_invoices", None)
    if unpaid is None:
        return subscription.invoices.filter(_overdue_invoice_q(now)).exists()
    return any(invoice.due_date < limit for invoice in unpaid)


def subscription_gives_access(subscription: Subscription, *, now: datetime | None = None) -> bool:
    """Does this subscription give access at `now`? (STATUS_ACCESS and the invoice rule.)"""
    access = STATUS_ACCESS.get(subscription.status, StatusAccess.NO)
    if access == StatusAccess.NO:
        return False
    now = now or timezone.now()
    if subscription.collection_method == Subscription.CollectionMethod.INVOICE:
        # Billed by invoice: access from creation until an invoice is overdue past the
        # grace; Stripe's past_due comes from the same unpaid invoice, so it adds nothing.
        return not invoice_overdue(subscription, now=now)
    if access == StatusAccess.YES:
        return True
    grace_end = grace_period_end(subscription)
    return grace_end is not None and now < grace_end


def _first_giving_subscription(subscriptions, now: datetime) -> Subscription | None:
    for subscription in subscriptions:
        if subscription_gives_access(subscription, now=now):
            return subscription
    return None


def _current_grants(today) -> QuerySet[MembershipGrant]:
    return MembershipGrant.objects.filter(starts_on__lte=today, ends_on__gte=today)


# --- People --------------------------------------------------------------------------


def _holder_filter(user) -> Q:
    """Rows held by the person, or by an organisation where they hold a seat."""
    return Q(user=user) | Q(organisation__seats__user=user)


def _membership_from_subscription(user, subscription: Subscription) -> Membership:
    if subscription.organisation_id:
        return Membership(
            source=Source.SEAT,
            member_type=subscription.organisation.org_type,
            organisation=subscription.organisation,
            subscription=subscription,
        )
    return Membership(
        source=Source.PERSONAL,
        member_type=subscription.plan.member_type,
        subscription=subscription,
    )


def _membership_from_grant(user, grant: MembershipGrant) -> Membership:
    organisation = grant.organisation
    # The grant's own type, set by staff, decides; never the person's profile, which they
    # edit themselves. (The database refuses a grant without a type.)
    if organisation is not None:
        # A grant to an organisation reaches the person through their seat.
        return Membership(
            source=Source.SEAT,
            member_type=grant.member_type,
            organisation=organisation,
            grant=grant,
        )
    return Membership(source=Source.GRANT, member_type=grant.member_type, grant=grant)


def _find_membership(user, now: datetime) -> Membership | None:
    # A personal subscription first (organisation_id NULL sorts first on every database),
    # then seats, newest first.
    subscriptions = (
        Subscription.objects.filter(_holder_filter(user))
        .filter(status__in=_STATUSES_THAT_MAY_GIVE_ACCESS)
        .select_related("plan", "organisation")
        .prefetch_related(_unpaid_invoices_prefetch())
        .order_by(F("organisation_id").asc(nulls_first=True), "-created_at")
        .distinct()
    )
    subscription = _first_giving_subscription(subscriptions, now)
    if subscription is not None:
        return _membership_from_subscription(user, subscription)
    grant = (
        _current_grants(timezone.localdate(now))
        .filter(_holder_filter(user))
        .select_related("organisation")
        .order_by(F("organisation_id").asc(nulls_first=True), "-ends_on")
        .first()
    )
    if grant is not None:
        return _membership_from_grant(user, grant)
    return None


_UNSET = object()


def membership(user) -> Membership | None:
    """The membership that gives this person access now, or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_access_membership", _UNSET)
    if cached is _UNSET:
        cached = _find_membership(user, timezone.now())
        user._access_membership = cached
    return cached


def forget(user) -> None:
    """Drop what this request has worked out about `user` (after changing a membership)."""
    for attribute in ("_access_membership", "_access_groups", "_access_emails"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def is_member(user) -> bool:
    return membership(user) is not None


def member_type(user) -> str | None:
    current = membership(user)
    return current.member_type if current else None


def was_ever_member(user) -> bool:
    today = timezone.localdate()
    had_subscription = (
        Subscription.objects.filter(_holder_filter(user))
        .exclude(status__in=[SubscriptionStatus.INCOMPLETE, SubscriptionStatus.INCOMPLETE_EXPIRED])
        .exists()
    )
    return (
        had_subscription
        or MembershipGrant.objects.filter(_holder_filter(user), starts_on__lte=today).exists()
    )


def is_lapsed(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return not is_member(user) and was_ever_member(user)


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, "_access_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._access_groups = cached
    return cached


def is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def is_moderator(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or MODERATORS_GROUP in _group_names(user)


def is_editor(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or EDITORS_GROUP in _group_names(user)


def is_org_admin(user, organisation: Organisation | None = None) -> bool:
    """Admin of `organisation`, or of any organisation when none is named."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    seats = Seat.objects.filter(user=user, is_admin=True)
    if organisation is not None:
        seats = seats.filter(organisation=organisation)
    return seats.exists()


def roles(user) -> frozenset[Role]:
    if user is None or not user.is_authenticated:
        return frozenset({Role.ANONYMOUS})
    found = {Role.MEMBER} if is_member(user) else set()
    if not found:
        found.add(Role.LAPSED if is_lapsed(user) else Role.REGISTERED)
    if is_org_admin(user):
        found.add(Role.ORG_ADMIN)
    if is_moderator(user):
        found.add(Role.MODERATOR)
    if is_editor(user):
        found.add(Role.EDITOR)
    if is_staff(user):
        found.add(Role.STAFF)
    return frozenset(found)


# --- Organisations -------------------------------------------------------------------


def organisations_managed_by(user) -> QuerySet[Organisation]:
    """The organisations where `user` holds an admin seat (none for anyone else).

    Views look organisations up in this queryset, so another organisation's page is a
    404 rather than a page that leaks its name.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(seats__user=user, seats__is_admin=True).distinct()


def organisation_membership(
    organisation: Organisation, *, now: datetime | None = None
) -> OrganisationMembership | None:
    """The organisation's membership now: its seats and where they come from, or None."""
    now = now or timezone.now()
    subscriptions = (
        organisation.subscriptions.filter(status__in=_STATUSES_THAT_MAY_GIVE_ACCESS)
        .select_related("plan")
        .prefetch_related(_unpaid_invoices_prefetch())
        .order_by("-created_at")
    )
    subscription = _first_giving_subscription(subscriptions, now)
    grant = (
        _current_grants(timezone.localdate(now))
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
        addresses = EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
        cached = frozenset(address.lower() for address in addresses)
        user._access_emails = cached
    return cached


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
    domains = {email_domain(address) for address in verified_emails(user)}
    if not domains:
        return Organisation.objects.none()
    return Organisation.objects.filter(verified_domain__in=domains).exclude(seats__user=user)


# --- Reading -------------------------------------------------------------------------


def can_read_level(user, level: str) -> bool:
    """May `user` read content marked with this AccessLevel?"""
    if level == AccessLevel.PUBLIC:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if level == AccessLevel.REGISTERED:
        return True
    if level == AccessLevel.MEMBERS:
        # Staff and editors read everything so they can curate it.
        return is_member(user) or is_staff(user) or is_editor(user)
    return False


def can_read_for_member_type(user, level: str, restricted_to: str) -> bool:
    """May `user` read content at `level` that is meant for one member type only (the
    members-only archive of a commissioners' newsletter)? Public content stays public;
    otherwise members of that type, editors and staff. `restricted_to` "" means any type."""
    if not can_read_level(user, level):
        return False
    if not restricted_to or level == AccessLevel.PUBLIC:
        return True
    if is_staff(user) or is_editor(user):
        return True
    return member_type(user) == restricted_to


def can_read(user, obj) -> bool:
    """May `user` read `obj`? `obj` carries an `access_level` (an AccessLevel value)."""
    return can_read_level(user, getattr(obj, "access_level", AccessLevel.MEMBERS))


def can_read_resource(
    user, resource, *, free_reads_left: int, already_read_this_month: bool = False
) -> bool:
    """May `user` read the full text and files of a library resource?

    Everyone who may read its access level may. Beyond that, a signed-in non-member may
    open a members-only resource with one of their monthly free reads: when they have
    one left, or when they already opened this resource this month (it counts once).
    The library counts the free reads; this function only decides.
    """
    if can_read(user, resource):
        return True
    if resource.access_level != AccessLevel.MEMBERS:
        return False
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return already_read_this_month or free_reads_left > 0


def uses_free_read(user, resource) -> bool:
    """Would reading `resource` spend one of the person's monthly free reads?"""
    if can_read(user, resource):
        return False
    return resource.access_level == AccessLevel.MEMBERS and bool(
        user is not None and user.is_authenticated and user.is_active
    )


def member_required(view_func):
    """Let members (and staff) through; send others to sign in or to the join page."""

    @wraps(view_func)
    def _wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if is_member(user) or is_staff(user):
            return view_func(request, *args, **kwargs)
        return render(
            request,
            "members/join_required.html",
            {"lapsed": is_lapsed(user)},
            status=403,
        )

    return _wrapped


# --- Bulk queries --------------------------------------------------------------------


def _access_giving_subscriptions(now: datetime) -> Q:
    """Subscription rows that give access at `now`, in SQL (mirrors subscription_gives_access)."""
    yes = [s for s, a in STATUS_ACCESS.items() if a == StatusAccess.YES]
    grace = [s for s, a in STATUS_ACCESS.items() if a == StatusAccess.GRACE]
    grace_start = now - timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    # The grace runs from the first failed payment, else from the end of the paid period.
    grace_from = Coalesce("past_due_since", "current_period_end", "created_at")
    by_card = Q(collection_method=Subscription.CollectionMethod.CARD)
    overdue = Invoice.objects.filter(_overdue_invoice_q(now), subscription_id=OuterRef("pk"))
    return (
        Q(status__in=yes)
        | (Q(status__in=grace) & (~by_card | Q(GreaterThan(grace_from, grace_start))))
    ) & (by_card | ~Q(Exists(overdue)))


def members_now_q(*, member_type: str | None = None, now: datetime | None = None) -> Q:
    """A Q on User: people who are members at `now` (optionally of one member type), for
    bulk queries (newsletter audiences) where asking is_member() per person is too slow.

    The member type follows membership(): a personal subscription's plan, a seat's
    organisation type, or a grant's type; never the person's own profile.
    A person with memberships of two types matches either type.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    giving = _access_giving_subscriptions(now)
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
