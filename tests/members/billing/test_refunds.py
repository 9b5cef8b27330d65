"""Refunds staff make in Stripe: recorded against the invoice they refund, whatever order
their events come in, and shown wherever the invoice is; a refund changes no one's access.
And a disputed payment names whose it was."""

import time
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from members import access
from members.billing import sync
from members.models import Invoice, StripeEvent
from tests.members.factories import OrganisationFactory, PlanFactory, SeatFactory, UserFactory

pytestmark = pytest.mark.django_db

PRICE = "price_1QproviderAnnual00000000"
ORG_PRICE = "price_1QcouncilOrg0000000000000"
DAY = 24 * 60 * 60


@pytest.fixture
def member():
    return UserFactory(name="Jo Buyer", email="jo.buyer@example.org")


@pytest.fixture
def paid(fake_stripe, deliver, member):
    """A personal membership whose £120 invoice Jo paid by card; (invoice, charge)."""
    plan = PlanFactory(slug="provider-annual", stripe_price_id=PRICE, price_pence=12000)
    subscription = fake_stripe.add_subscription(
        price=PRICE,
        metadata={sync.META_USER: str(member.pk), sync.META_PLAN: str(plan.pk)},
    )
    invoice = fake_stripe.add_invoice(subscription["id"], amount=12000)
    charge = fake_stripe.pay_by_card(invoice["id"])
    deliver(fake_stripe.event("invoice.paid", invoice))
    return invoice, charge


def _refunded(fake_stripe, charge_id: str) -> dict:
    """The charge.refunded event as Stripe sends it: the charge with its refunds."""
    return fake_stripe.event("charge.refunded", fake_stripe.charges[charge_id])


def _when(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


# --- Recording ---------------------------------------------------------------------------


def test_a_full_refund_is_recorded_against_its_invoice(fake_stripe, deliver, paid):
    invoice, charge = paid
    refund = fake_stripe.refund(charge["id"])

    deliver(_refunded(fake_stripe, charge["id"]))

    row = Invoice.objects.get(stripe_invoice_id=invoice["id"])
    assert row.amount_refunded_pence == 12000
    assert row.refunded_at == _when(refund["created"])
    assert row.refunded_in_full
    assert row.status == Invoice.Status.PAID  # Stripe leaves a refunded invoice paid
    assert StripeEvent.objects.get(event_type="charge.refunded").outcome == "applied"


def test_a_partial_refund_records_the_amount_refunded(fake_stripe, deliver, paid):
    invoice, charge = paid
    fake_stripe.refund(charge["id"], amount=4550)

    deliver(_refunded(fake_stripe, charge["id"]))

    row = Invoice.objects.get(stripe_invoice_id=invoice["id"])
    assert row.amount_refunded_pence == 4550
    assert not row.refunded_in_full
    assert row.refund_text.startswith("£45.50 refunded on ")


def test_a_refund_delivered_twice_is_counted_once(fake_stripe, deliver, paid):
    invoice, charge = paid
    fake_stripe.refund(charge["id"], amount=3000)
    event = _refunded(fake_stripe, charge["id"])

    deliver(event)
    deliver(event)

    assert Invoice.objects.get(stripe_invoice_id=invoice["id"]).amount_refunded_pence == 3000


def test_the_same_refund_told_by_two_event_types_is_counted_once(fake_stripe, deliver, paid):
    invoice, charge = paid
    refund = fake_stripe.refund(charge["id"], amount=3000)

    deliver(fake_stripe.event("refund.created", refund))
    deliver(_refunded(fake_stripe, charge["id"]))

    assert Invoice.objects.get(stripe_invoice_id=invoice["id"]).amount_refunded_pence == 3000


def test_refunds_whose_events_arrive_out_of_order_add_up_to_stripes_total(
    fake_stripe, deliver, paid
):
    invoice, charge = paid
    now = int(time.time())
    first = fake_stripe.refund(charge["id"], amount=2000, at=now - 2 * DAY)
    first_event = fake_stripe.event("refund.created", first)
    second = fake_stripe.refund(charge["id"], amount=5000, at=now - DAY)

    deliver(fake_stripe.event("refund.created", second))
    deliver(first_event)  # the older event, late

    row = Invoice.objects.get(stripe_invoice_id=invoice["id"])
    assert row.amount_refunded_pence == 7000
    assert row.refunded_at == _when(second["created"])


def test_a_refund_that_failed_is_no_longer_counted(fake_stripe, deliver, paid):
    invoice, charge = paid
    refund = fake_stripe.refund(charge["id"])
    deliver(_refunded(fake_stripe, charge["id"]))
    assert Invoice.objects.get(stripe_invoice_id=invoice["id"]).amount_refunded_pence == 12000

    failed = fake_stripe.set_refund(refund["id"], status="failed")
    deliver(fake_stripe.event("refund.failed", failed))

    row = Invoice.objects.get(stripe_invoice_id=invoice["id"])
    assert row.amount_refunded_pence == 0
    assert row.refunded_at is None
    assert row.refund_text == ""


def test_a_refund_before_its_invoice_was_copied_copies_the_invoice(fake_stripe, deliver, member):
    plan = PlanFactory(stripe_price_id=PRICE, price_pence=12000)
    subscription = fake_stripe.add_subscription(
        price=PRICE, metadata={sync.META_USER: str(member.pk), sync.META_PLAN: str(plan.pk)}
    )
    invoice = fake_stripe.add_invoice(subscription["id"], amount=12000)
    charge = fake_stripe.pay_by_card(invoice["id"])
    fake_stripe.refund(charge["id"])

    deliver(_refunded(fake_stripe, charge["id"]))

    row = Invoice.objects.get(stripe_invoice_id=invoice["id"])
    assert row.subscription.user == member
    assert row.amount_refunded_pence == 12000


def test_a_refunded_charge_of_no_invoice_of_ours_is_ignored(fake_stripe, deliver):
    charge = {
        "id": "ch_1QoneOffPayment0000000000",
        "object": "charge",
        "payment_intent": "pi_1QoneOffPayment0000000000",
        "amount": 5000,
        "amount_refunded": 5000,
    }

    deliver(fake_stripe.event("charge.refunded", charge))

    event = StripeEvent.objects.get()
    assert event.outcome == StripeEvent.Outcome.IGNORED
    assert "was for no invoice" in event.detail


def test_a_full_refund_leaves_the_membership_as_stripe_keeps_it(fake_stripe, deliver, paid, member):
    """Stripe does not cancel a subscription whose payment is refunded: access follows
    the subscription, and staff who mean to end it cancel it in Stripe."""
    _, charge = paid
    fake_stripe.refund(charge["id"])

    deliver(_refunded(fake_stripe, charge["id"]))

    assert Invoice.objects.get().refunded_in_full
    assert access.membership(member) is not None


# --- Where it shows ----------------------------------------------------------------------


def test_the_account_page_says_an_invoice_was_refunded_in_full_and_when(
    client, fake_stripe, deliver, paid, member
):
    invoice, charge = paid
    refund = fake_stripe.refund(charge["id"])
    deliver(_refunded(fake_stripe, charge["id"]))
    client.force_login(member)

    text = client.get(reverse("members:account")).content.decode()

    assert f"£120 · Paid, refunded in full on {_when(refund['created']):%-d %B %Y}" in text


def test_an_organisation_admin_sees_a_partial_refund_of_its_invoice(client, fake_stripe, deliver):
    plan = PlanFactory(stripe_price_id=ORG_PRICE, organisation=True, price_pence=9000)
    organisation = OrganisationFactory(name="Eastmere Council (fictional)")
    admin = SeatFactory(organisation=organisation, is_admin=True).user
    subscription = fake_stripe.add_subscription(
        price=ORG_PRICE,
        quantity=20,
        metadata={sync.META_ORGANISATION: str(organisation.pk), sync.META_PLAN: str(plan.pk)},
    )
    invoice = fake_stripe.add_invoice(subscription["id"], amount=180000)
    charge = fake_stripe.pay_by_card(invoice["id"])
    deliver(fake_stripe.event("invoice.paid", invoice))
    fake_stripe.refund(charge["id"], amount=45000)
    deliver(_refunded(fake_stripe, charge["id"]))
    client.force_login(admin)

    text = client.get(reverse("members:account")).content.decode()

    assert "£1,800 · Paid, £450 refunded on " in text


def test_staff_read_the_amount_refunded_on_the_invoice_pages(
    staff_client, fake_stripe, deliver, paid
):
    invoice, charge = paid
    fake_stripe.refund(charge["id"], amount=4550)
    deliver(_refunded(fake_stripe, charge["id"]))
    row = Invoice.objects.get(stripe_invoice_id=invoice["id"])

    listing = staff_client.get(reverse("admin:members_invoice_changelist")).content.decode()
    page = staff_client.get(reverse("admin:members_invoice_change", args=[row.pk]))
    inline = staff_client.get(
        reverse("admin:members_subscription_change", args=[row.subscription_id])
    ).content.decode()

    for text in (listing, page.content.decode(), inline):
        assert "£45.50" in text
    form = page.context["adminform"].form
    assert "amount_refunded_pence" not in form.fields
    assert "refunded_at" not in form.fields
    assert "A refund does not end the membership" in page.content.decode()


# --- Disputes ----------------------------------------------------------------------------


def test_a_dispute_email_names_the_member_and_links_to_them_in_the_admin(
    fake_stripe, deliver, paid, member, settings, mailoutbox
):
    settings.STAFF_NOTIFICATION_EMAILS = ["membership@network.example.org"]
    _, charge = paid
    mailoutbox.clear()
    dispute = {
        "id": "dp_1QdisputeJoBuyer000000000",
        "object": "dispute",
        "amount": 12000,
        "currency": "gbp",
        "charge": charge["id"],
        "payment_intent": charge["payment_intent"],
        "reason": "fraudulent",
        "status": "needs_response",
        "evidence_details": {"due_by": int(time.time()) + 10 * DAY},
    }

    deliver(fake_stripe.event("charge.dispute.created", dispute))

    [message] = mailoutbox
    assert message.subject.endswith("A payment of £120 was disputed: Jo Buyer")
    assert "Jo Buyer (jo.buyer@example.org)" in message.body
    assert f"/admin/members/user/{member.pk}/change/" in message.body


def test_a_dispute_email_of_an_organisations_payment_links_to_the_organisation(
    fake_stripe, deliver, settings, mailoutbox
):
    settings.STAFF_NOTIFICATION_EMAILS = ["membership@network.example.org"]
    plan = PlanFactory(stripe_price_id=ORG_PRICE, organisation=True)
    organisation = OrganisationFactory(name="Eastmere Council (fictional)")
    subscription = fake_stripe.add_subscription(
        price=ORG_PRICE,
        metadata={sync.META_ORGANISATION: str(organisation.pk), sync.META_PLAN: str(plan.pk)},
    )
    invoice = fake_stripe.add_invoice(subscription["id"], amount=180000)
    charge = fake_stripe.pay_by_card(invoice["id"])
    dispute = {
        "id": "dp_1QdisputeEastmere00000000",
        "object": "dispute",
        "amount": 180000,
        "charge": charge["id"],
        "payment_intent": charge["payment_intent"],
        "reason": "duplicate",
    }

    deliver(fake_stripe.event("charge.dispute.created", dispute))

    [message] = mailoutbox
    assert message.subject.endswith(
        "A payment of £1,800 was disputed: Eastmere Council (fictional)"
    )
    assert f"/admin/members/organisation/{organisation.pk}/change/" in message.body
