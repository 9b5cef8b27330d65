"""Joining by card and asking for an invoice, in Chromium, against a fake Stripe.

Stripe's API is the fake HTTP layer of tests/members/billing/fake_stripe.py; Stripe's
hosted Checkout page is a test double served by Playwright in place of
checkout.stripe.com (no request leaves the machine). The webhook is signed with the
SDK's own scheme and posted to the live server, as Stripe would.
"""

import json
import re
import urllib.request

import pytest
import stripe

from members.billing import gateway
from members.models import InvoiceRequest, Subscription
from tests.browser.conftest import assert_accessible, sign_in
from tests.members.billing.fake_stripe import (
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
    FakeStripe,
)
from tests.members.factories import PASSWORD, PlanFactory, UserFactory

FAKE_CHECKOUT = """<!DOCTYPE html><html lang="en"><head><title>Fake Checkout</title></head>
<body><main><h1>Fake Stripe Checkout</h1><p>Plan: {price}</p>
<a href="{success_url}">Pay and subscribe</a></main></body></html>"""


@pytest.fixture
def fake_stripe(settings, monkeypatch, live_server):
    settings.STRIPE_SECRET_KEY = TEST_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = TEST_WEBHOOK_SECRET
    settings.SITE_URL = live_server.url
    fake = FakeStripe()
    monkeypatch.setattr(gateway, "http_client", fake)
    return fake


def serve_fake_checkout(page, fake: FakeStripe) -> None:
    """Answer for checkout.stripe.com: the buyer 'pays', Stripe makes the subscription."""

    def handle(route):
        session_id = route.request.url.rstrip("/").rsplit("/", 1)[1]
        session = fake.sessions[session_id]
        fake.complete_checkout(session_id)
        success_url = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
        route.fulfill(
            status=200,
            content_type="text/html",
            body=FAKE_CHECKOUT.format(price=session["_line"]["price"], success_url=success_url),
        )

    page.route(re.compile(r"^https://checkout\.stripe\.com/.*"), handle)


def post_webhook(live_server, event: dict) -> int:
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, TEST_WEBHOOK_SECRET)
    request = urllib.request.Request(
        f"{live_server.url}/billing/stripe/webhook/",
        data=payload.encode(),
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        return response.status


@pytest.mark.django_db(transaction=True)
def test_member_chooses_a_plan_pays_on_checkout_and_sees_the_membership(
    page, live_server, fake_stripe
):
    PlanFactory(
        slug="provider-annual",
        name="Provider: individual, annual",
        stripe_price_id="price_1QproviderAnnual00000000",
        included="The whole best-practice library\nThe members' forum",
    )
    buyer = UserFactory(email="jo.whitfield@example.org", name="Jo Whitfield")
    serve_fake_checkout(page, fake_stripe)

    sign_in(page, buyer.email, PASSWORD)
    page.get_by_role("heading", name="Your account").wait_for()
    page.get_by_role("link", name="Membership", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Pay by card: Provider: individual, annual").click()
    page.get_by_role("heading", name="Join: Provider: individual, annual").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Continue to payment").click()

    page.get_by_role("heading", name="Fake Stripe Checkout").wait_for()
    page.get_by_role("link", name="Pay and subscribe").click()

    page.get_by_role("heading", name="We are confirming your payment").wait_for()
    assert_accessible(page)
    assert not Subscription.objects.exists()  # the browser's return starts nothing

    session = next(iter(fake_stripe.sessions.values()))
    assert (
        post_webhook(live_server, fake_stripe.event("checkout.session.completed", session)) == 200
    )
    page.get_by_role("link", name="Check again").click()
    page.get_by_role("heading", name="Welcome: your membership has started").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Go to your account").click()
    page.get_by_text("You are a member").wait_for()
    assert page.get_by_text("Renews on").is_visible()
    assert page.get_by_role("button", name="Manage payment, invoices and plan").is_visible()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_invoice_request_form_keeps_what_was_typed_when_something_is_wrong(
    page, live_server, fake_stripe
):
    PlanFactory(
        slug="council-organisation",
        name="Council (20 seats)",
        stripe_price_id="price_1QcouncilOrg0000000000000",
        organisation=True,
        seats=20,
        allow_invoice=True,
    )
    person = UserFactory(email="ruth.adeyemi@northmoor.example.org")
    sign_in(page, person.email, PASSWORD)
    page.get_by_role("heading", name="Your account").wait_for()

    page.goto("/membership/")
    page.get_by_role("link", name="Pay by invoice: Council (20 seats)").click()
    page.get_by_role("heading", name="Pay by invoice").wait_for()
    assert_accessible(page)
    page.locator("#id_organisation_name").fill("Northmoor Borough Council (fictional)")
    page.get_by_label("Billing contact").fill("Accounts Payable")
    page.get_by_label("Billing email").fill("accounts payable at northmoor")
    page.get_by_label("Billing address").fill("Civic Centre\nNorthmoor\nNM1 1AA")
    page.get_by_label("Purchase order (PO) number").fill("PO-2026-0412")
    page.get_by_role("button", name="Ask for an invoice").click()

    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page)
    assert page.get_by_label("Purchase order (PO) number").input_value() == "PO-2026-0412"
    assert page.get_by_label("Billing address").input_value() == "Civic Centre\nNorthmoor\nNM1 1AA"
    assert page.get_by_label("Seats").input_value() == "20"

    page.get_by_label("Billing email").fill("accounts.payable@northmoor.example.org")
    page.get_by_role("button", name="Ask for an invoice").click()
    page.get_by_text("will email you when your membership starts").wait_for()
    assert_accessible(page)
    # The membership team checks the request before anything is created in Stripe.
    assert InvoiceRequest.objects.get().purchase_order_number == "PO-2026-0412"
    assert fake_stripe.calls("POST", "/v1/customers") == []
