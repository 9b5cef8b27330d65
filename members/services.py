"""Business operations on memberships: paying by card or by invoice, and keeping the
local copies of Stripe's subscriptions and invoices true.

Stripe is reached through members/billing.py only. Applying what Stripe tells us is
idempotent and order-independent: every webhook is only a hint that something changed,
and the subscription or invoice is read again from Stripe and copied as it is now, so
events that arrive twice, late or out of order all converge on Stripe's real state.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from members import access, billing
from members.models import (
    Invoice,
    InvoiceRequest,
    Organisation,
    Plan,
    Seat,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
    User,
)
from network.mail import build_email

logger = logging.getLogger(__name__)

# Keys of our metadata on Stripe's checkout sessions, customers and subscriptions.
META_USER = "network_user_id"
META_ORGANISATION = "network_organisation_id"
META_PLAN = "network_plan_id"

UNAVAILABLE_MESSAGE = (
    "We could not reach our payment provider just now, so nothing has been charged or "
    "set up. Please try again in a few minutes."
)

ENDED_STATUSES = {
    SubscriptionStatus.CANCELED,
    SubscriptionStatus.INCOMPLETE_EXPIRED,
    SubscriptionStatus.UNPAID,
}


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def card_payments_enabled() -> bool:
    """Without Stripe keys the membership page offers invoice requests and grants only."""
    return billing.is_configured()


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
    with them as its admin. Must run inside the caller's transaction."""
    existing = (
        Organisation.objects.filter(seats__user=user, seats__is_admin=True, name__iexact=name)
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        return existing
    organisation = Organisation(
        name=name, slug=_unique_slug(name), org_type=org_type, region=region
    )
    organisation.full_clean()
    organisation.save()
    Seat.objects.create(organisation=organisation, user=user, is_admin=True)
    return organisation


def customer_id_for_user(user: User) -> str:
    """The Stripe customer of the person's own (personal) subscriptions, if any."""
    return (
        Subscription.objects.filter(user=user)
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
        session = billing.checkout_session_create(
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
    session = billing.checkout_session_get(session_id)
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
    return ""


def portal_url(*, user: User) -> str:
    """A Customer Portal session for the person's billing; raises ValidationError when
    they have nothing to manage."""
    customer_id = billing_customer_for(user)
    if not customer_id or not card_payments_enabled():
        raise ValidationError("There is no billing account to manage yet.")
    return billing.portal_session_create(
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
    except billing.StripeUnavailable:
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
        customer_id = billing.customer_create(
            name=organisation.name,
            email=organisation.billing_email,
            address=organisation.billing_address,
            contact_name=organisation.billing_contact_name,
            po_number=request.purchase_order_number,
            metadata={META_ORGANISATION: str(organisation.pk)},
            idempotency_key=f"invoice-request-customer-{request.pk}",
        )
        Organisation.objects.filter(pk=organisation.pk).update(stripe_customer_id=customer_id)
    state = billing.subscription_create_invoiced(
        customer_id=customer_id,
        price_id=plan.stripe_price_id,
        quantity=request.seats,
        days_until_due=settings.BILLING_INVOICE_DAYS_UNTIL_DUE,
        metadata=metadata,
        idempotency_key=f"invoice-request-subscription-{request.pk}",
    )
    with transaction.atomic():
        subscription = _subscription_write(
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
    state = billing.invoice_pay_out_of_band(invoice.stripe_invoice_id)
    with transaction.atomic():
        _invoice_write(state=state, subscription=invoice.subscription, paid_out_of_band=True)
    # Paying the overdue invoice brings a past_due subscription back to active.
    subscription_sync(stripe_subscription_id=invoice.subscription.stripe_subscription_id)
    invoice.refresh_from_db()
    return invoice


# --- Applying what Stripe tells us -----------------------------------------------------


class NotOurs(Exception):
    """A Stripe object that is not for one of our plans: ignored, never a membership."""


class HolderMissing(Exception):
    """The person or organisation the object is for does not exist (yet): keep, retry."""


def _plan_for(state: billing.SubscriptionState) -> Plan | None:
    plan = None
    if state.price_id:
        plan = Plan.objects.filter(stripe_price_id=state.price_id).first()
    if plan is None and state.metadata.get(META_PLAN, "").isdigit():
        plan = Plan.objects.filter(pk=int(state.metadata[META_PLAN])).first()
    return plan


def _holder_for(state: billing.SubscriptionState) -> tuple[User | None, Organisation | None]:
    """Who holds a Stripe subscription we have no row for: from our metadata, else from
    its customer. Raises HolderMissing when it names someone we do not have."""
    organisation_id = state.metadata.get(META_ORGANISATION, "")
    user_id = state.metadata.get(META_USER, "")
    if organisation_id:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise HolderMissing(f"organisation {organisation_id} does not exist")
        return None, organisation
    if user_id:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise HolderMissing(f"person {user_id} does not exist")
        return user, None
    organisation = Organisation.objects.filter(stripe_customer_id=state.customer_id).first()
    if organisation is not None:
        return None, organisation
    earlier = (
        Subscription.objects.filter(stripe_customer_id=state.customer_id, user__isnull=False)
        .select_related("user")
        .first()
    )
    if earlier is not None:
        return earlier.user, None
    raise HolderMissing(f"customer {state.customer_id} is not known here")


def _past_due_since(current: Subscription | None, status: str, now: datetime) -> datetime | None:
    """The grace period runs from when a subscription first turned past_due, and stops
    when it recovers."""
    if status != SubscriptionStatus.PAST_DUE:
        return None
    if current is not None and current.past_due_since is not None:
        return current.past_due_since
    return now


def _subscription_write(
    *,
    state: billing.SubscriptionState,
    user: User | None,
    organisation: Organisation | None,
    plan: Plan,
    current: Subscription | None = None,
) -> Subscription:
    """Copy Stripe's state into our row (created when missing). Inside a transaction."""
    now = timezone.now()
    if current is None:
        current = (
            Subscription.objects.select_for_update().filter(stripe_subscription_id=state.id).first()
        )
    was_ended = current is not None and current.status in ENDED_STATUSES
    values = {
        "plan": plan,
        "status": state.status,
        "collection_method": state.collection_method,
        "quantity": state.quantity,
        "stripe_customer_id": state.customer_id,
        "current_period_end": state.current_period_end,
        "cancel_at_period_end": state.cancel_at_period_end,
        "ended_at": state.ended_at,
        "past_due_since": _past_due_since(current, state.status, now),
        "stripe_updated_at": now,
    }
    if current is None:
        current = Subscription(
            stripe_subscription_id=state.id, user=user, organisation=organisation, **values
        )
        current.full_clean(exclude=["stripe_subscription_id"])
        current.save()
    else:
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        for name, value in values.items():
            setattr(current, name, value)
        current.save(update_fields=list(values))
        if set(changed) - {"stripe_updated_at"}:
            logger.info("subscription %s updated: %s", state.id, ", ".join(sorted(changed)))
    if organisation is not None and not organisation.stripe_customer_id and state.customer_id:
        Organisation.objects.filter(pk=organisation.pk, stripe_customer_id="").update(
            stripe_customer_id=state.customer_id
        )
    if current.status in ENDED_STATUSES and not was_ended:
        from members import tasks

        transaction.on_commit(
            lambda pk=current.pk: tasks.membership_ended_notice_send.delay(pk), robust=True
        )
    return current


def subscription_sync(*, stripe_subscription_id: str) -> Subscription:
    """Read the subscription from Stripe and copy it into our row, creating the row for a
    subscription of ours we have not seen. Raises NotOurs or HolderMissing."""
    with transaction.atomic():
        # Lock our row before reading Stripe, so two workers applying events of the same
        # subscription write one after the other, the later read last.
        current = (
            Subscription.objects.select_for_update()
            .filter(stripe_subscription_id=stripe_subscription_id)
            .first()
        )
        state = billing.subscription_get(stripe_subscription_id)
        plan = _plan_for(state)
        if current is not None:
            return _subscription_write(
                state=state,
                user=current.user,
                organisation=current.organisation,
                plan=plan or current.plan,
                current=current,
            )
        if plan is None:
            raise NotOurs(f"subscription {state.id}: price {state.price_id} is none of our plans")
        if state.status in (SubscriptionStatus.INCOMPLETE_EXPIRED,):
            raise NotOurs(f"subscription {state.id} expired before it started")
        user, organisation = _holder_for(state)
        return _subscription_write(state=state, user=user, organisation=organisation, plan=plan)


def _invoice_write(
    *, state: billing.InvoiceState, subscription: Subscription, paid_out_of_band: bool = False
) -> Invoice:
    values = {
        "subscription": subscription,
        "number": state.number,
        "status": state.status,
        "amount_due_pence": state.amount_due_pence,
        "due_date": state.due_date,
        "hosted_invoice_url": state.hosted_invoice_url,
        "created_at": state.created or timezone.now(),
    }
    if paid_out_of_band or state.paid_out_of_band:
        values["paid_out_of_band"] = True
    invoice, _ = Invoice.objects.update_or_create(stripe_invoice_id=state.id, defaults=values)
    return invoice


def invoice_sync(*, stripe_invoice_id: str) -> Invoice:
    """Read an invoice from Stripe and keep our copy (with its subscription's state)."""
    state = billing.invoice_get(stripe_invoice_id)
    if not state.subscription_id:
        raise NotOurs(f"invoice {state.id} belongs to no subscription")
    subscription = subscription_sync(stripe_subscription_id=state.subscription_id)
    with transaction.atomic():
        return _invoice_write(state=state, subscription=subscription)


def stripe_event_record(*, event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified webhook event once by its id; (row, whether it is new)."""
    obj = (event.get("data") or {}).get("object") or {}
    subscription_id = ""
    if obj.get("object") == "subscription":
        subscription_id = obj.get("id", "")
    elif isinstance(obj.get("subscription"), str):
        subscription_id = obj["subscription"]
    try:
        with transaction.atomic():
            row, created = StripeEvent.objects.get_or_create(
                stripe_event_id=event["id"],
                defaults={
                    "event_type": event["type"],
                    "payload": event,
                    "stripe_subscription_id": subscription_id[:100],
                },
            )
    except IntegrityError:
        # The same event delivered twice at the same moment: the other request stored it.
        return StripeEvent.objects.get(stripe_event_id=event["id"]), False
    return row, created


SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "customer.subscription.pending_update_applied",
    "customer.subscription.pending_update_expired",
}
INVOICE_EVENTS = {
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
    "invoice.finalized",
    "invoice.marked_uncollectible",
    "invoice.voided",
    "invoice.overdue",
}


def _apply(event_type: str, obj: dict) -> str:
    """Apply one event's object; a sentence saying what was done."""
    if event_type == "checkout.session.completed":
        metadata = obj.get("metadata") or {}
        if obj.get("mode") != "subscription" or not (
            metadata.get(META_USER) or metadata.get(META_ORGANISATION)
        ):
            raise NotOurs("checkout session without our metadata")
        organisation_id = metadata.get(META_ORGANISATION)
        if organisation_id and obj.get("customer"):
            Organisation.objects.filter(pk=organisation_id, stripe_customer_id="").update(
                stripe_customer_id=obj["customer"]
            )
        if not obj.get("subscription"):
            raise NotOurs("checkout session without a subscription")
        subscription = subscription_sync(stripe_subscription_id=obj["subscription"])
        return f"Subscription {subscription.stripe_subscription_id} is {subscription.status}."
    if event_type in SUBSCRIPTION_EVENTS:
        subscription = subscription_sync(stripe_subscription_id=obj["id"])
        return f"Subscription {subscription.stripe_subscription_id} is {subscription.status}."
    if event_type in INVOICE_EVENTS:
        invoice = invoice_sync(stripe_invoice_id=obj["id"])
        if event_type == "invoice.payment_failed" and invoice.status == Invoice.Status.OPEN:
            from members import tasks

            transaction.on_commit(
                lambda: tasks.payment_failed_notice_send.delay(invoice.pk), robust=True
            )
        return f"Invoice {invoice.stripe_invoice_id} is {invoice.status}."
    raise NotOurs(f"{event_type} is not an event we act on")


def stripe_event_apply(*, event_id: int) -> str:
    """Apply a stored event and record the outcome. Returns the outcome.

    A failure is recorded (and re-raised so the task retries); an event for a person or
    organisation we do not have yet waits and is retried by the beat task.
    """
    event = StripeEvent.objects.get(pk=event_id)
    if event.outcome in (StripeEvent.Outcome.APPLIED, StripeEvent.Outcome.IGNORED):
        return event.outcome
    StripeEvent.objects.filter(pk=event_id).update(attempts=F("attempts") + 1)
    obj = (event.payload.get("data") or {}).get("object") or {}
    outcome, detail = StripeEvent.Outcome.APPLIED, ""
    try:
        with transaction.atomic():
            detail = _apply(event.event_type, obj)
    except NotOurs as reason:
        outcome, detail = StripeEvent.Outcome.IGNORED, str(reason)
    except HolderMissing as reason:
        outcome, detail = StripeEvent.Outcome.WAITING, str(reason)
    except Exception as error:
        StripeEvent.objects.filter(pk=event_id).update(
            outcome=StripeEvent.Outcome.FAILED, detail=f"{type(error).__name__}: {error}"
        )
        logger.warning("stripe event %s failed: %s", event.stripe_event_id, error)
        raise
    StripeEvent.objects.filter(pk=event_id).update(
        outcome=outcome,
        detail=detail,
        applied_at=timezone.now() if outcome == StripeEvent.Outcome.APPLIED else None,
    )
    logger.info("stripe event %s %s: %s", event.stripe_event_id, outcome, detail)
    return outcome


def stripe_events_to_retry() -> list[int]:
    """Events that failed, wait for their holder, or were never picked up (a lost task)."""
    stale = timezone.now() - timedelta(minutes=10)
    return list(
        StripeEvent.objects.filter(
            Q(outcome__in=[StripeEvent.Outcome.FAILED, StripeEvent.Outcome.WAITING])
            | Q(outcome=StripeEvent.Outcome.PENDING, received_at__lt=stale),
            attempts__lt=settings.STRIPE_EVENT_MAX_ATTEMPTS,
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )


def subscriptions_reconcile() -> int:
    """Compare every local subscription with Stripe and correct it (missed webhooks),
    then store and apply events Stripe could not deliver. Returns corrections made."""
    if not card_payments_enabled():
        return 0
    corrections = 0
    fields = ["status", "quantity", "current_period_end", "cancel_at_period_end", "ended_at"]
    rows = Subscription.objects.exclude(stripe_subscription_id=None)
    for subscription in rows.only("pk", "stripe_subscription_id", *fields).iterator():
        before = [getattr(subscription, name) for name in fields]
        try:
            after_row = subscription_sync(
                stripe_subscription_id=subscription.stripe_subscription_id
            )
        except billing.StripeRejected as error:
            logger.warning("reconcile: %s: %s", subscription.stripe_subscription_id, error)
            continue
        after = [getattr(after_row, name) for name in fields]
        if before != after:
            corrections += 1
            logger.info(
                "reconcile corrected %s: %s",
                subscription.stripe_subscription_id,
                {n: (b, a) for n, b, a in zip(fields, before, after, strict=True) if b != a},
            )
    from members import tasks

    for event in billing.events_undelivered():
        row, created = stripe_event_record(event=event)
        if created:
            logger.info("reconcile stored undelivered event %s", row.stripe_event_id)
            tasks.stripe_event_apply.delay(row.pk)
    return corrections


# --- Reminder emails, each sent once ---------------------------------------------------


def _recipients(subscription: Subscription) -> list[str]:
    if subscription.user_id:
        return [subscription.user.email]
    organisation = subscription.organisation
    admins = list(
        Seat.objects.filter(organisation=organisation, is_admin=True).values_list(
            "user__email", flat=True
        )
    )
    if organisation.billing_email and organisation.billing_email not in admins:
        admins.append(organisation.billing_email)
    return admins


def _send_once(*, model, pk: int, claim: Q, field: str, value, build) -> bool:
    """Claim the 'sent' mark with one conditional UPDATE, send, and give the mark back if
    sending fails (so a retry sends it, and two workers never both send)."""
    claimed = model.objects.filter(claim, pk=pk).update(**{field: value})
    if not claimed:
        return False
    try:
        build().send()
    except Exception:
        model.objects.filter(pk=pk).update(**{field: None})
        raise
    return True


def payment_failed_notice_send(*, invoice_id: int) -> bool:
    invoice = Invoice.objects.select_related(
        "subscription__user", "subscription__organisation", "subscription__plan"
    ).get(pk=invoice_id)
    subscription = invoice.subscription
    grace_end = access.grace_period_end(subscription) or (
        timezone.now() + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    )

    def build():
        return build_email(
            template="members/billing/emails/payment_failed",
            context={
                "subscription": subscription,
                "invoice": invoice,
                "grace_end": grace_end,
                "portal_url": site_url(reverse("billing:portal")),
                "by_invoice": subscription.collection_method
                == Subscription.CollectionMethod.INVOICE,
            },
            subject="Your membership payment did not go through",
            to=_recipients(subscription),
        )

    return _send_once(
        model=Invoice,
        pk=invoice.pk,
        claim=Q(payment_failed_notice_sent_at__isnull=True),
        field="payment_failed_notice_sent_at",
        value=timezone.now(),
        build=build,
    )


def ending_soon_due() -> list[int]:
    """Non-renewing memberships ending within BILLING_ENDING_REMINDER_DAYS, not yet told."""
    now = timezone.now()
    return list(
        Subscription.objects.filter(
            cancel_at_period_end=True,
            status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING],
            current_period_end__gt=now,
            current_period_end__lte=now + timedelta(days=settings.BILLING_ENDING_REMINDER_DAYS),
        )
        .exclude(ending_reminder_sent_for=F("current_period_end"))
        .values_list("pk", flat=True)
    )


def ending_soon_notice_send(*, subscription_id: int) -> bool:
    subscription = Subscription.objects.select_related("user", "organisation", "plan").get(
        pk=subscription_id
    )
    if not subscription.cancel_at_period_end or subscription.current_period_end is None:
        return False

    def build():
        return build_email(
            template="members/billing/emails/ending_soon",
            context={
                "subscription": subscription,
                "ends_at": subscription.current_period_end,
                "account_url": site_url(reverse("members:account")),
                "portal_url": site_url(reverse("billing:portal")),
            },
            subject="Your membership ends soon",
            to=_recipients(subscription),
        )

    # Sent once per period end: renewing and cancelling again later earns a new reminder.
    return _send_once(
        model=Subscription,
        pk=subscription.pk,
        claim=~Q(ending_reminder_sent_for=subscription.current_period_end)
        | Q(ending_reminder_sent_for__isnull=True),
        field="ending_reminder_sent_for",
        value=subscription.current_period_end,
        build=build,
    )


def ended_notices_due() -> list[int]:
    return list(
        Subscription.objects.filter(status__in=ENDED_STATUSES, ended_notice_sent_at__isnull=True)
        .filter(ended_at__gte=timezone.now() - timedelta(days=7))
        .values_list("pk", flat=True)
    )


def membership_ended_notice_send(*, subscription_id: int) -> bool:
    subscription = Subscription.objects.select_related("user", "organisation", "plan").get(
        pk=subscription_id
    )
    if subscription.status not in ENDED_STATUSES:
        return False

    def build():
        return build_email(
            template="members/billing/emails/ended",
            context={
                "subscription": subscription,
                "membership_url": site_url(reverse("membership")),
            },
            subject="Your membership has ended",
            to=_recipients(subscription),
        )

    return _send_once(
        model=Subscription,
        pk=subscription.pk,
        claim=Q(ended_notice_sent_at__isnull=True),
        field="ended_notice_sent_at",
        value=timezone.now(),
        build=build,
    )


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
