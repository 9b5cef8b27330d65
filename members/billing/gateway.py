"""The gateway to Stripe: the only module that talks to Stripe.

Everything goes through one `stripe.StripeClient` pinned to settings.STRIPE_API_VERSION,
and every object read from Stripe is turned into a small, typed value in that version's
shape (members/billing/stripe_objects.py), so the rest of the code never reads Stripe's
JSON itself:

- since API version 2025-03-31 a subscription's billing period lives on its items
  (`items.data[].current_period_end`), not on the subscription;
- an invoice names its subscription under `parent.subscription_details.subscription`.

Errors come out as two exceptions: `StripeUnavailable` (Stripe could not be reached or
failed; try again later) and `StripeRejected` (Stripe refused the request as made).

Tests replace Stripe's HTTP layer (`http_client` below) with a fake that answers with
realistic API objects; nothing here knows about it.
"""

import json
import logging
from collections.abc import Iterator
from typing import Any

import stripe
from django.conf import settings

from members.billing.stripe_objects import (
    CheckoutState,
    InvoiceState,
    RefundState,
    SubscriptionState,
    checkout_state,
    invoice_state,
    object_id,
    plain,
    refund_state,
    subscription_state,
    value_at,
)

logger = logging.getLogger(__name__)

# Set by tests to a stripe.HTTPClient that answers without the network.
http_client: stripe.HTTPClient | None = None

# Stripe's label for the purchase-order number printed on every invoice of a customer.
PO_NUMBER_LABEL = "PO number"


class StripeUnavailable(Exception):
    """Stripe could not be reached, or failed on its side: nothing was done; retry later."""


class StripeRejected(Exception):
    """Stripe refused the request (bad parameters, unknown object)."""


class BadWebhook(Exception):
    """A webhook whose signature, age or body is not acceptable."""


def is_configured() -> bool:
    """Card payments and Stripe-created invoices need the secret key."""
    return bool(settings.STRIPE_SECRET_KEY)


def webhooks_configured() -> bool:
    return bool(settings.STRIPE_WEBHOOK_SECRET)


def _client() -> stripe.StripeClient:
    if not is_configured():
        raise StripeUnavailable("Stripe is not configured (STRIPE_SECRET_KEY is not set).")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        stripe_version=settings.STRIPE_API_VERSION,
        http_client=http_client,
        # The SDK retries connection errors and 409/429/5xx with the same idempotency key.
        max_network_retries=2,
    )


def _call(what: str, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except stripe.InvalidRequestError as error:
        logger.warning("stripe rejected %s: %s", what, error.user_message or error)
        raise StripeRejected(error.user_message or str(error)) from error
    except stripe.StripeError as error:
        logger.warning("stripe unavailable for %s: %s", what, error)
        raise StripeUnavailable(str(error)) from error


# --- Calls --------------------------------------------------------------------------------


def checkout_session_create(
    *,
    price_id: str,
    quantity: int,
    min_quantity: int | None,
    customer_id: str | None,
    customer_email: str,
    trial_days: int,
    allow_promotion_codes: bool,
    metadata: dict[str, str],
    client_reference_id: str,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> CheckoutState:
    """A Checkout Session in subscription mode; `metadata` goes on the session and on the
    subscription it creates, so the webhook can tell which person or organisation it is for."""
    line_item: dict[str, Any] = {"price": price_id, "quantity": quantity}
    if min_quantity is not None:
        line_item["adjustable_quantity"] = {
            "enabled": True,
            "minimum": min_quantity,
            "maximum": 500,
        }
    subscription_data: dict[str, Any] = {"metadata": metadata}
    if trial_days:
        subscription_data["trial_period_days"] = trial_days
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [line_item],
        "client_reference_id": client_reference_id,
        "metadata": metadata,
        "subscription_data": subscription_data,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "billing_address_collection": "auto",
    }
    if allow_promotion_codes:
        params["allow_promotion_codes"] = True
    if customer_id:
        params["customer"] = customer_id
    else:
        params["customer_email"] = customer_email
    session = _call(
        "checkout session",
        _client().v1.checkout.sessions.create,
        params,
        {"idempotency_key": idempotency_key},
    )
    return checkout_state(session)


def checkout_session_get(session_id: str) -> CheckoutState:
    return checkout_state(
        _call("checkout session", _client().v1.checkout.sessions.retrieve, session_id)
    )


def portal_session_create(*, customer_id: str, return_url: str) -> str:
    """The address of a Customer Portal session (card, invoices, plan change, cancel)."""
    params: dict[str, Any] = {"customer": customer_id, "return_url": return_url}
    if settings.STRIPE_PORTAL_CONFIGURATION:
        params["configuration"] = settings.STRIPE_PORTAL_CONFIGURATION
    session = _call("portal session", _client().v1.billing_portal.sessions.create, params)
    return session["url"]


def _billing_details(
    *, name: str, email: str, address: str, contact_name: str, po_number: str
) -> dict[str, Any]:
    """A customer billed by invoice, as Stripe prints it. The PO number goes in the invoice
    custom fields, so Stripe prints it on every invoice (none clears an earlier one); the
    billing address is printed as given."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    return {
        "name": name,
        "email": email,
        "description": f"Billing contact: {contact_name}" if contact_name else "",
        "address": {
            "line1": lines[0] if lines else "",
            "line2": ", ".join(lines[1:-1]) if len(lines) > 2 else "",
            "postal_code": lines[-1] if len(lines) > 1 else "",
            "country": "GB",
        },
        "invoice_settings": {
            "custom_fields": [{"name": PO_NUMBER_LABEL, "value": po_number[:140]}]
            if po_number
            else ""
        },
        "preferred_locales": ["en-GB"],
    }


def customer_create(
    *,
    name: str,
    email: str,
    address: str,
    contact_name: str,
    po_number: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> str:
    """A customer billed by invoice (see _billing_details)."""
    params = _billing_details(
        name=name, email=email, address=address, contact_name=contact_name, po_number=po_number
    )
    params["metadata"] = metadata
    customer = _call(
        "customer", _client().v1.customers.create, params, {"idempotency_key": idempotency_key}
    )
    return customer["id"]


def customer_update(
    customer_id: str, *, name: str, email: str, address: str, contact_name: str, po_number: str
) -> None:
    """Give an existing customer the billing details and PO number of a new request, so the
    invoices from now on carry them rather than those of an earlier year."""
    params = _billing_details(
        name=name, email=email, address=address, contact_name=contact_name, po_number=po_number
    )
    _call("customer", _client().v1.customers.update, customer_id, params)


def subscription_create_invoiced(
    *,
    customer_id: str,
    price_id: str,
    quantity: int,
    days_until_due: int,
    metadata: dict[str, str],
    idempotency_key: str,
) -> SubscriptionState:
    """A subscription paid by invoice (bank transfer) rather than by card."""
    params = {
        "customer": customer_id,
        "items": [{"price": price_id, "quantity": quantity}],
        "collection_method": "send_invoice",
        "days_until_due": days_until_due,
        "metadata": metadata,
    }
    subscription = _call(
        "subscription",
        _client().v1.subscriptions.create,
        params,
        {"idempotency_key": idempotency_key},
    )
    return subscription_state(subscription)


def subscription_get(subscription_id: str) -> SubscriptionState:
    return subscription_state(
        _call("subscription", _client().v1.subscriptions.retrieve, subscription_id)
    )


def subscription_cancel(subscription_id: str) -> SubscriptionState:
    """End a subscription at once, without proration or a final invoice (a person's
    account is being erased). Cancelling one already cancelled is not an error."""
    try:
        subscription = _call(
            "subscription cancel", _client().v1.subscriptions.cancel, subscription_id
        )
    except StripeRejected:
        state = subscription_get(subscription_id)
        if state.status == "canceled":
            return state
        raise
    return subscription_state(subscription)


def subscription_renewal_set(subscription_id: str, *, renews: bool) -> SubscriptionState:
    """Turn a subscription's renewal off (it ends at the end of the period paid for) or
    back on. One that has ended meanwhile is returned as it is: nothing renews it."""
    try:
        subscription = _call(
            "subscription renewal",
            _client().v1.subscriptions.update,
            subscription_id,
            {"cancel_at_period_end": not renews},
        )
    except StripeRejected:
        state = subscription_get(subscription_id)
        if state.status == "canceled":
            return state
        raise
    return subscription_state(subscription)


def invoice_get(invoice_id: str) -> InvoiceState:
    """The invoice with its payments and their payment intents (which say whether the
    bank wants the payer to confirm a payment)."""
    params = {"expand": ["payments.data.payment.payment_intent"]}
    return invoice_state(_call("invoice", _client().v1.invoices.retrieve, invoice_id, params))


def invoice_pay_out_of_band(invoice_id: str) -> InvoiceState:
    """Mark an invoice paid outside Stripe (a bank transfer staff have seen arrive)."""
    invoice = _call(
        "invoice pay", _client().v1.invoices.pay, invoice_id, {"paid_out_of_band": True}
    )
    return invoice_state(invoice)


def invoice_paid_by(payment_intent_id: str) -> str | None:
    """The id of the invoice a payment was for; None for a payment of no invoice. (Since
    API version 2025-03-31 a charge no longer names its invoice: the invoice's payments
    make the link.)"""
    params = {"payment": {"type": "payment_intent", "payment_intent": payment_intent_id}}
    page = _call("invoice payments", _client().v1.invoice_payments.list, params)
    for payment in page.data:
        if invoice_id := object_id(plain(payment).get("invoice")):
            return invoice_id
    return None


def invoice_refunds(invoice_id: str) -> list[RefundState]:
    """Every refund, whatever its status, of every payment made for an invoice."""
    payments = _call(
        "invoice payments", _client().v1.invoice_payments.list, {"invoice": invoice_id}
    )
    refunds = []
    for payment in payments.auto_paging_iter():
        payment = plain(payment)
        intent = object_id(value_at(payment, "payment", "payment_intent"))
        charge = object_id(value_at(payment, "payment", "charge"))
        if not intent and not charge:
            continue
        params = {"payment_intent": intent} if intent else {"charge": charge}
        page = _call("refunds", _client().v1.refunds.list, params)
        refunds += [refund_state(refund) for refund in page.auto_paging_iter()]
    return refunds


def events_undelivered(*, limit: int = 100) -> Iterator[dict]:
    """Events of the last days whose webhook delivery Stripe has not seen succeed."""
    page = _call("events", _client().v1.events.list, {"delivery_success": False, "limit": limit})
    for event in page.auto_paging_iter():
        yield plain(event)


def event_subscription_id(event: dict) -> str:
    """The subscription a webhook event is about ("" when none): the subscription itself, an
    invoice's (under `parent.subscription_details`), or a checkout session's."""
    obj = value_at(event, "data", "object") or {}
    if obj.get("object") == "subscription":
        found = obj.get("id")
    elif obj.get("object") == "invoice":
        found = value_at(obj, "parent", "subscription_details", "subscription")
    else:
        found = obj.get("subscription")
    if isinstance(found, dict):
        found = found.get("id")
    return found if isinstance(found, str) else ""


def webhook_event(payload: bytes, signature: str | None) -> dict:
    """Verify a webhook with Stripe's signature scheme and default tolerance; the event
    as plain JSON. Raises BadWebhook for anything else."""
    if not webhooks_configured():
        raise BadWebhook("STRIPE_WEBHOOK_SECRET is not set.")
    try:
        text = payload.decode("utf-8")
        # The verifying half of stripe.Webhook.construct_event: the event is stored as the
        # JSON Stripe sent, so building the SDK's object tree would be wasted work.
        stripe.WebhookSignature.verify_header(
            text, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
        )
        event = json.loads(text)
    except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as error:
        raise BadWebhook(str(error)) from error
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise BadWebhook("Not a Stripe event.")
    return event
