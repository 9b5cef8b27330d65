"""A renewal the bank wants the member to confirm (3-D Secure) is not a declined card: the
email and the account page send them to the invoice's payment page to confirm it with
their bank, and keep "update your card" for a card that was declined."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.billing import sync
from members.models import Invoice, SubscriptionStatus
from tests.members.billing.fake_stripe import fixture
from tests.members.factories import InvoiceFactory, PlanFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db

PRICE = "price_1QproviderAnnual00000000"


@pytest.fixture
def buyer():
    return UserFactory(email="jo.buyer@example.org")


@pytest.fixture
def renewal(fake_stripe, deliver, buyer):
    """A card membership whose renewal invoice is open and its subscription past_due."""
    plan = PlanFactory(slug="provider-annual", stripe_price_id=PRICE)
    subscription = fake_stripe.add_subscription(
        price=PRICE, metadata={sync.META_USER: str(buyer.pk), sync.META_PLAN: str(plan.pk)}
    )
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    fake_stripe.set_subscription(subscription["id"], status="past_due")
    return fake_stripe.add_invoice(subscription["id"], status="open", attempt_count=1)


def attempted(invoice: dict, *, status: str, code: str | None = None) -> None:
    """Stripe's attempt to take the invoice's payment, as its payment intent records it."""
    intent = fixture("payment_intent")
    intent.update(id=f"pi_for_{invoice['id']}", status=status, next_action=None)
    intent["last_payment_error"] = {"type": "card_error", "code": code} if code else None
    invoice["_payment_intent"] = intent


@pytest.mark.parametrize(
    ("status", "code"),
    [("requires_action", None), ("requires_payment_method", "authentication_required")],
)
def test_renewal_the_bank_wants_confirmed_emails_to_confirm_it_on_the_invoice_page(
    fake_stripe, deliver, renewal, mailoutbox, status, code
):
    attempted(renewal, status=status, code=code)

    deliver(fake_stripe.event("invoice.payment_failed", renewal))

    [message] = mailoutbox
    assert message.subject == "Please confirm your membership payment with your bank"
    assert "confirm the payment with your bank" in message.body
    assert renewal["hosted_invoice_url"] in message.body
    html = message.alternatives[0][0]
    assert f'href="{renewal["hosted_invoice_url"]}"' in html and "Confirm the payment" in html
    assert "Update your card" not in message.body and "Update your card" not in html
    assert Invoice.objects.get().awaits_confirmation


def test_declined_card_at_renewal_still_asks_to_update_the_card(
    fake_stripe, deliver, renewal, mailoutbox
):
    attempted(renewal, status="requires_payment_method", code="card_declined")

    deliver(fake_stripe.event("invoice.payment_failed", renewal))

    [message] = mailoutbox
    assert message.subject == "Your membership payment did not go through"
    assert "Update your card in the billing portal" in message.body
    assert "https://network.example.org/billing/portal/" in message.body
    assert "confirm the payment" not in message.body
    assert not Invoice.objects.get().awaits_confirmation


def test_payment_action_required_asks_to_confirm_and_emails_once_with_payment_failed(
    fake_stripe, deliver, renewal, mailoutbox
):
    # No payment intent to read: the event alone says the bank wants a confirmation.
    deliver(fake_stripe.event("invoice.payment_action_required", renewal))
    deliver(fake_stripe.event("invoice.payment_failed", renewal))

    [message] = mailoutbox
    assert message.subject == "Please confirm your membership payment with your bank"
    assert renewal["hosted_invoice_url"] in message.body


def test_a_confirmed_and_paid_invoice_no_longer_awaits_confirmation(fake_stripe, deliver, renewal):
    attempted(renewal, status="requires_action")
    deliver(fake_stripe.event("invoice.payment_failed", renewal))
    attempted(renewal, status="succeeded")
    renewal["status"] = "paid"

    deliver(fake_stripe.event("invoice.paid", renewal))

    assert not Invoice.objects.get().awaits_confirmation


def account_text(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("members:account")).content.decode()


def test_account_asks_to_confirm_a_payment_the_bank_holds_on_the_invoice_page(client, fake_stripe):
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=1)
    )
    page = "https://invoice.stripe.com/i/acct_1Qtest/test_in_1Qconfirm"
    InvoiceFactory(subscription=subscription, awaits_confirmation=True, hosted_invoice_url=page)

    text = account_text(client, subscription.user)

    assert "Your bank asks you to confirm your last payment" in text
    assert f'href="{page}">Confirm the payment' in text
    assert "Update your card" not in text


def test_account_asks_to_update_the_card_after_a_declined_payment(client, fake_stripe):
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=1)
    )
    InvoiceFactory(subscription=subscription, hosted_invoice_url="https://invoice.stripe.com/i/x")

    text = account_text(client, subscription.user)

    assert "Your last payment did not go through" in text
    assert "Update your card in the billing portal" in text
    assert "Confirm the payment" not in text
