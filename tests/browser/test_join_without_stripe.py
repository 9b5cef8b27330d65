"""A provider joins without Stripe keys, in Chromium on a phone (390 px) and a desk (1280 px): the membership page
offers every plan a way in, the request form takes a personal plan without a PO number,
both sides are emailed, and the account page shows the request waiting, then approved.
Every page is checked with axe-core."""

import pytest
from django.core import mail

from members import access
from members.billing import invoicing
from members.models import InvoiceRequest
from tests.browser.conftest import assert_accessible, sign_in
from tests.members.factories import PASSWORD, PlanFactory, UserFactory


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.django_db(transaction=True)
def test_a_provider_joins_without_stripe_by_request_and_follows_it_on_their_account(
    new_page, settings, width
):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.STAFF_NOTIFICATION_EMAILS = ["membership@network.example.org"]
    PlanFactory(slug="provider-individual", name="Provider (individual)")
    PlanFactory(slug="policy-individual", name="Policy maker (individual)", member_type="policy")
    provider = UserFactory(email="amira.hassan@brookside-homes.example.org", name="Amira Hassan")
    staff = UserFactory(email="team@network.example.org", is_staff=True)
    page = new_page({"width": width, "height": 900})
    sign_in(page, provider.email, PASSWORD)
    page.get_by_role("heading", name="Your account").wait_for()

    page.goto("/membership/")
    page.get_by_text("Card payments are not available at the moment.").wait_for()
    assert page.get_by_role("link", name="Ask to join: Policy maker (individual)").count() == 1
    assert_accessible(page)
    page.get_by_role("link", name="Ask to join: Provider (individual)").click()
    page.get_by_role("heading", name="Ask to join").wait_for()
    assert_accessible(page)
    # A personal plan's form starts from the profile; the person corrects who pays.
    assert page.get_by_label("Billing contact").input_value() == "Amira Hassan"
    page.get_by_label("Organisation", exact=True).fill("Brookside Children's Homes Ltd")
    page.get_by_label("Billing email").fill("accounts@brookside-homes.example.org")
    page.get_by_label("Billing address").fill("4 Mill Lane\nBrookside\nBK1 2CD")
    page.get_by_role("button", name="Send my request").click()

    page.get_by_text("waiting for approval").wait_for()
    assert "Provider (individual)" in page.locator("#membership-request").inner_text()
    assert_accessible(page)
    assert access.membership(provider) is None
    assert sorted(m.to[0] for m in mail.outbox) == [
        provider.email,
        "membership@network.example.org",
    ]

    mail.outbox.clear()
    invoicing.invoice_request_approve(
        invoice_request=InvoiceRequest.objects.get(), approved_by=staff
    )
    [decision] = mail.outbox
    assert decision.to == [provider.email]
    assert decision.subject == "Your membership has started: Provider (individual)"
    page.reload()
    page.get_by_text("You are a member").wait_for()
    assert "approved" in page.locator("#membership-request").inner_text()
    assert_accessible(page)
