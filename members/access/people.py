"""People and their roles: a person's membership and where it comes from, member,
lapsed, staff, editor, moderator, org admin; the content levels they may read; the
view decorator for members-only pages."""

import enum
from dataclasses import dataclass
from datetime import datetime
from functools import cache as once
from functools import wraps

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.db import connection, models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from members.access.membership_rows import (
    current_grants,
    holder_sql,
    subscriptions_that_may_give_access,
)
from members.access.seats_paid import SeatBeyondPaid, seat_gives_access, seats_notice_end
from members.access.subscriptions import (
    STATUSES_AWAITING_PAYMENT,
    end_of_day,
    subscription_gives_access,
)
from members.models import (
    MembershipGrant,
    MemberType,
    Organisation,
    Seat,
    Subscription,
    SubscriptionStatus,
    User,
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
            return end_of_day(self.grant.ends_on)
        if self.subscription is not None and self.subscription.ends_at_period_end:
            return self.subscription.current_period_end
        return None


# --- People --------------------------------------------------------------------------


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


def _seat_counts(user, organisation: Organisation, *, seats_ahead: int, paid: int, now) -> bool:
    """Does the person's seat in `organisation` give access, with `paid` seats paid for
    (access/seats_paid.py)? Notes the first seat beyond the paid ones, for their pages."""
    beyond = user._access_seat_beyond
    if seats_ahead >= paid and beyond is None:
        user._access_seat_beyond = SeatBeyondPaid(
            organisation=organisation, paid=paid, ends_at=seats_notice_end(organisation)
        )
    elif seats_ahead < paid and beyond is not None and beyond.organisation.pk == organisation.pk:
        # A larger staff grant to the same organisation covers the seat after all.
        user._access_seat_beyond = None
    return seat_gives_access(organisation, seats_ahead=seats_ahead, paid=paid, now=now)


def _find_membership(user, now: datetime) -> Membership | None:
    user._access_seat_beyond = None
    # A personal subscription first, then seats, newest first (the order of the rows).
    for subscription in subscriptions_that_may_give_access(user):
        if not subscription_gives_access(subscription, now=now):
            continue
        if subscription.organisation_id is None or _seat_counts(
            user,
            subscription.organisation,
            seats_ahead=subscription.seats_ahead,
            paid=subscription.quantity,
            now=now,
        ):
            return _membership_from_subscription(user, subscription)
    for grant in current_grants(user, timezone.localdate(now)):
        if grant.organisation_id is None or _seat_counts(
            user, grant.organisation, seats_ahead=grant.seats_ahead, paid=grant.seats, now=now
        ):
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


def seat_beyond_paid(user) -> SeatBeyondPaid | None:
    """The person's seat beyond the seats its organisation pays for, when it decides
    their access: still giving it during the notice (their page says until when), or no
    longer. None while another membership of theirs gives access, and for everyone else.
    Found with the membership: no query of its own."""
    current = membership(user)
    if current is not None and current.source != Source.SEAT:
        return None
    beyond = getattr(user, "_access_seat_beyond", None)
    if beyond is None:
        return None
    if current is not None and current.organisation.pk != beyond.organisation.pk:
        return None  # another organisation's seat gives access
    return beyond


def forget(user) -> None:
    """Drop what this request has worked out about `user` (after changing a membership)."""
    for attribute in (
        "_access_membership",
        "_access_seat_beyond",
        "_access_was_member",
        "_access_held_personally",
        "_access_standing",
        "_access_emails",
        "_access_colleague_organisation",
    ):
        if hasattr(user, attribute):
            delattr(user, attribute)


def is_member(user) -> bool:
    return membership(user) is not None


def member_type(user) -> str | None:
    current = membership(user)
    return current.member_type if current else None


def was_ever_member(user) -> bool:
    if not hasattr(user, "_access_was_member"):
        # Asked along with the person's standing: one round trip for both.
        _standing(user, with_history=True)
    return user._access_was_member


def is_lapsed(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return not is_member(user) and was_ever_member(user)


def lapsed_through_organisation(user) -> Organisation | None:
    """For a lapsed person whose membership only ever came through a seat they still hold,
    the organisation: its membership has to be renewed, not theirs, and buying one of
    their own would pay twice for what their employer pays. None otherwise, and for the
    organisation's own admins, who renew it from the membership page."""
    # is_lapsed asked the person's history, whether held personally included.
    if not is_lapsed(user) or is_org_admin(user) or user._access_held_personally:
        return None
    seat = Seat.objects.filter(user=user).select_related("organisation").order_by("-pk").first()
    return seat.organisation if seat is not None else None


def lapsed_owing_payment(user) -> bool:
    """Is a lapsed person's membership closed only until a payment is made? The newest
    subscription they pay for (their own, or one of an organisation they administer, as
    the account page's billing panel reads it) is one Stripe holds open for a payment:
    paying it opens the membership again, and buying another would be charged beside it."""
    if not is_lapsed(user):
        return False
    holders = models.Q(user=user) | models.Q(
        organisation__seats__user=user, organisation__seats__is_admin=True
    )
    newest = (
        Subscription.objects.filter(holders)
        .exclude(status=SubscriptionStatus.INCOMPLETE_EXPIRED)
        .order_by("-created_at")
        .values_list("status", flat=True)
        .first()
    )
    return newest in STATUSES_AWAITING_PAYMENT


@dataclass(frozen=True)
class _Standing:
    moderator: bool
    editor: bool
    org_admin: bool
    room_moderator: bool  # named to moderate at least one forum room


@once
def _standing_sql() -> tuple[str, str]:
    """The standing query, and the two history columns a non-member's pages add to it.

    Written out rather than built with the ORM: every signed-in page asks it, and the
    ORM spent ten times the database's own time composing three EXISTS subqueries.
    Table names come from the models, so it follows them."""
    in_groups = (
        f"SELECT 1 FROM {User.groups.through._meta.db_table} ug "
        f"JOIN {Group._meta.db_table} g ON g.id = ug.group_id "
        "WHERE ug.user_id = %(user)s AND g.name = "
    )
    seat = Seat._meta.db_table
    # The forum's rooms name their own moderators; looked up by name, as the forum builds
    # on this module rather than the other way round.
    room_moderators = apps.get_model("forum", "Category").moderators.through._meta.db_table
    standing = (
        f"SELECT EXISTS ({in_groups}%(moderators)s), EXISTS ({in_groups}%(editors)s), "
        f"EXISTS (SELECT 1 FROM {seat} WHERE user_id = %(user)s AND is_admin), "
        f"EXISTS (SELECT 1 FROM {room_moderators} WHERE user_id = %(user)s)"
    )
    held = holder_sql("h")
    history = (
        f", EXISTS (SELECT 1 FROM {Subscription._meta.db_table} h WHERE {held} "
        "AND h.status NOT IN (%(incomplete)s, %(incomplete_expired)s)), "
        f"EXISTS (SELECT 1 FROM {MembershipGrant._meta.db_table} h WHERE {held} "
        "AND h.starts_on <= %(today)s), "
        # Held personally, not through a seat (lapsed_through_organisation).
        f"EXISTS (SELECT 1 FROM {Subscription._meta.db_table} h WHERE h.user_id = %(user)s "
        "AND h.status NOT IN (%(incomplete)s, %(incomplete_expired)s)) "
        f"OR EXISTS (SELECT 1 FROM {MembershipGrant._meta.db_table} h "
        "WHERE h.user_id = %(user)s AND h.starts_on <= %(today)s)"
    )
    return standing, history


def _standing_ask(user, *, with_history: bool) -> _Standing:
    """Ask the person's standing (with their history when `with_history`) in one
    statement, and keep both on the user object for the rest of the request."""
    standing, history = _standing_sql()
    params = {
        "user": user.pk,
        "moderators": MODERATORS_GROUP,
        "editors": EDITORS_GROUP,
        "incomplete": SubscriptionStatus.INCOMPLETE,
        "incomplete_expired": SubscriptionStatus.INCOMPLETE_EXPIRED,
        "today": timezone.localdate().isoformat(),
    }
    with connection.cursor() as cursor:
        cursor.execute(standing + history if with_history else standing, params)
        row = [bool(value) for value in cursor.fetchone()]
    if with_history:
        user._access_was_member = row[4] or row[5]
        user._access_held_personally = row[6]
    user._access_standing = _Standing(*row[:4])
    return user._access_standing


def _standing(user, *, with_history: bool = False) -> _Standing:
    """The person's groups and whether they administer an organisation, asked together
    once per request; with whether they were ever a member (subscriptions other than
    abandoned checkouts, grants that have begun) when a page asks that too, or when
    they hold no membership now, since only then is it asked (is_lapsed)."""
    cached = getattr(user, "_access_standing", None)
    ask_history = not hasattr(user, "_access_was_member") and (
        with_history or membership(user) is None
    )
    if cached is None or ask_history:
        cached = _standing_ask(user, with_history=ask_history)
    return cached


def is_appointed_moderator(user) -> bool:
    """Appointed to moderate (a group or a forum room), suspended or not? Every signed-in
    page asks (for two-factor): the standing with its history, which a non-member's page
    asks too, in one statement (a few indexed EXISTS cost less than a second trip)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_access_standing", None) or _standing_ask(user, with_history=True)
    return cached.moderator or cached.room_moderator


def is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def is_moderator(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or _standing(user).moderator


def is_editor(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or _standing(user).editor


def is_org_admin(user, organisation: Organisation | None = None) -> bool:
    """Admin of `organisation`, or of any organisation when none is named."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if organisation is None:
        return _standing(user).org_admin
    return Seat.objects.filter(user=user, is_admin=True, organisation=organisation).exists()


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


def can_download_data_export(user, data_request) -> bool:
    """A person's data download is theirs alone: not staff's, not a colleague's."""
    return (
        user.is_authenticated
        and not getattr(user, "is_erased", False)
        and data_request.user_id == user.pk
    )
