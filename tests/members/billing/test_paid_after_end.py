"""An invoice paid for a membership that has already ended: the money is in, the
membership is closed, and the membership team is told so they can reopen or refund."""

import pytest

from members.billing import staff_notices, sync
from members.models import Invoice, Subscription
from tests.members.factories import OrganisationFactory, PlanFactory

pytestmark = pytest.mark.django_db

PRICE = "price_1QcouncilOrg0000000000000"


@pytest.fixture
def ended_with_open_invoice(fake_stripe, deliver):
    """A council's membership billed by invoice that Stripe cancelled, its invoice unpaid."""
    plan = PlanFactory(name="Council (20 seats)", stripe_price_id=PRICE, organisation=True)
    organisation = OrganisationFactory(name="Eastmere Council (fictional)")
    subscription = fake_stripe.add_subscription(
        price=PRICE,
        quantity=20,
        collection_method="send_invoice",
        metadata={sync.META_ORGANISATION: str(organisation.pk), sync.META_PLAN: str(plan.pk)},
    )
    invoice = fake_stripe.add_invoice(
        subscription["id"], status="open", amount=180000, due_in_days=-40
    )
    deliver(fake_stripe.event("invoice.finalized", invoice))
    fake_stripe.set_subscription(subscription["id"], status="canceled")
    deliver(fake_stripe.event("customer.subscription.deleted", subscription))
    return invoice


def test_an_invoice_paid_after_the_membership_ended_tells_the_membership_team(
    fake_stripe, deliver, ended_with_open_invoice, settings, mailoutbox
):
    settings.STAFF_NOTIFICATION_EMAILS = ["membership@network.example.org"]
    mailoutbox.clear()
    invoice = ended_with_open_invoice
    invoice.update(status="paid", amount_paid=180000, amount_remaining=0)

    deliver(fake_stripe.event("invoice.paid", invoice))

    [message] = mailoutbox
    assert message.to == ["membership@network.example.org"]
    assert (
        message.subject == "£1,800 was paid for an ended membership: Eastmere Council (fictional)"
    )
    assert invoice["number"] in message.body
    subscription = Subscription.objects.get()
    assert f"/admin/members/subscription/{subscription.pk}/change/" in message.body
    assert subscription.status == "canceled"  # reopening is the team's decision


def test_an_invoice_paid_while_the_membership_runs_tells_the_team_nothing(
    fake_stripe, deliver, mailoutbox
):
    plan = PlanFactory(stripe_price_id=PRICE, organisation=True)
    organisation = OrganisationFactory()
    subscription = fake_stripe.add_subscription(
        price=PRICE,
        metadata={sync.META_ORGANISATION: str(organisation.pk), sync.META_PLAN: str(plan.pk)},
    )
    invoice = fake_stripe.add_invoice(subscription["id"], status="paid")

    deliver(fake_stripe.event("invoice.paid", invoice))

    assert mailoutbox == []


def test_a_payment_after_the_end_applied_again_from_the_admin_tells_the_team_once(
    fake_stripe, deliver, ended_with_open_invoice, reapply, mailoutbox
):
    ended_with_open_invoice.update(status="paid", amount_paid=180000, amount_remaining=0)
    deliver(fake_stripe.event("invoice.paid", ended_with_open_invoice))
    told = [message for message in mailoutbox if "ended membership" in message.subject]
    assert len(told) == 1

    reapply()

    told = [message for message in mailoutbox if "ended membership" in message.subject]
    assert len(told) == 1


def test_a_payment_after_the_end_email_that_failed_to_send_is_sent_once_by_the_retry(
    fake_stripe, deliver, ended_with_open_invoice, mail_fails_once, mailoutbox
):
    invoice = Invoice.objects.get()
    mailoutbox.clear()

    with pytest.raises(OSError):
        staff_notices.paid_after_end_staff_notice_send(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.paid_after_end_notice_sent_at is None

    assert staff_notices.paid_after_end_staff_notice_send(invoice_id=invoice.pk) is True
    assert staff_notices.paid_after_end_staff_notice_send(invoice_id=invoice.pk) is False

    assert len(mailoutbox) == 1
