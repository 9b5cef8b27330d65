"""Stripe's objects in the shape of the pinned API version (settings.STRIPE_API_VERSION),
turned into the small, typed values the rest of the code reads. Pure functions of the
JSON: members/billing/gateway.py fetches it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def plain(obj: Any) -> dict:
    """A StripeObject as the plain JSON it came from (what a webhook would have carried)."""
    return obj if isinstance(obj, dict) else obj.to_dict(for_json=True)


def timestamp(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def value_at(obj: Any, *path: str) -> Any:
    """obj[path[0]][path[1]]..., None where a step is missing or null."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


@dataclass(frozen=True)
class SubscriptionState:
    """What we keep of a Stripe subscription."""

    id: str
    customer_id: str
    status: str
    price_id: str | None
    quantity: int
    current_period_end: datetime | None
    cancel_at_period_end: bool
    ended_at: datetime | None
    collection_method: str
    metadata: dict[str, str]


def subscription_state(obj: Any) -> SubscriptionState:
    obj = plain(obj)
    items = value_at(obj, "items", "data") or []
    first = items[0] if items else None
    # The period end lives on the items; with one price they agree, else take the latest.
    period_ends = [
        item.get("current_period_end") for item in items if item.get("current_period_end")
    ]
    period_end = timestamp(max(period_ends)) if period_ends else None
    cancel_at = timestamp(obj.get("cancel_at"))
    if cancel_at and (period_end is None or cancel_at < period_end):
        period_end = cancel_at
    customer = obj.get("customer")
    return SubscriptionState(
        id=obj["id"],
        customer_id=customer if isinstance(customer, str) else value_at(customer, "id") or "",
        status=obj["status"],
        price_id=value_at(first, "price", "id"),
        quantity=int(value_at(first, "quantity") or 1),
        current_period_end=period_end,
        cancel_at_period_end=bool(obj.get("cancel_at_period_end") or cancel_at),
        ended_at=timestamp(obj.get("ended_at")),
        collection_method=obj.get("collection_method") or "charge_automatically",
        metadata=dict(obj.get("metadata") or {}),
    )


@dataclass(frozen=True)
class InvoiceState:
    id: str
    subscription_id: str | None
    customer_id: str
    number: str
    status: str
    amount_due_pence: int
    due_date: datetime | None
    hosted_invoice_url: str
    created: datetime | None
    paid_out_of_band: bool
    # The card is fine but the bank wants the payer to confirm the payment (3-D Secure);
    # None when the invoice read carries no payment intent to tell.
    awaits_confirmation: bool | None = None


def _awaits_confirmation(invoice: dict) -> bool | None:
    """Off-session at renewal, a payment the bank wants confirmed leaves its intent in
    `requires_action`, or refused with `authentication_required`; a declined card leaves
    it in `requires_payment_method` with another code. The invoice's own payment is its
    default one (`payments` is there only when the read asked for it)."""
    payments = value_at(invoice, "payments", "data") or []
    paid_by = next((p for p in payments if p.get("is_default")), payments[0] if payments else {})
    intent = value_at(paid_by, "payment", "payment_intent")
    if not isinstance(intent, dict):
        return None
    error = intent.get("last_payment_error") or {}
    codes = {error.get("code"), error.get("decline_code")}
    return intent.get("status") == "requires_action" or "authentication_required" in codes


def invoice_state(obj: Any) -> InvoiceState:
    obj = plain(obj)
    subscription = value_at(obj, "parent", "subscription_details", "subscription")
    if not isinstance(subscription, str):
        subscription = value_at(subscription, "id")
    customer = obj.get("customer")
    return InvoiceState(
        id=obj["id"],
        subscription_id=subscription,
        customer_id=customer if isinstance(customer, str) else value_at(customer, "id") or "",
        number=obj.get("number") or "",
        status=obj.get("status") or "draft",
        amount_due_pence=int(obj.get("amount_due") or 0),
        due_date=timestamp(obj.get("due_date")),
        hosted_invoice_url=obj.get("hosted_invoice_url") or "",
        created=timestamp(obj.get("created")),
        paid_out_of_band=bool(obj.get("paid_out_of_band")),
        awaits_confirmation=_awaits_confirmation(obj),
    )


@dataclass(frozen=True)
class RefundState:
    id: str
    amount_pence: int
    status: str  # pending, requires_action, succeeded, failed, canceled
    created: datetime | None


def refund_state(obj: Any) -> RefundState:
    obj = plain(obj)
    return RefundState(
        id=obj["id"],
        amount_pence=int(obj.get("amount") or 0),
        status=obj.get("status") or "pending",
        created=timestamp(obj.get("created")),
    )


def object_id(value: Any) -> str:
    """The id of a reference that may be expanded (an object) or not (its id); "" for none."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class CheckoutState:
    id: str
    url: str
    status: str  # open, complete, expired
    payment_status: str  # paid, unpaid, no_payment_required
    mode: str
    subscription_id: str | None
    customer_id: str | None
    client_reference_id: str | None
    metadata: dict[str, str]


def checkout_state(obj: Any) -> CheckoutState:
    obj = plain(obj)
    subscription = obj.get("subscription")
    customer = obj.get("customer")
    return CheckoutState(
        id=obj["id"],
        url=obj.get("url") or "",
        status=obj.get("status") or "open",
        payment_status=obj.get("payment_status") or "unpaid",
        mode=obj.get("mode") or "",
        subscription_id=subscription
        if isinstance(subscription, str) or subscription is None
        else subscription.get("id"),
        customer_id=customer
        if isinstance(customer, str) or customer is None
        else customer.get("id"),
        client_reference_id=obj.get("client_reference_id"),
        metadata=dict(obj.get("metadata") or {}),
    )
