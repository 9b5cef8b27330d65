"""A membership by invoice opens before it is paid: someone whose last one was never paid
does not open another by invoice under a new name, but may pay by card or pay first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Invoice, InvoiceRequest, Subscription
from tests.members.billing.test_invoices import commissioner, council_plan, form_data

pytestmark = pytest.mark.django_db

__all__ = ["commissioner", "council_plan"]  # fixtures, used by name


def invoiced_then_ended(client, plan, *, invoice_status: str) -> Invoice:
    """The council's first membership by invoice, its invoice now past due, ended."""
    client.post(reverse("billing:invoice_request"), form_data(plan))
    subscription = Subscription.objects.get()
    invoice = Invoice.objects.create(
        subscription=subscription,
        stripe_invoice_id="in_1QnorthmoorFirst",
        number="ERN-2026-0042",
        status=invoice_status,
        amount_due_pence=225_000,
        due_date=timezone.now() - timedelta(days=40),
    )
    Subscription.objects.update(status="canceled", ended_at=timezone.now() - timedelta(days=5))
    return invoice


@pytest.mark.usefixtures("invoices_open_at_once")
def test_a_new_membership_by_invoice_is_refused_while_the_last_invoice_is_unpaid(
    client, fake_stripe, council_plan, commissioner
):
    client.force_login(commissioner)
    invoiced_then_ended(client, council_plan, invoice_status="uncollectible")

    response = client.post(
        reverse("billing:invoice_request"),
        form_data(council_plan, organisation_name="Northmoor Children's Services"),
    )

    text = response.text
    assert "Invoice ERN-2026-0042 (£2,250" in text and "is still unpaid" in text
    assert "pay for the new membership by card" in text
    assert 'value="Northmoor Children&#x27;s Services"' in text  # what was typed stays
    assert InvoiceRequest.objects.count() == 1
    assert Subscription.objects.count() == 1


@pytest.mark.usefixtures("invoices_open_at_once")
def test_an_invoice_marked_paid_by_staff_does_not_stand_in_the_way(
    client, fake_stripe, council_plan, commissioner
):
    client.force_login(commissioner)
    invoice = invoiced_then_ended(client, council_plan, invoice_status="open")
    Invoice.objects.filter(pk=invoice.pk).update(paid_out_of_band=True)

    client.post(
        reverse("billing:invoice_request"),
        form_data(council_plan, organisation_name="Northmoor Children's Services"),
    )

    assert InvoiceRequest.objects.count() == 2


@pytest.mark.usefixtures("invoices_open_at_once")
def test_a_paid_invoice_does_not_stand_in_the_way(client, fake_stripe, council_plan, commissioner):
    client.force_login(commissioner)
    invoiced_then_ended(client, council_plan, invoice_status="paid")

    client.post(
        reverse("billing:invoice_request"),
        form_data(council_plan, organisation_name="Northmoor Children's Services"),
    )

    assert InvoiceRequest.objects.count() == 2
