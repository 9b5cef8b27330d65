"""People, organisations, plans and memberships.

Whether a person may read something is decided in members/access/ from these rows;
nothing else tests their fields.

Split by concept; every model is imported here, so `from members.models import X` is
the one way to name one (app label "members" and table names are unchanged):
    people          User, MemberType, Region
    organisations   Organisation, Seat, SeatRemoval, Invitation, OrganisationDetailsChange
    subscriptions   Plan, Subscription, SubscriptionStatus, ENDED_STATUSES
    grants          MembershipGrant, MemberTypeChangeRequest
    billing         Invoice, StripeEvent, Dispute, InvoiceRequest
    data_rights     DataRequest (access and erasure requests)
"""

from members.models.billing import Dispute, Invoice, InvoiceRequest, StripeEvent
from members.models.data_rights import DataRequest
from members.models.grants import MembershipGrant, MemberTypeChangeRequest
from members.models.organisations import (
    Invitation,
    Organisation,
    OrganisationDetailsChange,
    Seat,
    SeatRemoval,
)
from members.models.people import MemberType, Region, User, UserManager
from members.models.subscriptions import ENDED_STATUSES, Plan, Subscription, SubscriptionStatus

__all__ = [
    "ENDED_STATUSES",
    "DataRequest",
    "Dispute",
    "Invitation",
    "Invoice",
    "InvoiceRequest",
    "MemberType",
    "MemberTypeChangeRequest",
    "MembershipGrant",
    "Organisation",
    "OrganisationDetailsChange",
    "Plan",
    "Region",
    "Seat",
    "SeatRemoval",
    "StripeEvent",
    "Subscription",
    "SubscriptionStatus",
    "User",
    "UserManager",
]
