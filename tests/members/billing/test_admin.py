"""Billing in the admin: read-mostly subscriptions, invoices, requests and Stripe events."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from members.models import Invoice, InvoiceRequest, Plan, StripeEvent, Subscription
from tests.members.factories import OrganisationFactory, PlanFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_rows(fake_stripe):
    subscription = SubscriptionFactory(collection_method="send_invoice")
    Invoice.objects.create(
        subscription=subscription,
        stripe_invoice_id="in_1Qadmin",
        number="7FE1103-0009",
        status="open",
    )
    InvoiceRequest.objects.create(
        requested_by=subscription.user,
        plan=PlanFactory(allow_invoice=True),
        organisation=OrganisationFactory(),
        seats=1,
        purchase_order_number="PO-1",
    )
    StripeEvent.objects.create(
        stripe_event_id="evt_1Qadmin",
        event_type="invoice.paid",
        payload={"id": "evt_1Qadmin"},
        outcome=StripeEvent.Outcome.WAITING,
        detail="customer cus_1Qx is not known here",
    )
    return subscription


@pytest.mark.parametrize(
    "model", ["plan", "subscription", "invoice", "invoicerequest", "stripeevent"]
)
def test_billing_lists_open_for_staff(staff_client, billing_rows, model):
    response = staff_client.get(reverse(f"admin:members_{model}_changelist"))

    assert response.status_code == 200


def test_stripe_events_are_read_only_and_can_be_searched_by_what_happened(
    staff_client, billing_rows
):
    event = StripeEvent.objects.get()

    listing = staff_client.get(reverse("admin:members_stripeevent_changelist") + "?q=cus_1Qx")
    page = staff_client.get(reverse("admin:members_stripeevent_change", args=[event.pk]))

    assert "evt_1Qadmin" in listing.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_staff_read_invoice_amounts_in_pounds(staff_client, billing_rows):
    Invoice.objects.update(amount_due_pence=180000)
    invoice = Invoice.objects.get()

    listing = staff_client.get(reverse("admin:members_invoice_changelist")).content.decode()
    page = staff_client.get(
        reverse("admin:members_invoice_change", args=[invoice.pk])
    ).content.decode()
    inline = staff_client.get(
        reverse("admin:members_subscription_change", args=[billing_rows.pk])
    ).content.decode()

    for text in (listing, page, inline):
        assert "£1,800" in text
        assert "180000" not in text


def test_an_invoice_copied_from_stripe_has_nothing_staff_can_edit(staff_client, billing_rows):
    invoice = Invoice.objects.get()

    page = staff_client.get(reverse("admin:members_invoice_change", args=[invoice.pk]))

    assert page.context["adminform"].form.fields == {}


def test_a_subscription_links_to_the_stripe_events_about_it(staff_client, billing_rows):
    StripeEvent.objects.update(stripe_subscription_id=billing_rows.stripe_subscription_id)

    page = staff_client.get(
        reverse("admin:members_subscription_change", args=[billing_rows.pk])
    ).content.decode()

    listing = reverse("admin:members_stripeevent_changelist")
    assert f'href="{listing}?q={billing_rows.stripe_subscription_id}">1 event</a>' in page


def test_a_subscription_from_stripe_cannot_be_edited_or_added_by_hand(staff_client, billing_rows):
    page = staff_client.get(reverse("admin:members_subscription_change", args=[billing_rows.pk]))

    assert 'name="status"' not in page.content.decode()
    assert 'name="plan"' not in page.content.decode()
    assert staff_client.get(reverse("admin:members_subscription_add")).status_code == 403


@pytest.mark.parametrize("model", ["subscription", "invoice", "stripeevent"])
def test_billing_records_cannot_be_deleted_from_the_admin(staff_client, billing_rows, model):
    row = {
        "subscription": billing_rows,
        "invoice": Invoice.objects.get(),
        "stripeevent": StripeEvent.objects.get(),
    }[model]

    listing = staff_client.get(reverse(f"admin:members_{model}_changelist")).content.decode()
    delete = staff_client.post(
        reverse(f"admin:members_{model}_delete", args=[row.pk]), {"post": "yes"}
    )

    assert "delete_selected" not in listing
    assert delete.status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_staff_refresh_a_subscription_from_stripe(staff_client, fake_stripe, billing_rows):
    fake_stripe.add_subscription(
        subscription_id=billing_rows.stripe_subscription_id,
        customer=billing_rows.stripe_customer_id,
        price=billing_rows.plan.stripe_price_id,
        status="past_due",
    )

    staff_client.post(
        reverse("admin:members_subscription_changelist"),
        {"action": "refresh_from_stripe", "_selected_action": [billing_rows.pk]},
    )

    assert Subscription.objects.get().status == "past_due"


def plan_form(plan, **changes) -> dict:
    fields = ["name", "slug", "member_type", "holder", "interval", "price_pence", "seats",
              "included", "stripe_price_id", "trial_days", "order"]  # fmt: skip
    data = {name: getattr(plan, name) for name in fields}
    data.update(is_active="on", **changes)
    return data


def test_changing_a_plan_s_price_warns_that_stripe_still_charges_the_old_one(staff_client):
    plan = PlanFactory(name="Provider: individual, annual", stripe_price_id="price_1Qprovider")
    url = reverse("admin:members_plan_change", args=[plan.pk])

    response = staff_client.post(url, plan_form(plan, price_pence=15000), follow=True)

    text = response.content.decode()
    assert "The site now shows £150 for Provider: individual, annual" in text
    assert "Stripe still charges its Price price_1Qprovider" in text


def test_renaming_a_plan_gives_no_price_warning(staff_client):
    plan = PlanFactory(name="Provider: individual, annual")
    url = reverse("admin:members_plan_change", args=[plan.pk])

    response = staff_client.post(url, plan_form(plan, name="Provider, yearly"), follow=True)

    plan.refresh_from_db()
    assert plan.name == "Provider, yearly"
    assert "Stripe still charges" not in response.content.decode()


def test_a_new_price_given_with_its_stripe_price_gives_no_warning(staff_client):
    plan = PlanFactory(name="Provider: individual, annual", stripe_price_id="price_1Qold")
    url = reverse("admin:members_plan_change", args=[plan.pk])

    response = staff_client.post(
        url, plan_form(plan, price_pence=15000, stripe_price_id="price_1Qnew"), follow=True
    )

    plan.refresh_from_db()
    assert (plan.price_pence, plan.stripe_price_id) == (15000, "price_1Qnew")
    assert "Stripe still charges" not in response.content.decode()


def test_a_plan_with_no_seats_is_refused_beside_the_field(staff_client):
    plan = PlanFactory(slug="council", organisation=True, seats=10)
    url = reverse("admin:members_plan_change", args=[plan.pk])

    response = staff_client.post(url, plan_form(plan, seats=0))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["seats"] == [
        "A plan includes at least one seat: give 1 or more."
    ]
    plan.refresh_from_db()
    assert plan.seats == 10


def test_the_database_refuses_a_plan_with_no_seats():
    plan = PlanFactory(slug="council", organisation=True, seats=10)

    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=plan.pk).update(seats=0)


def test_the_invoices_list_says_a_refund_under_the_amount(staff_client, billing_rows):
    Invoice.objects.update(amount_due_pence=180000, amount_refunded_pence=60000)

    listing = staff_client.get(reverse("admin:members_invoice_changelist")).content.decode()

    assert '<td class="field-amount_and_refund">£1,800<br>£600 refunded</td>' in listing


def test_the_plans_list_says_how_often_and_for_how_many_seats_with_the_price(staff_client):
    PlanFactory(name="Council (20 seats)", organisation=True, seats=20, price_pence=1_200_000)

    listing = staff_client.get(reverse("admin:members_plan_changelist")).content.decode()

    assert '<td class="field-price">£12,000 a year<br>20 seats</td>' in listing
