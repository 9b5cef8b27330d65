"""Subscriptions and grants: which of Stripe's states give access (STATUS_ACCESS), the
grace after a failed payment, the invoice rule, and the same rules in SQL for bulk
queries. The rules themselves are described in members/access/__init__.py."""

import enum
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from members.models import (
    Invoice,
    MembershipGrant,
    Subscription,
    SubscriptionStatus,
)


class StatusAccess(enum.Enum):
    YES = "yes"
    GRACE = "grace"  # yes, until the grace period after the first failed payment ends
    NO = "no"


# Stripe's subscription states and the access each gives. One table, read by
# subscription_gives_access() and its SQL twin access_giving_subscriptions() only.
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
STATUSES_THAT_MAY_GIVE_ACCESS = [s for s, a in STATUS_ACCESS.items() if a != StatusAccess.NO]

# States Stripe keeps a subscription open in while a payment is owed: it goes on invoicing,
# and paying brings it back, so a second membership bought meanwhile would be charged too.
STATUSES_AWAITING_PAYMENT = [SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID]

# Invoices that still ask to be paid: open (sent, waiting) and uncollectible (written off
# by Stripe after failed collection). Draft ones are not sent yet; void ones are not owed.
UNPAID_INVOICE_STATUSES = [Invoice.Status.OPEN, Invoice.Status.UNCOLLECTIBLE]


def end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.max.time()))


# --- Subscriptions -------------------------------------------------------------------


def grace_period_end(subscription: Subscription) -> datetime | None:
    """When a past_due subscription stops giving access.

    By card, the grace runs from the first failed payment (`past_due_since`, set by billing
    when the subscription turns past_due); when that is missing, from the end of the paid
    period. By invoice, from the due date of the oldest invoice still unpaid (the invoice
    rule), when there is one.
    """
    if subscription.collection_method == Subscription.CollectionMethod.INVOICE:
        due = _earliest_unpaid_due(subscription)
        if due is not None:
            return due + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    start = (
        subscription.past_due_since or subscription.current_period_end or subscription.created_at
    )
    if start is None:
        return None
    return start + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)


def unpaid_invoice_q(*, due_before: datetime) -> Q:
    """Invoices due before `due_before`, neither paid through Stripe nor marked paid by
    staff (a bank transfer)."""
    return Q(status__in=UNPAID_INVOICE_STATUSES, paid_out_of_band=False, due_date__lt=due_before)


def overdue_invoice_q(now: datetime) -> Q:
    """Invoices unpaid for longer than the grace period after their due date."""
    return unpaid_invoice_q(due_before=now - timedelta(days=settings.MEMBERSHIP_GRACE_DAYS))


def with_earliest_unpaid_due(subscriptions: QuerySet[Subscription]) -> QuerySet[Subscription]:
    """Each subscription with the due date of its oldest unpaid invoice: the invoice rule
    is then decided from the subscription's own row, in the query that finds it."""
    oldest_unpaid = (
        Invoice.objects.filter(
            subscription=OuterRef("pk"),
            status__in=UNPAID_INVOICE_STATUSES,
            paid_out_of_band=False,
            due_date__isnull=False,
        )
        .order_by("due_date")
        .values("due_date")[:1]
    )
    return subscriptions.annotate(earliest_unpaid_due=Subquery(oldest_unpaid))


def _earliest_unpaid_due(subscription: Subscription) -> datetime | None:
    if hasattr(subscription, "earliest_unpaid_due"):
        return subscription.earliest_unpaid_due
    return (
        subscription.invoices.filter(
            status__in=UNPAID_INVOICE_STATUSES, paid_out_of_band=False, due_date__isnull=False
        )
        .order_by("due_date")
        .values_list("due_date", flat=True)
        .first()
    )


def invoice_overdue(subscription: Subscription, *, now: datetime | None = None) -> bool:
    """Has an invoice of this subscription stayed unpaid past its due date plus the grace?"""
    now = now or timezone.now()
    if not hasattr(subscription, "earliest_unpaid_due"):
        return subscription.invoices.filter(overdue_invoice_q(now)).exists()
    due = subscription.earliest_unpaid_due
    return due is not None and due < now - timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)


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


def first_giving_subscription(subscriptions, now: datetime) -> Subscription | None:
    for subscription in subscriptions:
        if subscription_gives_access(subscription, now=now):
            return subscription
    return None


def current_grants(today) -> QuerySet[MembershipGrant]:
    return MembershipGrant.objects.filter(starts_on__lte=today, ends_on__gte=today)


def access_giving_subscriptions(now: datetime) -> Q:
    """Subscription rows that give access at `now`, in SQL (mirrors subscription_gives_access)."""
    yes = [s for s, a in STATUS_ACCESS.items() if a == StatusAccess.YES]
    grace = [s for s, a in STATUS_ACCESS.items() if a == StatusAccess.GRACE]
    grace_start = now - timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    # The grace runs from the first failed payment, else from the end of the paid period.
    grace_from = Coalesce("past_due_since", "current_period_end", "created_at")
    by_card = Q(collection_method=Subscription.CollectionMethod.CARD)
    overdue = Invoice.objects.filter(overdue_invoice_q(now), subscription_id=OuterRef("pk"))
    return (
        Q(status__in=yes)
        | (Q(status__in=grace) & (~by_card | Q(GreaterThan(grace_from, grace_start))))
    ) & (by_card | ~Q(Exists(overdue)))
