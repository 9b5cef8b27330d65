"""A membership billed by invoice opens before it is paid, so, as deployed, staff approve
each request to pay by invoice before anything opens."""

import pytest
from django.urls import reverse

from members import access
from members.models import InvoiceRequest
from tests.members.billing.test_invoices import commissioner, council_plan, form_data

pytestmark = pytest.mark.django_db

__all__ = ["commissioner", "council_plan"]  # fixtures, used by name


def test_a_new_account_asking_to_pay_by_invoice_gets_no_access_until_staff_approve(
    client, fake_stripe, council_plan, commissioner
):
    # Left as it is deployed: a membership by invoice opens before it is paid, so nobody
    # reaches members' content on a request alone.
    client.force_login(commissioner)

    client.post(reverse("billing:invoice_request"), form_data(council_plan))

    assert InvoiceRequest.objects.get().status == InvoiceRequest.Status.PENDING
    assert not fake_stripe.requests
    assert not access.is_member(commissioner)


def test_the_invoice_form_says_the_team_checks_each_request_first(
    client, fake_stripe, council_plan, commissioner
):
    client.force_login(commissioner)

    page = client.get(reverse("billing:invoice_request") + f"?plan={council_plan.pk}")

    assert "Your membership starts when it is approved" in page.content.decode()
