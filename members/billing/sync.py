"""Applying what Stripe tells us: webhook events stored once, then applied by re-reading
Stripe's current state.

Applying is idempotent and order-independent: every event is only a hint that something
changed; the subscription or invoice is read again from Stripe (members/billing/gateway.py) and
copied as it is now, so events that arrive twice, late or out of order all converge on
Stripe's real state. Subscriptions that are not for our plans are ignored; events for a
person or organisation we do not have (yet) wait and are retried. What webhooks missed
is caught up nightly (members/billing/reconcile.py).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from members.billing import gateway
from members.models import (
    ENDED_STATUSES,
    Invoice,
    Organisation,
    Plan,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
    User,
)

logger = logging.getLogger(__name__)

# Keys of our metadata on Stripe's checkout sessions, customers and subscriptions.
META_USER = "network_user_id"
META_ORGANISATION = "network_organisation_id"
META_PLAN = "network_plan_id"

LIVE_STATUSES = {
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.PAST_DUE,
}
# Final states in Stripe: nothing can change them, so reconciliation skips them.
FINAL_STATUSES = [SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED]


class NotOurs(Exception):
    """A Stripe object that is not for one of our plans: ignored, never a membership."""


class HolderMissing(Exception):
    """The person or organisation the object is for does not exist (yet): keep, retry."""


def _plan_for(state: gateway.SubscriptionState) -> Plan | None:
    plan = None
    if state.price_id:
        plan = Plan.objects.filter(stripe_price_id=state.price_id).first()
    if plan is None and state.metadata.get(META_PLAN, "").isdigit():
        plan = Plan.objects.filter(pk=int(state.metadata[META_PLAN])).first()
    return plan


def _holder_for(state: gateway.SubscriptionState) -> tuple[User | None, Organisation | None]:
    """Who holds a Stripe subscription we have no row for: from our metadata, else from
    its customer. Raises HolderMissing when it names someone we do not have."""
    organisation_id = state.metadata.get(META_ORGANISATION, "")
    user_id = state.metadata.get(META_USER, "")
    if organisation_id.isdigit():
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise HolderMissing(f"organisation {organisation_id} does not exist")
        return None, organisation
    if user_id.isdigit():
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


def _locked_row(stripe_subscription_id: str) -> Subscription | None:
    return (
        Subscription.objects.select_for_update()
        .filter(stripe_subscription_id=stripe_subscription_id)
        .first()
    )


def _inserted(row: Subscription) -> bool:
    """Insert a new row; False when another transaction has written the same Stripe
    subscription since we looked. No row lock covers a row not written yet: on
    PostgreSQL our insert waits for the other transaction on the unique index and fails
    once it commits (its row is then visible to our next statement)."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if not Subscription.objects.filter(
            stripe_subscription_id=row.stripe_subscription_id
        ).exists():
            raise
        return False
    return True


def subscription_write(
    *,
    state: gateway.SubscriptionState,
    user: User | None,
    organisation: Organisation | None,
    plan: Plan,
    current: Subscription | None = None,
) -> Subscription:
    """Copy Stripe's state into our row (created when missing). Inside a transaction."""
    now = timezone.now()
    if current is None:
        current = _locked_row(state.id)
    was_ended = current is not None and current.status in ENDED_STATUSES
    became_past_due = state.status == SubscriptionStatus.PAST_DUE and (
        current is None or current.status != SubscriptionStatus.PAST_DUE
    )
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
    if current is not None and state.status in LIVE_STATUSES and current.ended_notice_sent_at:
        # Back from unpaid: a later ending deserves its own notice.
        values["ended_notice_sent_at"] = None
    if current is None:
        current = Subscription(
            stripe_subscription_id=state.id, user=user, organisation=organisation, **values
        )
        current.full_clean(exclude=["stripe_subscription_id"])
        if not _inserted(current):
            # The other side (the request that created it in Stripe, or a worker applying
            # one of its events) wrote the row between our look and our insert: take that
            # row, locked now, and copy Stripe's state onto it as for any existing row,
            # read again so that it is not older than what the other side wrote.
            return subscription_write(
                state=gateway.subscription_get(state.id),
                user=user,
                organisation=organisation,
                plan=plan,
                current=_locked_row(state.id),
            )
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
    from members.billing import tasks

    if current.organisation_id is not None:
        # The seats paid for may have changed (the portal, staff in Stripe, a renewal
        # with fewer seats): begin or end the notice for the seats beyond them.
        from members.organisations.tasks import seats_over_check

        seats_over_check.delay_on_commit(current.organisation_id)
    if current.status in ENDED_STATUSES and not was_ended:
        tasks.membership_ended_notice_send.delay_on_commit(current.pk)
    if became_past_due and current.collection_method == Subscription.CollectionMethod.INVOICE:
        # Billed by invoice, no payment is ever attempted, so no "payment failed" event
        # comes: Stripe turns the subscription past_due when its invoice passes the due
        # date, and that is when the payer has to hear of it.
        tasks.invoice_overdue_notice_send.delay_on_commit(current.pk)
    return current


def subscription_sync(*, stripe_subscription_id: str) -> Subscription:
    """Read the subscription from Stripe and copy it into our row, creating the row for a
    subscription of ours we have not seen. Raises NotOurs or HolderMissing."""
    with transaction.atomic():
        # Lock our row before reading Stripe, so two workers applying events of the same
        # subscription write one after the other, the later read last.
        current = _locked_row(stripe_subscription_id)
        state = gateway.subscription_get(stripe_subscription_id)
        plan = _plan_for(state)
        if current is not None:
            return subscription_write(
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
        return subscription_write(state=state, user=user, organisation=organisation, plan=plan)


def invoice_write(
    *,
    state: gateway.InvoiceState,
    subscription: Subscription,
    paid_out_of_band: bool = False,
    action_required: bool = False,
) -> Invoice:
    """Keep our copy of an invoice. Its payment intent says whether the bank wants the
    payer to confirm the payment; without one, `action_required` (the event said so)."""
    awaits = state.awaits_confirmation
    values = {
        "awaits_confirmation": state.status == Invoice.Status.OPEN
        and (action_required if awaits is None else awaits),
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


def invoice_sync(*, stripe_invoice_id: str, action_required: bool = False) -> Invoice:
    """Read an invoice from Stripe and keep our copy (with its subscription's state)."""
    state = gateway.invoice_get(stripe_invoice_id)
    if not state.subscription_id:
        raise NotOurs(f"invoice {state.id} belongs to no subscription")
    subscription = subscription_sync(stripe_subscription_id=state.subscription_id)
    with transaction.atomic():
        return invoice_write(
            state=state, subscription=subscription, action_required=action_required
        )


def stripe_event_record(*, event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified webhook event once by its id; (row, whether it is new)."""
    subscription_id = gateway.event_subscription_id(event)
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
    "invoice.payment_action_required",
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
        action_required = event_type == "invoice.payment_action_required"
        invoice = invoice_sync(stripe_invoice_id=obj["id"], action_required=action_required)
        from members.billing import tasks

        # A renewal the bank wants confirmed sends both events: one email for the invoice.
        failed = event_type == "invoice.payment_failed" or action_required
        if failed and invoice.status == Invoice.Status.OPEN:
            tasks.payment_failed_notice_send.delay_on_commit(invoice.pk)
        if (
            event_type == "invoice.paid"
            and invoice.status == Invoice.Status.PAID
            and invoice.subscription.status in FINAL_STATUSES
        ):
            # Money in for a membership that is closed: someone has to reopen it or refund.
            tasks.paid_after_end_staff_notice_send.delay_on_commit(invoice.pk)
        if event_type == "invoice.overdue":
            # Sent only where an automation asks for it; the subscription turning
            # past_due (subscription_write) tells the payer even without one.
            tasks.invoice_overdue_notice_send.delay_on_commit(invoice.subscription_id)
        return f"Invoice {invoice.stripe_invoice_id} is {invoice.status}."
    # charges.py builds on this module (invoice_sync), so it is imported here.
    from members.billing import charges

    if event_type in charges.REFUND_EVENTS:
        return charges.refund_apply(obj)
    if event_type == "charge.dispute.created":
        return charges.dispute_apply(obj)
    raise NotOurs(f"{event_type} is not an event we act on")


DONE_OUTCOMES = (StripeEvent.Outcome.APPLIED, StripeEvent.Outcome.IGNORED)


def stripe_event_apply(*, event_id: int) -> str:
    """Apply a stored event and record the outcome. Returns the outcome.

    A failure is recorded (and re-raised so the task retries); an event for a person or
    organisation we do not have yet waits and is retried by the beat task.
    """
    event = StripeEvent.objects.get(pk=event_id)
    if event.outcome in DONE_OUTCOMES:
        return event.outcome
    StripeEvent.objects.filter(pk=event_id).update(attempts=F("attempts") + 1)
    obj = (event.payload.get("data") or {}).get("object") or {}
    outcome, detail = StripeEvent.Outcome.APPLIED, ""
    try:
        with transaction.atomic():
            # Two workers can hold the same event (the beat re-sends one still waiting in
            # a long queue). The row's lock lets one apply it, and its outcome is written
            # in the same transaction, so the other finds it done and applies nothing twice.
            locked = StripeEvent.objects.select_for_update().only("outcome").get(pk=event_id)
            if locked.outcome in DONE_OUTCOMES:
                return locked.outcome
            try:
                with transaction.atomic():
                    detail = _apply(event.event_type, obj)
            except NotOurs as reason:
                outcome, detail = StripeEvent.Outcome.IGNORED, str(reason)
            except HolderMissing as reason:
                outcome, detail = StripeEvent.Outcome.WAITING, str(reason)
            StripeEvent.objects.filter(pk=event_id).update(
                outcome=outcome,
                detail=detail,
                applied_at=timezone.now() if outcome == StripeEvent.Outcome.APPLIED else None,
            )
    except Exception as error:
        StripeEvent.objects.filter(pk=event_id).update(
            outcome=StripeEvent.Outcome.FAILED, detail=f"{type(error).__name__}: {error}"
        )
        logger.warning("stripe event %s failed: %s", event.stripe_event_id, error)
        raise
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
