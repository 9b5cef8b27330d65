"""Business operations on memberships: paying by card (Stripe Checkout and the
Customer Portal) and what the account page shows. Paying by invoice against a PO
number is members/billing/invoicing.py.

Stripe is reached through members/billing/gateway.py only. What Stripe then tells us through
webhooks is applied by members/billing/sync.py; reminder emails are members/billing/notices.py.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from members import access
from members.billing import gateway
from members.billing.sync import (
    META_ORGANISATION,
    META_PLAN,
    META_USER,
    subscription_write,
)
from members.models import (
    Invoice,
    InvoiceRequest,
    Organisation,
    Plan,
    Seat,
    Subscription,
    SubscriptionStatus,
    User,
)
from network.mail import site_url

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = (
    "We could not reach our payment provider just now, so nothing has been charged or "
    "set up. Please try again in a few minutes."
)


ALREADY_PERSONAL_MEMBER = (
    "You already have a personal membership. Change your plan from your account page instead."
)


PAYMENT_OUTSTANDING = (
    "Your membership has a payment outstanding. Pay it from your account page and your "
    "membership opens again: a new membership now would be charged as well as the old one. "
    "Contact us if you would rather end the old one."
)


def is_second_personal_membership(user: User, plan: Plan) -> bool:
    """Would `plan` give `user` a second personal membership (billing them twice)? Card
    checkout and invoice requests both refuse it."""
    current = access.membership(user)
    return (
        plan.holder == Plan.Holder.INDIVIDUAL
        and current is not None
        and current.source == access.Source.PERSONAL
    )


def personal_payment_outstanding(user: User, plan: Plan) -> bool:
    """Would `plan` start a personal membership beside one of `user`'s that Stripe still
    holds open for an unpaid invoice? Card checkout and invoice requests both refuse it."""
    return (
        plan.holder == Plan.Holder.INDIVIDUAL
        and Subscription.objects.filter(
            user=user, status__in=access.STATUSES_AWAITING_PAYMENT
        ).exists()
    )


def card_payments_enabled() -> bool:
    """Without Stripe keys the membership page offers invoice requests and grants only."""
    return gateway.is_configured()


# --- Paying by card: Checkout and the Customer Portal ----------------------------------


def unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def organisation_for_buyer(
    *, user: User, name: str, org_type: str, region: str = ""
) -> Organisation:
    """The organisation `user` buys for: one they already run (by name), else a new one
    with them as its admin. Must run inside the caller's transaction.

    An organisation whose membership is running is refused: its seats and plan change in
    the billing portal, not with a second subscription."""
    existing = (
        Organisation.objects.filter(seats__user=user, seats__is_admin=True, name__iexact=name)
        .prefetch_related("subscriptions")
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        subscriptions = existing.subscriptions.all()
        if any(access.subscription_gives_access(s) for s in subscriptions):
            raise ValidationError(
                {
                    "organisation_name": f"{existing} already has a membership. Change its "
                    "seats or plan from your account page."
                }
            )
        if any(s.status in access.STATUSES_AWAITING_PAYMENT for s in subscriptions):
            raise ValidationError(
                {
                    "organisation_name": f"{existing}'s membership has a payment outstanding. "
                    "Pay it from your account page and its seats open again: a new membership "
                    "now would be charged as well as the old one."
                }
            )
        return existing
    organisation = Organisation(name=name, slug=unique_slug(name), org_type=org_type, region=region)
    organisation.full_clean()
    organisation.save()
    # The buyer takes the first of the paid seats (see members/organisations/seats.py).
    Seat.objects.create(
        organisation=organisation,
        user=user,
        is_admin=True,
        slot=1,
        taken_through=Seat.TakenThrough.CREATOR,
    )
    return organisation


def customer_id_for_user(user: User) -> str:
    """The Stripe customer of the person's own card-paid subscriptions, if any (one paid by
    invoice belongs to the body that pays it)."""
    return (
        Subscription.objects.filter(user=user, collection_method=Subscription.CollectionMethod.CARD)
        .exclude(stripe_customer_id="")
        .order_by("-created_at")
        .values_list("stripe_customer_id", flat=True)
        .first()
        or ""
    )


def trial_days_for(user: User, plan: Plan) -> int:
    """A trial is for newcomers, not for people coming back."""
    return 0 if access.was_ever_member(user) else plan.trial_days


def checkout_start(*, user: User, plan: Plan, organisation_name: str = "", region: str = "") -> str:
    """Open a Stripe Checkout session for `plan`; the address to send the buyer to.

    Nothing local is kept if Stripe cannot be reached (StripeUnavailable propagates
    out of the transaction). Membership starts when Stripe's webhook confirms it.
    """
    if not plan.is_active or not plan.stripe_price_id or not card_payments_enabled():
        raise ValidationError("This plan cannot be paid by card.")
    if personal_payment_outstanding(user, plan):
        raise ValidationError(PAYMENT_OUTSTANDING)
    metadata = {META_USER: str(user.pk), META_PLAN: str(plan.pk)}
    with transaction.atomic(durable=True):
        customer_id = ""
        min_quantity = None
        if plan.holder == Plan.Holder.ORGANISATION:
            if not organisation_name.strip():
                raise ValidationError({"organisation_name": "Enter your organisation's name."})
            organisation = organisation_for_buyer(
                user=user,
                name=organisation_name.strip(),
                org_type=plan.member_type,
                region=region,
            )
            metadata[META_ORGANISATION] = str(organisation.pk)
            customer_id = organisation.stripe_customer_id
            min_quantity = plan.seats
        else:
            customer_id = customer_id_for_user(user)
        trial_days = trial_days_for(user, plan)
        session = gateway.checkout_session_create(
            price_id=plan.stripe_price_id,
            quantity=plan.seats,
            min_quantity=min_quantity,
            customer_id=customer_id or None,
            customer_email=user.email,
            trial_days=trial_days,
            allow_promotion_codes=plan.allow_promotion_codes,
            metadata=metadata,
            client_reference_id=str(user.pk),
            success_url=site_url(reverse("billing:checkout_return"))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=site_url(reverse("membership")) + "?checkout=cancelled",
            idempotency_key=f"checkout-{user.pk}-{plan.pk}-{timezone.now():%Y%m%d%H%M%S}",
        )
    logger.info("checkout started user=%s plan=%s session=%s", user.pk, plan.slug, session.id)
    return session.url


@dataclass(frozen=True)
class CheckoutOutcome:
    """What the return page tells the buyer."""

    state: str  # "started", "confirming" or "not_completed"
    subscription: Subscription | None = None


def checkout_outcome(*, user: User, session_id: str) -> CheckoutOutcome | None:
    """Where the buyer's Checkout session stands; None when it is not theirs."""
    session = gateway.checkout_session_get(session_id)
    if session.client_reference_id != str(user.pk) or session.mode != "subscription":
        return None
    if session.status != "complete":
        return CheckoutOutcome(state="not_completed")
    subscription = (
        Subscription.objects.select_related("plan", "organisation")
        .filter(stripe_subscription_id=session.subscription_id)
        .first()
        if session.subscription_id
        else None
    )
    if subscription is not None and access.subscription_gives_access(subscription):
        return CheckoutOutcome(state="started", subscription=subscription)
    return CheckoutOutcome(state="confirming", subscription=subscription)


def billing_customer_for(user: User) -> str:
    """The Stripe customer whose billing `user` may manage: their own, else that of an
    organisation they administer."""
    own = customer_id_for_user(user)
    if own:
        return own
    organisation = (
        Organisation.objects.filter(seats__user=user, seats__is_admin=True)
        .exclude(stripe_customer_id="")
        .order_by("-created_at")
        .first()
    )
    if organisation is not None and access.is_org_admin(user, organisation):
        return organisation.stripe_customer_id
    # A personal membership paid by invoice: its invoices are in the payer's portal.
    return (
        Subscription.objects.filter(user=user)
        .exclude(stripe_customer_id="")
        .order_by("-created_at")
        .values_list("stripe_customer_id", flat=True)
        .first()
        or ""
    )


def portal_url(*, user: User) -> str:
    """A Customer Portal session for the person's billing; raises ValidationError when
    they have nothing to manage."""
    customer_id = billing_customer_for(user)
    if not customer_id or not card_payments_enabled():
        raise ValidationError("There is no billing account to manage yet.")
    return gateway.portal_session_create(
        customer_id=customer_id, return_url=site_url(reverse("members:account"))
    )


# --- The account page's billing panel --------------------------------------------------


@dataclass(frozen=True)
class BillingSummary:
    """What the membership panel of the account page shows about billing."""

    subscription: Subscription | None
    invoices: list[Invoice]
    payment_problem: bool
    # The payment page of an invoice whose payment waits for the payer to confirm it with
    # their bank (3-D Secure): their card is fine, so "update your card" would mislead.
    confirm_url: str
    grace_end: datetime | None
    can_manage: bool
    # The person's latest request to join or pay by invoice, whatever its state, so the
    # account page says whether it is waiting, approved or declined, and since when.
    latest_request: InvoiceRequest | None


def billing_summary(user: User) -> BillingSummary:
    """The subscription the person pays or manages (their own, else one of an
    organisation they administer), its recent invoices and any payment problem."""
    holders = Q(user=user) | Q(organisation__seats__user=user, organisation__seats__is_admin=True)
    subscription = (
        Subscription.objects.filter(holders)
        .exclude(status__in=[SubscriptionStatus.INCOMPLETE_EXPIRED])
        .select_related("plan", "organisation", "renewal_stopped_by")
        .order_by("-created_at")
        .first()
    )
    invoices: list[Invoice] = []
    problem = False
    confirm_url = ""
    grace_end = None
    if subscription is not None:
        invoices = list(subscription.invoices.all()[:5])
        problem = subscription.status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID)
        waiting = [i for i in invoices if i.awaits_confirmation and i.hosted_invoice_url]
        if problem and waiting:
            confirm_url = waiting[0].hosted_invoice_url
        # Only while the grace still runs: once it is over, the page says access is closed.
        if problem and access.subscription_gives_access(subscription):
            grace_end = access.grace_period_end(subscription)
    latest_request = (
        InvoiceRequest.objects.filter(requested_by=user)
        .select_related("plan", "organisation")
        .order_by("-created_at", "-pk")
        .first()
    )
    return BillingSummary(
        subscription=subscription,
        invoices=invoices,
        payment_problem=problem,
        confirm_url=confirm_url,
        grace_end=grace_end,
        can_manage=card_payments_enabled()
        and subscription is not None
        and bool(subscription.stripe_customer_id),
        latest_request=latest_request,
    )


def personal_subscriptions_cancel(*, user: User) -> list[Subscription]:
    """End every live personal subscription of a person at once (their account is being
    erased): in Stripe first, then our copy from Stripe's answer. The rows stay as billing
    records. Without a Stripe id (none was ever made) or without Stripe keys (the
    embedded default) only our row changes."""
    cancelled = []
    live = Subscription.objects.filter(user=user).exclude(
        status__in=[SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED]
    )
    for subscription in live:
        if not subscription.stripe_subscription_id or not gateway.is_configured():
            subscription.status = SubscriptionStatus.CANCELED
            subscription.ended_at = timezone.now()
            subscription.save(update_fields=["status", "ended_at"])
            cancelled.append(subscription)
            continue
        state = gateway.subscription_cancel(subscription.stripe_subscription_id)
        with transaction.atomic():
            current = Subscription.objects.select_for_update().get(pk=subscription.pk)
            cancelled.append(
                subscription_write(
                    state=state,
                    user=current.user,
                    organisation=current.organisation,
                    plan=current.plan,
                    current=current,
                )
            )
        logger.info("subscription %s cancelled for erasure", subscription.stripe_subscription_id)
    return cancelled
