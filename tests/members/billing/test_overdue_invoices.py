"""A membership billed by invoice whose invoice passes its due date unpaid: the payer is
told, once, as a card payer is told of a failed payment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.billing import notices
from members.models import Invoice, Subscription
from tests.members.factories import PlanFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoiced(client, fake_stripe, invoices_open_at_once):
    """A council's membership of 25 seats billed by invoice, with its first invoice sent."""
    plan = PlanFactory(
        name="Council (20 seats)",
        stripe_price_id="price_1QcouncilOrg0000000000000",
        organisation=True,
        seats=20,
        price_pence=180000,
        allow_invoice=True,
        member_type="commissioner",
    )
    client.force_login(UserFactory(email="ruth.adeyemi@northmoor.example.org"))
    client.post(
        reverse("billing:invoice_request"),
        {
            "plan": plan.pk,
            "seats": 25,
            "organisation_name": "Northmoor Borough Council (fictional)",
            "region": "west-midlands",
            "contact_name": "Accounts Payable",
            "billing_email": "accounts.payable@northmoor.example.org",
            "billing_address": "Civic Centre\nMarket Street\nNorthmoor\nNM1 1AA",
            "purchase_order_number": "PO-2026-0412",
        },
    )
    subscription = Subscription.objects.get()
    invoice = fake_stripe.add_invoice(
        subscription.stripe_subscription_id, status="open", amount=225000, due_in_days=30
    )
    return subscription, invoice


def test_an_invoice_passing_its_due_date_unpaid_tells_the_payer_once(
    fake_stripe, deliver, invoiced, mailoutbox
):
    subscription, invoice = invoiced
    deliver(fake_stripe.event("invoice.finalized", invoice))
    mailoutbox.clear()
    invoice["due_date"] = int((timezone.now() - timedelta(days=1)).timestamp())
    # Stripe turns a subscription billed by invoice past_due when the due date passes.
    stripe_subscription = fake_stripe.set_subscription(
        subscription.stripe_subscription_id, status="past_due"
    )

    deliver(fake_stripe.event("customer.subscription.updated", stripe_subscription))
    deliver(fake_stripe.event("customer.subscription.updated", stripe_subscription))
    deliver(fake_stripe.event("invoice.overdue", invoice))

    [message] = mailoutbox
    assert message.subject == "Your membership invoice is overdue"
    assert sorted(message.to) == [
        "accounts.payable@northmoor.example.org",
        "ruth.adeyemi@northmoor.example.org",
    ]
    assert invoice["number"] in message.body
    assert "£2,250" in message.body
    assert "Your membership stays open until" in message.body
    assert "bank transfer" in message.body
    assert Invoice.objects.get().payment_failed_notice_sent_at is not None


def test_an_overdue_notice_that_comes_after_the_grace_says_the_membership_is_closed(
    fake_stripe, deliver, invoiced, mailoutbox, settings
):
    settings.MEMBERSHIP_GRACE_DAYS = 14
    subscription, invoice = invoiced
    invoice["due_date"] = int((timezone.now() - timedelta(days=20)).timestamp())
    fake_stripe.set_subscription(subscription.stripe_subscription_id, status="past_due")
    mailoutbox.clear()

    deliver(fake_stripe.event("invoice.overdue", invoice))

    [message] = mailoutbox
    assert "stays open" not in message.body
    assert "closed until it is paid" in message.body


def test_an_overdue_notice_without_an_invoice_page_points_to_the_account_page(
    fake_stripe, deliver, invoiced, mailoutbox
):
    subscription, invoice = invoiced
    deliver(fake_stripe.event("invoice.finalized", invoice))
    mailoutbox.clear()
    # Marked to be paid outside Stripe, say: no page of Stripe's to send them to.
    Invoice.objects.update(hosted_invoice_url="", due_date=timezone.now() - timedelta(days=1))

    notices.payment_failed_notice_send(invoice_id=Invoice.objects.get().pk)

    [message] = mailoutbox
    assert "listed with your membership on your account page" in message.body
    assert reverse("members:account") in message.body
