"""Business operations on memberships: paying by card (Stripe Checkout and the
Customer Portal) or by invoice against a PO number, and what the account page shows.

Stripe is reached through members/billing/gateway.py only. What Stripe then tells us through
webhooks is applied by members/billing/sync.py; reminder emails are members/billing/notices.py.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
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
    invoice_write,
    subscription_sync,
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


def card_payments_enabled() -> bool:
    """Without Stripe keys the membership page offers invoice requests and grants only."""
    return gateway.is_configured()


# --- Paying by card: Checkout and the Customer Portal ----------------------------------


def _unique_slug(name: str) -> str:
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
        if any(access.subscription_gives_access(s) for s in existing.subscriptions.all()):
            raise ValidationError(
                {
                    "organisation_name": f"{existing} already has a membership. Change its "
                    "seats or plan from your account page."
                }
            )
        return existing
    organisation = Organisation(
        name=name, slug=_unique_slug(name), org_type=org_type, region=region
    )
    organisation.full_clean()
    organisation.save()
    # The buyer takes the first of the paid seats (see members/organisations/seats.py).
    Seat.objects.create(organisation=organisation, user=user, is_admin=True, slot=1)
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


def checkout_start(*, user: User, plan: Plan, organisation_name: str = "", region: str = "") -> str:
    """Open a Stripe Checkout session for `plan`; the address to send the buyer to.

    Nothing local is kept if Stripe cannot be reached (StripeUnavailable propagates
    out of the transaction). Membership starts when Stripe's webhook confirms it.
    """
    if not plan.is_active or not plan.stripe_price_id or not card_payments_enabled():
        raise ValidationError("This plan cannot be paid by card.")
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
        # A trial is for newcomers, not for people coming back.
        trial_days = plan.trial_days if not access.was_ever_member(user) else 0
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


# --- Paying by invoice -----------------------------------------------------------------


def invoice_request_submit(
    *,
    user: User,
    plan: Plan,
    seats: int,
    organisation_name: str,
    region: str,
    contact_name: str,
    billing_email: str,
    billing_address: str,
    purchase_order_number: str,
) -> InvoiceRequest:
    """Record a request to pay by invoice; create the subscription at once unless staff
    approve requests first (BILLING_INVOICE_REQUESTS_NEED_APPROVAL) or Stripe is not set up.
    """
    if not plan.is_active or not plan.allow_invoice:
        raise ValidationError({"plan": "This plan cannot be paid by invoice."})
    if plan.holder == Plan.Holder.INDIVIDUAL:
        seats = 1
    elif seats < plan.seats:
        raise ValidationError({"seats": f"This plan starts at {plan.seats} seats."})
    with transaction.atomic(durable=True):
        if plan.holder == Plan.Holder.ORGANISATION:
            organisation = organisation_for_buyer(
                user=user, name=organisation_name, org_type=plan.member_type, region=region
            )
        else:
            # A person's own membership, invoiced to the body that pays for it.
            organisation = Organisation.objects.create(
                name=organisation_name,
                slug=_unique_slug(organisation_name),
                org_type=plan.member_type,
                region=region,
            )
        organisation.billing_contact_name = contact_name
        organisation.billing_email = billing_email
        organisation.billing_address = billing_address
        organisation.purchase_order_number = purchase_order_number
        if region and not organisation.region:
            organisation.region = region
        organisation.save(
            update_fields=[
                "billing_contact_name",
                "billing_email",
                "billing_address",
                "purchase_order_number",
                "region",
            ]
        )
        request = InvoiceRequest.objects.create(
            requested_by=user,
            plan=plan,
            organisation=organisation,
            seats=seats,
            purchase_order_number=purchase_order_number,
        )
    if settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL or not card_payments_enabled():
        return request
    try:
        invoice_request_approve(invoice_request=request)
    except gateway.StripeUnavailable:
        # Kept for staff to approve once Stripe answers; the person is told so.
        InvoiceRequest.objects.filter(pk=request.pk).update(
            detail="Stripe could not be reached when the request was made; approve it again."
        )
    request.refresh_from_db()
    return request


def invoice_request_approve(
    *, invoice_request: InvoiceRequest, approved_by: User | None = None
) -> Subscription:
    """Create the subscription billed by invoice: a Stripe customer carrying the billing
    details and the PO number, then `collection_method=send_invoice` with seats as the
    quantity. Access starts now; an invoice unpaid past its due date plus the grace
    period ends it."""
    if not card_payments_enabled():
        raise ValidationError(
            "Stripe is not configured, so no invoice can be raised. Grant a membership "
            "instead (reason: invoice paid offline)."
        )
    request = InvoiceRequest.objects.select_related("plan", "organisation", "requested_by").get(
        pk=invoice_request.pk
    )
    if request.status == InvoiceRequest.Status.CREATED and request.subscription_id:
        return request.subscription
    if request.status == InvoiceRequest.Status.REJECTED:
        raise ValidationError("This request was rejected.")
    plan, organisation = request.plan, request.organisation
    if not plan.stripe_price_id:
        raise ValidationError(f"The plan {plan} has no Stripe price id yet.")
    personal = plan.holder == Plan.Holder.INDIVIDUAL
    metadata = {META_PLAN: str(plan.pk), META_ORGANISATION: str(organisation.pk)}
    if personal:
        metadata = {META_PLAN: str(plan.pk), META_USER: str(request.requested_by_id)}
    customer_id = organisation.stripe_customer_id
    if not customer_id:
        customer_id = gateway.customer_create(
            name=organisation.name,
            email=organisation.billing_email,
            address=organisation.billing_address,
            contact_name=organisation.billing_contact_name,
            po_number=request.purchase_order_number,
            metadata={META_ORGANISATION: str(organisation.pk)},
            idempotency_key=f"invoice-request-customer-{request.pk}",
        )
        Organisation.objects.filter(pk=organisation.pk).update(stripe_customer_id=customer_id)
    state = gateway.subscription_create_invoiced(
        customer_id=customer_id,
        price_id=plan.stripe_price_id,
        quantity=request.seats,
        days_until_due=settings.BILLING_INVOICE_DAYS_UNTIL_DUE,
        metadata=metadata,
        idempotency_key=f"invoice-request-subscription-{request.pk}",
    )
    with transaction.atomic():
        subscription = subscription_write(
            state=state,
            user=request.requested_by if personal else None,
            organisation=None if personal else organisation,
            plan=plan,
        )
        InvoiceRequest.objects.filter(pk=request.pk).update(
            status=InvoiceRequest.Status.CREATED,
            subscription=subscription,
            decided_by=approved_by,
            decided_at=timezone.now(),
            detail=f"Subscription {state.id} created, billed by invoice.",
        )
    logger.info("invoice subscription created request=%s subscription=%s", request.pk, state.id)
    return subscription


def invoice_request_reject(
    *, invoice_request: InvoiceRequest, rejected_by: User, reason: str
) -> None:
    InvoiceRequest.objects.filter(
        pk=invoice_request.pk, status=InvoiceRequest.Status.PENDING
    ).update(
        status=InvoiceRequest.Status.REJECTED,
        decided_by=rejected_by,
        decided_at=timezone.now(),
        detail=reason,
    )


def invoice_mark_paid_out_of_band(*, invoice: Invoice) -> Invoice:
    """Staff saw the bank transfer arrive: tell Stripe the invoice is paid outside it."""
    if invoice.status == Invoice.Status.PAID:
        return invoice
    if invoice.status != Invoice.Status.OPEN:
        raise ValidationError(
            f"Only open invoices can be marked paid (this one is {invoice.status})."
        )
    state = gateway.invoice_pay_out_of_band(invoice.stripe_invoice_id)
    with transaction.atomic():
        invoice_write(state=state, subscription=invoice.subscription, paid_out_of_band=True)
    # Paying the overdue invoice brings a past_due subscription back to active.
    subscription_sync(stripe_subscription_id=invoice.subscription.stripe_subscription_id)
    invoice.refresh_from_db()
    return invoice


# --- The account page's billing panel --------------------------------------------------


@dataclass(frozen=True)
class BillingSummary:
    """What the membership panel of the account page shows about billing."""

    subscription: Subscription | None
    invoices: list[Invoice]
    payment_problem: bool
    grace_end: datetime | None
    can_manage: bool
    pending_request: InvoiceRequest | None


def billing_summary(user: User) -> BillingSummary:
    """The subscription the person pays or manages (their own, else one of an
    organisation they administer), its recent invoices and any payment problem."""
    holders = Q(user=user) | Q(organisation__seats__user=user, organisation__seats__is_admin=True)
    subscription = (
        Subscription.objects.filter(holders)
        .exclude(status__in=[SubscriptionStatus.INCOMPLETE_EXPIRED])
        .select_related("plan", "organisation")
        .order_by("-created_at")
        .first()
    )
    invoices: list[Invoice] = []
    problem = False
    grace_end = None
    if subscription is not None:
        invoices = list(subscription.invoices.all()[:5])
        problem = subscription.status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID)
        grace_end = access.grace_period_end(subscription) if problem else None
    pending = (
        InvoiceRequest.objects.filter(requested_by=user, status=InvoiceRequest.Status.PENDING)
        .select_related("plan", "organisation")
        .first()
    )
    return BillingSummary(
        subscription=subscription,
        invoices=invoices,
        payment_problem=problem,
        grace_end=grace_end,
        can_manage=card_payments_enabled()
        and subscription is not None
        and bool(subscription.stripe_customer_id),
        pending_request=pending,
    )
