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
add to it). Pending invitations hold seats (members/organisations/seats.py counts them). Every
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
    can_read_level(user, level) -> bool: content marked with an AccessLevel
    can_read_for_member_type(user, level, restricted_to) -> bool: one type's content
                             (the library's own rules, free reads included, are in
                             practice_library/access.py, built on these)
    @member_required         view decorator: sign in, then membership, else a join page
    members_now_q(member_type=None)             -> Q on User, for bulk audiences

Nothing is cached across requests, so a lapsed member loses access on their next
request. Within one request the membership is worked out once and kept on the user
object (request.user is loaded afresh for every request); code that changes a
membership and asks again about the same user object calls `forget(user)`.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from members.access.bulk import members_now_q
from members.access.organisations import (
    OrganisationMembership,
    can_claim_seat,
    claimable_organisations,
    email_domain,
    invitation_is_for,
    organisation_membership,
    organisation_seats,
    organisations_managed_by,
    verified_emails,
)
from members.access.people import (
    EDITORS_GROUP,
    MODERATORS_GROUP,
    AccessLevel,
    Membership,
    Role,
    Source,
    can_read_for_member_type,
    can_read_level,
    forget,
    is_editor,
    is_lapsed,
    is_member,
    is_moderator,
    is_org_admin,
    is_staff,
    member_required,
    member_type,
    membership,
    roles,
    was_ever_member,
)
from members.access.subscriptions import (
    STATUS_ACCESS,
    StatusAccess,
    grace_period_end,
    invoice_overdue,
    subscription_gives_access,
)
from members.models import MemberType

__all__ = [
    "EDITORS_GROUP",
    "MODERATORS_GROUP",
    "STATUS_ACCESS",
    "AccessLevel",
    "Membership",
    "OrganisationMembership",
    "Role",
    "Source",
    "StatusAccess",
    "can_claim_seat",
    "can_read_for_member_type",
    "can_read_level",
    "claimable_organisations",
    "email_domain",
    "forget",
    "grace_period_end",
    "invitation_is_for",
    "invoice_overdue",
    "is_editor",
    "is_lapsed",
    "is_member",
    "is_moderator",
    "is_org_admin",
    "is_staff",
    "member_required",
    "member_type",
    "members_now_q",
    "membership",
    "organisation_membership",
    "organisation_seats",
    "organisations_managed_by",
    "roles",
    "subscription_gives_access",
    "verified_emails",
    "was_ever_member",
]


# ======================================================================================
# Forum
# ======================================================================================
# Who may read and post in which forum category, moderate it, and see, edit or report
# which post. Categories carry their audience (`<type>_may_read`, `<type>_may_post`,
# `registered_may_read`); posts their `state`. The forum's models are looked up by name
# so that this module imports no other app.
#
#   anonymous            reads nothing (the forum needs signing in)
#   registered, lapsed   read categories open to registered non-members; never post
#   member               reads and posts where their member type is allowed
#   category moderator   reads and posts in their categories (Category.moderators)
#   moderator, staff     read and post everywhere; moderators moderate everywhere
# A member suspended from the forum (forum.Suspension in force) reads but cannot post.

_FORUM_READ_FIELD = {
    MemberType.PROVIDER: "providers_may_read",
    MemberType.COMMISSIONER: "commissioners_may_read",
    MemberType.POLICY: "policy_may_read",
}
_FORUM_POST_FIELD = {
    MemberType.PROVIDER: "providers_may_post",
    MemberType.COMMISSIONER: "commissioners_may_post",
    MemberType.POLICY: "policy_may_post",
}


def _forum_model(name: str):
    from django.apps import apps

    return apps.get_model("forum", name)


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _moderates_everything(user) -> bool:
    return is_moderator(user) or is_staff(user)


def _moderated_category_ids(user) -> frozenset[int]:
    """Categories this person moderates by name (Category.moderators), once per request."""
    cached = getattr(user, "_access_forum_moderated", None)
    if cached is None:
        through = _forum_model("Category").moderators.through
        cached = frozenset(through.objects.filter(user=user).values_list("category_id", flat=True))
        user._access_forum_moderated = cached
    return cached


def is_category_moderator(user, category) -> bool:
    """May `user` moderate posts and threads in `category`?"""
    if not _signed_in(user):
        return False
    if is_moderator(user):
        return True
    return category.pk in _moderated_category_ids(user)


def is_forum_moderator(user) -> bool:
    """Does `user` moderate at least one category (the review queue opens for them)?"""
    if not _signed_in(user):
        return False
    return is_moderator(user) or bool(_moderated_category_ids(user))


def forget_forum(user) -> None:
    """Drop what this request has worked out about `user`'s forum roles and suspension."""
    for attribute in ("_access_forum_moderated", "_access_forum_suspended"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def is_suspended_from_forum(user) -> bool:
    """Is a forum suspension in force for `user` now?"""
    if not _signed_in(user):
        return False
    cached = getattr(user, "_access_forum_suspended", None)
    if cached is None:
        cached = _forum_model("Suspension").objects.in_force().filter(member=user).exists()
        user._access_forum_suspended = cached
    return cached


def forum_suspension(user):
    """The suspension in force for `user` (to show its reason and end), or None."""
    if not _signed_in(user):
        return None
    return (
        _forum_model("Suspension").objects.in_force().filter(member=user).order_by("-until").first()
    )


def can_read_category(user, category) -> bool:
    if not _signed_in(user):
        return False
    if _moderates_everything(user):
        return True
    current_type = member_type(user)
    if current_type is not None and getattr(category, _FORUM_READ_FIELD[current_type], False):
        return True
    if current_type is None and category.registered_may_read:
        return True
    return category.pk in _moderated_category_ids(user)


def can_post_in_category(user, category) -> bool:
    """May `user` start threads and reply in `category` (locks aside: see can_reply)?"""
    if not _signed_in(user):
        return False
    if is_suspended_from_forum(user):
        return False
    if _moderates_everything(user):
        return True
    if category.pk in _moderated_category_ids(user):
        return True
    current_type = member_type(user)
    if current_type is None:
        return False
    return bool(getattr(category, _FORUM_POST_FIELD[current_type], False))


def readable_categories_q(user, *, prefix: str = "") -> Q:
    """A Q for the categories `user` may read; `prefix="category__"` filters threads,
    `prefix="thread__category__"` posts. Listings, search and digests all use it."""
    if not _signed_in(user):
        return Q(pk__in=[])
    if _moderates_everything(user):
        return Q()
    current_type = member_type(user)
    if current_type is not None:
        allowed = Q(**{f"{prefix}{_FORUM_READ_FIELD[current_type]}": True})
    else:
        allowed = Q(**{f"{prefix}registered_may_read": True})
    moderated = _moderated_category_ids(user)
    if moderated:
        allowed |= Q(**{f"{prefix}pk__in": sorted(moderated)})
    return allowed


def readable_categories(user):
    """The categories `user` may read, in their order."""
    return _forum_model("Category").objects.filter(readable_categories_q(user))


def can_read_thread(user, thread) -> bool:
    """Threads held for review or hidden are for their author (held) and moderators."""
    if not can_read_category(user, thread.category):
        return False
    if thread.state == "visible":
        return True
    if is_category_moderator(user, thread.category):
        return True
    return thread.state == "held" and thread.author_id == user.pk


def can_reply(user, thread) -> bool:
    if not can_post_in_category(user, thread.category) or not can_read_thread(user, thread):
        return False
    if thread.merged_into_id is not None:
        return False
    return not thread.is_locked or is_category_moderator(user, thread.category)


def can_see_post_body(user, post, *, category=None) -> bool:
    """Visible posts to every reader; held ones to their author and moderators; hidden
    ones to moderators; removed ones to nobody (the thread shows "removed")."""
    if post.state == "visible":
        return True
    if post.state == "removed":
        return False
    if is_category_moderator(user, category or post.thread.category):
        return True
    return post.state == "held" and post.author_id == getattr(user, "pk", None)


def can_edit_post(user, post, *, now: datetime | None = None) -> bool:
    """Authors edit their own posts within settings.FORUM_EDIT_WINDOW_MINUTES (while
    they may still post there); moderators edit any post in their categories."""
    category = post.thread.category
    if is_category_moderator(user, category):
        return post.state != "removed"
    if not _signed_in(user) or post.author_id != user.pk or post.state == "removed":
        return False
    if not can_post_in_category(user, category):
        return False
    now = now or timezone.now()
    return now - post.created_at <= timedelta(minutes=settings.FORUM_EDIT_WINDOW_MINUTES)


def can_delete_post(user, post) -> bool:
    """Authors remove their own posts (it leaves "removed" in the thread)."""
    if not _signed_in(user) or post.author_id != user.pk:
        return False
    return post.state in ("visible", "held") and not is_suspended_from_forum(user)


def can_report_post(user, post) -> bool:
    """Anyone signed in who can read a visible post may report it (safety first: a
    registered reader of an open category too); not their own, not while suspended."""
    if not _signed_in(user) or post.state != "visible" or post.author_id == user.pk:
        return False
    return not is_suspended_from_forum(user)


def can_react(user, post) -> bool:
    return (
        _signed_in(user)
        and post.state == "visible"
        and post.author_id != user.pk
        and can_post_in_category(user, post.thread.category)
    )


def category_readers_q(category) -> Q:
    """A Q on User: everyone who may read `category` now (mirrors can_read_category), so
    that notifications and emails reach only people who may read what they point to."""
    from django.contrib.auth import get_user_model

    group_members = get_user_model().groups.through.objects.filter(group__name=MODERATORS_GROUP)
    readers = Q(is_staff=True) | Q(is_superuser=True) | Q(pk__in=group_members.values("user"))
    readers |= Q(
        pk__in=category.moderators.through.objects.filter(category=category).values("user")
    )
    for type_, field_name in _FORUM_READ_FIELD.items():
        if getattr(category, field_name):
            readers |= members_now_q(member_type=type_)
    if category.registered_may_read:
        # Everyone signed in who is not a member reads it; members by their type above.
        readers |= ~members_now_q()
    return Q(is_active=True) & readers


def moderated_categories_q(user, *, prefix: str = "") -> Q:
    """A Q for the categories `user` moderates; `prefix="post__thread__category__"`
    filters the review queue, `prefix="category__"` threads."""
    if not _signed_in(user):
        return Q(pk__in=[])
    if is_moderator(user):
        return Q()
    return Q(**{f"{prefix}pk__in": sorted(_moderated_category_ids(user))})


def can_suspend_from_forum(user) -> bool:
    """Suspending a member stops them posting anywhere, so only moderators of the whole
    forum may (not people who moderate a category or two)."""
    return is_moderator(user)
