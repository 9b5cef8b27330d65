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
add to it). Pending invitations hold seats (members/organisations/seats.py counts them).
A seat holder of an organisation whose membership gives access is a member while their
seat is one of those paid for. When the seats paid for fall below the seats in use, the
seats beyond them are chosen in one fair order (members/access/seats_paid.py: admins
first, then by when the seat was taken; invitations after all people): invitations
beyond cannot be accepted, and seats beyond give access for
ORGANISATION_SEATS_NOTICE_DAYS (setting, 14) more, while the admin adds seats or
removes people. No one can be invited meanwhile.

The functions other apps use:
    membership(user)         -> Membership | None: the membership giving access and its source
    is_member(user), is_lapsed(user)            -> bool
    lapsed_through_organisation(user) -> Organisation | None: whose membership a lapsed
                             seat holder waits on (they ask its admin rather than renew)
    lapsed_owing_payment(user) -> bool: a lapsed person's membership waits on a payment
                             (they pay it rather than renew)
    member_type(user)        -> str | None: the MemberType of the current membership
    roles(user)              -> frozenset[Role]
    is_moderator(user), is_editor(user), is_staff(user)
    is_org_admin(user, organisation=None)
    organisations_managed_by(user)              -> QuerySet[Organisation] (admin seats)
    organisation_membership(organisation)      -> OrganisationMembership | None
    organisation_seats(organisation)            -> int: seats the organisation may fill
    seats_beyond_paid(organisation, ...) -> SeatsBeyondPaid | None: the seats and
                             invitations beyond the paid seats, from lists a page loaded
    seat_beyond_paid(user)   -> SeatBeyondPaid | None: the person's own, when it decides
                             their access (giving it until the notice ends, or not)
    invitation_is_for(user, invitation)         -> bool: a verified address of theirs
    verified_addresses(user) -> QuerySet: their verified addresses, lower-cased, to
                             filter by in the same query
    can_claim_seat(user, organisation)          -> bool: by verified email domain
    colleague_organisation(user) -> Organisation | None: a member organisation at their
                             verified domain where they hold no seat (ask its admin)
    subscription_gives_access(subscription)     -> bool (the table above)
    invoice_overdue(subscription)               -> bool (the invoice rule above)
    grace_period_end(subscription)              -> datetime | None
    can_read_level(user, level) -> bool: content marked with an AccessLevel
    can_read_for_member_type(user, level, restricted_to) -> bool: one type's content
                             (the library's own rules, free reads included, are in
                             practice_library/access.py, built on these)
    @member_required         view decorator: sign in, then membership, else a join page
    members_now_q(member_type=None)             -> Q on User, for bulk audiences
    memberships_now(user_ids=None)  -> {user id: BulkMembership}: source, type and
                             organisation of each current member, for counting
    seat_use()                  -> [SeatUse]: seats filled and held, per organisation
    membership_changes(start, end) -> MembershipChanges: held, joined, lapsed (churn)

Nothing is cached across requests, so a lapsed member loses access on their next
request. Within one request the membership is worked out once and kept on the user
object (request.user is loaded afresh for every request); code that changes a
membership and asks again about the same user object calls `forget(user)`.
"""

from members.access.bulk import (
    BulkMembership,
    MembershipChanges,
    SeatUse,
    members_now_q,
    membership_changes,
    memberships_now,
    seat_use,
)
from members.access.organisations import (
    OrganisationMembership,
    can_claim_seat,
    claimable_organisations,
    colleague_organisation,
    email_domain,
    invitation_is_for,
    organisation_admins,
    organisation_membership,
    organisation_seats,
    organisations_managed_by,
    seat_taken_back,
    verified_addresses,
    verified_emails,
)
from members.access.people import (
    EDITORS_GROUP,
    MODERATORS_GROUP,
    AccessLevel,
    Membership,
    Role,
    Source,
    can_download_data_export,
    can_read_for_member_type,
    can_read_level,
    forget,
    is_appointed_moderator,
    is_editor,
    is_lapsed,
    is_member,
    is_moderator,
    is_org_admin,
    is_staff,
    lapsed_owing_payment,
    lapsed_through_organisation,
    member_required,
    member_type,
    membership,
    roles,
    seat_beyond_paid,
    was_ever_member,
)
from members.access.seats_paid import (
    SEAT_ORDER,
    SeatBeyondPaid,
    SeatsBeyondPaid,
    invitations_held_before,
    seats_beyond_paid,
    seats_notice_end,
)
from members.access.subscriptions import (
    STATUS_ACCESS,
    STATUSES_AWAITING_PAYMENT,
    StatusAccess,
    grace_period_end,
    invoice_overdue,
    subscription_gives_access,
)

__all__ = [
    "EDITORS_GROUP",
    "MODERATORS_GROUP",
    "STATUS_ACCESS",
    "STATUSES_AWAITING_PAYMENT",
    "AccessLevel",
    "Membership",
    "OrganisationMembership",
    "Role",
    "Source",
    "StatusAccess",
    "can_claim_seat",
    "can_download_data_export",
    "can_read_for_member_type",
    "can_read_level",
    "claimable_organisations",
    "colleague_organisation",
    "email_domain",
    "forget",
    "grace_period_end",
    "invitation_is_for",
    "invoice_overdue",
    "is_appointed_moderator",
    "is_editor",
    "is_lapsed",
    "lapsed_owing_payment",
    "lapsed_through_organisation",
    "is_member",
    "is_moderator",
    "is_org_admin",
    "is_staff",
    "member_required",
    "member_type",
    "members_now_q",
    "memberships_now",
    "BulkMembership",
    "MembershipChanges",
    "SeatUse",
    "membership_changes",
    "seat_use",
    "membership",
    "organisation_admins",
    "organisation_membership",
    "organisation_seats",
    "organisations_managed_by",
    "roles",
    "seat_taken_back",
    "SEAT_ORDER",
    "SeatBeyondPaid",
    "SeatsBeyondPaid",
    "invitations_held_before",
    "seat_beyond_paid",
    "seats_beyond_paid",
    "seats_notice_end",
    "subscription_gives_access",
    "verified_addresses",
    "verified_emails",
    "was_ever_member",
]
