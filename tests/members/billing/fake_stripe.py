"""A fake of Stripe's HTTP API, plugged under the real `stripe` SDK.

members/billing/gateway.py builds a real StripeClient; the tests give it this HTTP client, so the
SDK's own request encoding, response parsing and error mapping all run, and nothing
reaches the network. Responses start from Stripe's published example objects
(tests/members/billing/fixtures/) with the
values a test depends on set, in the shape of the pinned API version: a subscription's
period lives on its items, an invoice reaches its subscription through
`parent.subscription_details`.

Test code changes Stripe's state through the helpers (`complete_checkout`,
`set_subscription`, `add_invoice`), then delivers events signed with the SDK's own
`WebhookSignature.generate_signature_header` (see `signed_post`).
"""

import copy
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import stripe

from tests.members.billing.fake_payments import FakePayments
from tests.members.billing.stripe_examples import DAY, fixture, stripe_id
from tests.members.billing.stripe_forms import unflatten

TEST_SECRET_KEY = "sk_test_51FakeKeyForTheTestSuiteOnly0000000000000000000"
TEST_WEBHOOK_SECRET = "whsec_test_fake_signing_secret_for_tests"
TEST_PORTAL_CONFIGURATION = "bpc_1QtestPortalConfiguration"


@dataclass
class Request:
    method: str
    path: str
    params: dict
    headers: dict


@dataclass
class FakeStripe(FakePayments, stripe.HTTPClient):
    name = "fake"

    customers: dict = field(default_factory=dict)
    subscriptions: dict = field(default_factory=dict)
    invoices: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    charges: dict = field(default_factory=dict)
    refunds: dict = field(default_factory=dict)
    invoice_payments: list = field(default_factory=list)
    undelivered_events: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    unreachable: bool = False
    # Where Checkout "is": tests may point it at a test double (the browser journey).
    checkout_url: str = "https://checkout.stripe.com/c/pay/{id}"

    def __post_init__(self):
        super().__init__()

    # --- the HTTP side the SDK calls ---------------------------------------------------

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        if self.unreachable:
            raise stripe.APIConnectionError("Could not connect to Stripe (fake network down).")
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query) + parse_qsl(post_data or "")
        params = unflatten(pairs)
        self.requests.append(Request(method.upper(), parts.path, params, dict(headers or {})))
        status, body = self._route(method.upper(), parts.path, params)
        return json.dumps(body), status, {"Request-Id": stripe_id("req")}

    def close(self):
        pass

    def calls(self, method: str, path_pattern: str) -> list[Request]:
        return [
            r for r in self.requests if r.method == method and re.fullmatch(path_pattern, r.path)
        ]

    def _missing(self, kind: str, object_id: str):
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": f"No such {kind}: '{object_id}'",
                "param": "id",
            }
        }

    def _route(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        routes = [
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)", self._get("checkout session", self.sessions)),
            ("POST", r"/v1/billing_portal/sessions", self._create_portal),
            ("POST", r"/v1/customers", self._create_customer),
            ("POST", r"/v1/customers/(?P<id>[^/]+)", self._update_customer),
            ("POST", r"/v1/subscriptions", self._create_subscription),
            ("GET", r"/v1/subscriptions/(?P<id>[^/]+)", self._get("subscription", self.subscriptions)),
            ("POST", r"/v1/subscriptions/(?P<id>[^/]+)", self._update_subscription),
            ("DELETE", r"/v1/subscriptions/(?P<id>[^/]+)", self._cancel_subscription),
            ("GET", r"/v1/invoices/(?P<id>[^/]+)", self._get_invoice),
            ("POST", r"/v1/invoices/(?P<id>[^/]+)/pay", self._pay_invoice),
            ("GET", r"/v1/invoice_payments", self._list_invoice_payments),
            ("GET", r"/v1/refunds", self._list_refunds),
            ("GET", r"/v1/events", self._list_events),
        ]  # fmt: skip
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                return handler(params, **match.groupdict())
        return 404, {"error": {"type": "invalid_request_error", "message": f"No route {path}"}}

    def _get(self, kind, store):
        def handler(params, id):
            return (200, store[id]) if id in store else self._missing(kind, id)

        return handler

    def _get_invoice(self, params, id):
        """Its payments are includable: there only when asked for (with the intent a test
        put in `_payment_intent`)."""
        if id not in self.invoices:
            return self._missing("invoice", id)
        invoice = self._public(self.invoices[id])
        intent = self.invoices[id].get("_payment_intent")
        if intent and "payments.data.payment.payment_intent" in params.get("expand", []):
            payment = {"object": "invoice_payment", "invoice": id, "is_default": True}
            payment["payment"] = {"type": "payment_intent", "payment_intent": intent}
            invoice["payments"] = {"object": "list", "has_more": False, "data": [payment]}
        return 200, invoice

    def _create_session(self, params):
        session = fixture("checkout_session")
        session_id = stripe_id("cs_test_a")
        line = params["line_items"][0]
        session.update(
            id=session_id,
            mode=params["mode"],
            status="open",
            payment_status="unpaid",
            url=self.checkout_url.format(id=session_id),
            success_url=params["success_url"],
            cancel_url=params["cancel_url"],
            client_reference_id=params.get("client_reference_id"),
            customer=params.get("customer"),
            customer_email=params.get("customer_email"),
            metadata=params.get("metadata", {}),
            allow_promotion_codes=params.get("allow_promotion_codes") == "true",
            subscription=None,
            payment_intent=None,
            created=int(time.time()),
        )
        # Kept for complete_checkout: what the subscription will be made of.
        session["_line"] = line
        session["_subscription_data"] = params.get("subscription_data", {})
        self.sessions[session_id] = session
        return 200, self._public(session)

    def _create_portal(self, params):
        portal = fixture("billing_portal_session")
        portal.update(
            id=stripe_id("bps"),
            customer=params["customer"],
            configuration=params.get("configuration"),
            return_url=params["return_url"],
            url=f"https://billing.stripe.com/p/session/test_{stripe_id('YWNjdA')}",
            flow=None,
            created=int(time.time()),
        )
        return 200, portal

    def _create_customer(self, params):
        customer = fixture("customer")
        customer.update(
            id=stripe_id("cus"),
            name=params.get("name"),
            email=params.get("email"),
            description=params.get("description") or None,
            metadata=params.get("metadata", {}),
            currency="gbp",
            discount=None,
            created=int(time.time()),
        )
        customer["address"].update(params.get("address", {}))
        fields = (params.get("invoice_settings") or {}).get("custom_fields") or None
        customer["invoice_settings"]["custom_fields"] = fields
        self.customers[customer["id"]] = customer
        return 200, customer

    def _update_customer(self, params, id):
        # Customers made by Checkout (complete_checkout) are not kept here: start from
        # Stripe's example for them.
        customer = self.customers.setdefault(id, {**fixture("customer"), "id": id})
        for key in ("name", "email", "description"):
            if key in params:
                customer[key] = params[key] or None
        customer["address"].update(params.get("address", {}))
        if "invoice_settings" in params:
            fields = (params["invoice_settings"] or {}).get("custom_fields") or None
            customer["invoice_settings"]["custom_fields"] = fields
        return 200, customer

    def _create_subscription(self, params):
        item = params["items"][0]
        subscription = self.add_subscription(
            customer=params["customer"],
            price=item["price"],
            quantity=int(item.get("quantity", 1)),
            metadata=params.get("metadata", {}),
            collection_method=params.get("collection_method", "charge_automatically"),
            days_until_due=int(params["days_until_due"]) if params.get("days_until_due") else None,
        )
        return 200, subscription

    def _update_subscription(self, params, id):
        """Only what the site changes: whether it renews at the end of its period."""
        subscription = self.subscriptions.get(id)
        if subscription is None:
            return self._missing("subscription", id)
        if subscription["status"] == "canceled":
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "message": f"A canceled subscription can only update its cancellation_details: {id}",
                }
            }
        if "cancel_at_period_end" in params:
            subscription["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        return 200, self._public(subscription)

    def _cancel_subscription(self, params, id):
        subscription = self.subscriptions.get(id)
        if subscription is None:
            return self._missing("subscription", id)
        if subscription["status"] == "canceled":
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "message": f"A canceled subscription can only update its cancellation_details: {id}",
                }
            }
        return 200, self._public(self.set_subscription(id, status="canceled"))

    def _pay_invoice(self, params, id):
        if id not in self.invoices:
            return self._missing("invoice", id)
        invoice = self.invoices[id]
        if invoice["status"] != "open":
            return 400, {
                "error": {"type": "invalid_request_error", "message": "Invoice is not open."}
            }
        invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
        if params.get("paid_out_of_band") == "true":
            invoice["paid_out_of_band"] = True
        subscription = self.subscriptions.get(self.invoice_subscription(invoice))
        if subscription and subscription["status"] in ("past_due", "unpaid"):
            subscription["status"] = "active"
        return 200, invoice

    def _list_events(self, params):
        return 200, {
            "object": "list",
            "url": "/v1/events",
            "has_more": False,
            "data": self.undelivered_events if params.get("delivery_success") == "false" else [],
        }

    @staticmethod
    def _public(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    # --- Stripe's side of the story, for tests ------------------------------------------

    def add_subscription(
        self,
        *,
        customer: str | None = None,
        price: str,
        quantity: int = 1,
        status: str = "active",
        metadata: dict | None = None,
        period_end: int | None = None,
        cancel_at_period_end: bool = False,
        collection_method: str = "charge_automatically",
        days_until_due: int | None = None,
        trial_days: int = 0,
        subscription_id: str | None = None,
    ) -> dict:
        now = int(time.time())
        period_end = period_end or now + (trial_days or 365) * DAY
        subscription = fixture("subscription")
        subscription_id = subscription_id or stripe_id("sub")
        subscription.update(
            id=subscription_id,
            customer=customer or stripe_id("cus"),
            status="trialing" if trial_days else status,
            metadata=metadata or {},
            cancel_at_period_end=cancel_at_period_end,
            cancel_at=None,
            canceled_at=None,
            ended_at=None,
            collection_method=collection_method,
            days_until_due=days_until_due,
            created=now,
            start_date=now,
            billing_cycle_anchor=now,
            trial_start=now if trial_days else None,
            trial_end=period_end if trial_days else None,
            currency="gbp",
            latest_invoice=None,
            discounts=[],
            schedule=None,
        )
        item = subscription["items"]["data"][0]
        item.update(
            id=stripe_id("si"),
            subscription=subscription_id,
            quantity=quantity,
            current_period_start=now,
            current_period_end=period_end,
        )
        item["price"].update(id=price, currency="gbp")
        subscription["items"]["data"] = [item]
        subscription["items"]["url"] = f"/v1/subscription_items?subscription={subscription_id}"
        self.subscriptions[subscription_id] = subscription
        return subscription

    def set_subscription(self, subscription_id: str, **changes) -> dict:
        """Change a subscription as Stripe would (status, cancel_at_period_end, period_end)."""
        subscription = self.subscriptions[subscription_id]
        period_end = changes.pop("period_end", None)
        if period_end is not None:
            subscription["items"]["data"][0]["current_period_end"] = period_end
        if changes.get("status") == "canceled":
            subscription.setdefault("ended_at", None)
            subscription["ended_at"] = subscription["ended_at"] or int(time.time())
            subscription["canceled_at"] = subscription["canceled_at"] or int(time.time())
        subscription.update(changes)
        return subscription

    def complete_checkout(self, session_id: str, *, status: str = "active") -> dict:
        """The buyer paid on Checkout: Stripe makes the customer and the subscription."""
        session = self.sessions[session_id]
        customer = session["customer"] or stripe_id("cus")
        data = session["_subscription_data"]
        trial_days = int(data.get("trial_period_days", 0))
        subscription = self.add_subscription(
            customer=customer,
            price=session["_line"]["price"],
            quantity=int(session["_line"].get("quantity", 1)),
            metadata=data.get("metadata", {}),
            status=status,
            trial_days=trial_days,
        )
        session.update(
            status="complete",
            payment_status="no_payment_required" if trial_days else "paid",
            customer=customer,
            subscription=subscription["id"],
        )
        return subscription

    def add_invoice(
        self,
        subscription_id: str,
        *,
        status: str = "open",
        amount: int = 12000,
        due_in_days: int | None = 30,
        attempt_count: int = 0,
    ) -> dict:
        subscription = self.subscriptions[subscription_id]
        now = int(time.time())
        invoice = fixture("invoice")
        invoice_id = stripe_id("in")
        invoice.update(
            id=invoice_id,
            customer=subscription["customer"],
            status=status,
            number=f"7FE1103-{len(self.invoices) + 1:04d}",
            amount_due=amount,
            amount_paid=amount if status == "paid" else 0,
            amount_remaining=0 if status == "paid" else amount,
            currency="gbp",
            collection_method=subscription["collection_method"],
            billing_reason="subscription_create",
            due_date=now + due_in_days * DAY if due_in_days is not None else None,
            hosted_invoice_url=f"https://invoice.stripe.com/i/acct_1Qtest/test_{invoice_id}",
            attempt_count=attempt_count,
            attempted=attempt_count > 0,
            created=now,
            last_finalization_error=None,
            from_invoice=None,
            parent={
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": subscription["metadata"],
                    "subscription": subscription_id,
                },
            },
        )
        self.invoices[invoice_id] = invoice
        return invoice

    @staticmethod
    def invoice_subscription(invoice: dict) -> str | None:
        return ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription")

    def event(self, event_type: str, obj: dict, *, created: int | None = None) -> dict:
        """An event as Stripe sends it: a snapshot of the object at that moment."""
        event = fixture("event")
        event.update(
            id=stripe_id("evt"),
            type=event_type,
            created=created or int(time.time()),
            api_version="2026-10-28.endive",
            pending_webhooks=1,
            request={"id": stripe_id("req"), "idempotency_key": None},
            data={"object": copy.deepcopy(self._public(obj))},
        )
        return event


def signed_post(client, event: dict | str, *, secret: str = TEST_WEBHOOK_SECRET, timestamp=None):
    """POST a webhook the way Stripe does, signed with Stripe's real scheme."""
    payload = event if isinstance(event, str) else json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return client.post(
        "/billing/stripe/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
