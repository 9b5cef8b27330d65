"""Paying by invoice against a PO number, staff approval, and bank transfers marked paid."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members import access
from members.billing import invoicing, services, sync
from members.models import Invoice, InvoiceRequest, Organisation, Seat, Subscription
from tests import roles
from tests.members.factories import PlanFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council_plan():
    return PlanFactory(
        slug="council-organisation",
        name="Council (20 seats)",
        stripe_price_id="price_1QcouncilOrg0000000000000",
        organisation=True,
        seats=20,
        allow_invoice=True,
        member_type="commissioner",
    )


@pytest.fixture
def commissioner():
    return UserFactory(email="ruth.adeyemi@northmoor.example.org", member_type="commissioner")


def form_data(plan, **overrides) -> dict:
    return {
        "plan": plan.pk,
        "seats": 25,
        "organisation_name": "Northmoor Borough Council",
        "region": "west-midlands",
        "contact_name": "Accounts Payable",
        "billing_email": "accounts.payable@northmoor.example.org",
        "billing_address": "Civic Centre\nMarket Street\nNorthmoor\nNM1 1AA",
        "purchase_order_number": "PO-2026-0412",
        **overrides,
    }


def as_staff(client, staff):
    """The same client, now signed in as staff (after the member's own steps)."""
    client.force_login(roles.with_two_factor(staff))
    return client


@pytest.mark.usefixtures("invoices_open_at_once")
def test_invoice_request_creates_a_subscription_billed_by_invoice_with_the_po_number(
    client, fake_stripe, council_plan, commissioner
):
    client.force_login(commissioner)

    response = client.post(reverse("billing:invoice_request"), form_data(council_plan))

    assert response.status_code == 302
    [customer] = fake_stripe.calls("POST", "/v1/customers")
    assert customer.params["name"] == "Northmoor Borough Council"
    assert customer.params["email"] == "accounts.payable@northmoor.example.org"
    assert customer.params["invoice_settings"]["custom_fields"] == [
        {"name": "PO number", "value": "PO-2026-0412"}
    ]
    assert customer.params["address"]["postal_code"] == "NM1 1AA"
    [created] = fake_stripe.calls("POST", "/v1/subscriptions")
    assert created.params["collection_method"] == "send_invoice"
    assert created.params["days_until_due"] == "30"
    assert created.params["items"] == [{"price": council_plan.stripe_price_id, "quantity": "25"}]
    subscription = Subscription.objects.get()
    organisation = Organisation.objects.get()
    assert subscription.organisation == organisation
    assert subscription.collection_method == "send_invoice"
    assert subscription.quantity == 25
    assert organisation.purchase_order_number == "PO-2026-0412"
    assert organisation.stripe_customer_id == customer_id(fake_stripe)
    assert InvoiceRequest.objects.get().status == InvoiceRequest.Status.CREATED
    # Access starts when the subscription is created, before any invoice is paid.
    assert access.is_member(commissioner)
    assert access.is_org_admin(commissioner, organisation)


def customer_id(fake) -> str:
    return next(iter(fake.customers))


@pytest.mark.usefixtures("invoices_open_at_once")
def test_a_council_coming_back_gets_its_new_po_number_on_the_invoices(
    client, fake_stripe, council_plan, commissioner
):
    client.force_login(commissioner)
    client.post(reverse("billing:invoice_request"), form_data(council_plan))
    last_year = Subscription.objects.get()
    fake_stripe.set_subscription(last_year.stripe_subscription_id, status="canceled")
    sync.subscription_sync(stripe_subscription_id=last_year.stripe_subscription_id)

    client.post(
        reverse("billing:invoice_request"),
        form_data(
            council_plan,
            purchase_order_number="PO-2027-0099",
            billing_email="invoices@northmoor.example.org",
        ),
    )

    customer = fake_stripe.customers[Organisation.objects.get().stripe_customer_id]
    assert customer["invoice_settings"]["custom_fields"] == [
        {"name": "PO number", "value": "PO-2027-0099"}
    ]
    assert customer["email"] == "invoices@northmoor.example.org"
    assert Subscription.objects.count() == 2


@pytest.mark.usefixtures("invoices_open_at_once")
def test_days_until_due_follows_the_setting(
    client, fake_stripe, council_plan, commissioner, settings
):
    settings.BILLING_INVOICE_DAYS_UNTIL_DUE = 45
    client.force_login(commissioner)

    client.post(reverse("billing:invoice_request"), form_data(council_plan))

    [created] = fake_stripe.calls("POST", "/v1/subscriptions")
    assert created.params["days_until_due"] == "45"


def test_invoice_request_waits_for_staff_when_approval_is_required(
    client, fake_stripe, council_plan, commissioner, settings
):
    settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL = True
    client.force_login(commissioner)

    response = client.post(reverse("billing:invoice_request"), form_data(council_plan), follow=True)

    assert "will email you when your membership starts" in response.content.decode()
    assert InvoiceRequest.objects.get().status == InvoiceRequest.Status.PENDING
    assert not fake_stripe.requests
    assert not access.is_member(commissioner)
    account = client.get(reverse("members:account")).content.decode()
    assert "PO-2026-0412" in account and "is with the network team" in account


def test_staff_approve_a_waiting_invoice_request_in_the_admin(
    client, fake_stripe, council_plan, commissioner, staff, settings
):
    settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL = True
    client.force_login(commissioner)
    client.post(reverse("billing:invoice_request"), form_data(council_plan))
    request = InvoiceRequest.objects.get()

    as_staff(client, staff).post(
        reverse("admin:members_invoicerequest_changelist"),
        {"action": "approve", "_selected_action": [request.pk], "confirmed": "yes"},
    )

    request.refresh_from_db()
    assert request.status == InvoiceRequest.Status.CREATED
    assert request.decided_by == staff
    assert request.subscription.collection_method == "send_invoice"
    assert access.is_member(commissioner)


def test_approving_an_invoice_request_asks_first_and_creates_nothing_until_confirmed(
    client, fake_stripe, council_plan, commissioner, staff, settings
):
    settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL = True
    client.force_login(commissioner)
    client.post(reverse("billing:invoice_request"), form_data(council_plan))
    request = InvoiceRequest.objects.get()

    response = as_staff(client, staff).post(
        reverse("admin:members_invoicerequest_changelist"),
        {"action": "approve", "_selected_action": [request.pk]},
    )

    request.refresh_from_db()
    assert request.status == InvoiceRequest.Status.PENDING
    assert fake_stripe.calls("POST", r"/v1/subscriptions") == []
    assert "a subscription billed by invoice is created" in response.content.decode()
    assert "Access opens at once, before the invoice is paid" in response.content.decode()


def test_approving_twice_creates_one_subscription(
    fake_stripe, council_plan, commissioner, settings
):
    settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL = True
    request = invoicing.invoice_request_submit(
        user=commissioner,
        plan=council_plan,
        seats=20,
        organisation_name="Northmoor Borough Council",
        region="",
        contact_name="Accounts Payable",
        billing_email="ap@northmoor.example.org",
        billing_address="Civic Centre\nNM1 1AA",
        purchase_order_number="PO-77",
    )

    invoicing.invoice_request_approve(invoice_request=request)
    invoicing.invoice_request_approve(invoice_request=request)

    assert len(fake_stripe.calls("POST", "/v1/subscriptions")) == 1
    assert Subscription.objects.count() == 1


def test_rejecting_requests_says_how_many_and_which_were_decided_already(
    client, fake_stripe, council_plan, commissioner, staff, settings
):
    settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL = True
    client.force_login(commissioner)
    client.post(reverse("billing:invoice_request"), form_data(council_plan))
    waiting = InvoiceRequest.objects.get()
    decided = InvoiceRequest.objects.create(
        requested_by=UserFactory(),
        plan=council_plan,
        organisation=waiting.organisation,
        seats=5,
        status=InvoiceRequest.Status.REJECTED,
    )

    response = as_staff(client, staff).post(
        reverse("admin:members_invoicerequest_changelist"),
        {"action": "reject", "_selected_action": [waiting.pk, decided.pk], "confirmed": "yes"},
        follow=True,
    )

    assert "1 request rejected. 1 request already decided, left as before." in (
        response.content.decode()
    )


def test_invoice_request_form_keeps_what_was_typed_when_something_is_wrong(
    client, fake_stripe, council_plan, commissioner
):
    client.force_login(commissioner)

    response = client.post(
        reverse("billing:invoice_request"),
        form_data(council_plan, billing_email="not-an-email", seats=3),
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "starts at 20 seats" in text
    assert 'value="PO-2026-0412"' in text
    assert "Civic Centre\nMarket Street" in text
    assert not InvoiceRequest.objects.exists()
    assert not fake_stripe.requests


def test_invoice_request_refuses_a_billing_email_too_long_to_store(
    client, fake_stripe, council_plan, commissioner
):
    client.force_login(commissioner)

    response = client.post(
        reverse("billing:invoice_request"),
        form_data(council_plan, billing_email="x" * 300 + "@northmoor.example.org"),
    )

    assert "Billing email must be 254 characters or fewer (it has 322)" in response.text
    assert not InvoiceRequest.objects.exists()


def test_invoice_request_form_offers_only_plans_payable_by_invoice(
    client, fake_stripe, council_plan
):
    PlanFactory(name="Card only plan", allow_invoice=False)
    client.force_login(UserFactory())

    response = client.get(reverse("billing:invoice_request") + f"?plan={council_plan.slug}")

    text = response.content.decode()
    assert "Council (20 seats)" in text
    assert "Card only plan" not in text
    assert 'value="20"' in text  # the plan's seats, preselected


@pytest.mark.usefixtures("invoices_open_at_once")
def test_an_individual_plan_paid_by_invoice_is_the_persons_own_membership(
    client, fake_stripe, commissioner
):
    plan = PlanFactory(
        slug="commissioner-annual", stripe_price_id="price_1Qcomm", allow_invoice=True
    )
    client.force_login(commissioner)

    client.post(reverse("billing:invoice_request"), form_data(plan, seats=7))

    subscription = Subscription.objects.get()
    assert subscription.user == commissioner and subscription.organisation is None
    [created] = fake_stripe.calls("POST", "/v1/subscriptions")
    assert created.params["items"][0]["quantity"] == "1"
    assert not Seat.objects.exists()
    client.post(reverse("billing:portal"))  # its invoices are in the payer's portal
    [portal] = fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    assert portal.params["customer"] == subscription.stripe_customer_id


@pytest.mark.usefixtures("invoices_open_at_once")
def test_the_seats_box_cannot_stop_a_request_for_an_individual_plan(
    client, fake_stripe, commissioner
):
    plan = PlanFactory(
        slug="commissioner-annual", stripe_price_id="price_1Qcomm", allow_invoice=True
    )
    client.force_login(commissioner)

    response = client.post(reverse("billing:invoice_request"), form_data(plan, seats=-5))

    assert response.status_code == 302
    assert Subscription.objects.get().user == commissioner


@pytest.mark.usefixtures("invoices_open_at_once")
def test_a_personal_member_cannot_ask_for_a_second_personal_plan_by_invoice(
    client, fake_stripe, commissioner
):
    plan = PlanFactory(
        slug="commissioner-annual", stripe_price_id="price_1Qcomm", allow_invoice=True
    )
    client.force_login(commissioner)
    client.post(reverse("billing:invoice_request"), form_data(plan))

    response = client.post(reverse("billing:invoice_request"), form_data(plan))

    assert "You already have a personal membership" in response.text
    assert 'value="PO-2026-0412"' in response.text
    assert Subscription.objects.count() == 1
    assert InvoiceRequest.objects.count() == 1


def test_a_person_whose_payment_is_still_owed_cannot_start_a_personal_plan_by_invoice(
    client, fake_stripe, commissioner
):
    plan = PlanFactory(
        slug="commissioner-annual", stripe_price_id="price_1Qcomm", allow_invoice=True
    )
    SubscriptionFactory(user=commissioner, plan=plan, status="past_due")
    Subscription.objects.update(past_due_since=timezone.now() - timedelta(days=30))
    client.force_login(commissioner)

    response = client.post(reverse("billing:invoice_request"), form_data(plan))

    assert "Your membership has a payment outstanding" in response.text
    assert Subscription.objects.count() == 1
    assert not InvoiceRequest.objects.exists()


def test_a_second_request_for_a_plan_waiting_for_staff_is_refused(
    client, fake_stripe, settings, council_plan, commissioner
):
    settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL = True
    client.force_login(commissioner)
    client.post(reverse("billing:invoice_request"), form_data(council_plan))

    response = client.post(reverse("billing:invoice_request"), form_data(council_plan))

    assert "You have already asked to join this plan" in response.text
    assert InvoiceRequest.objects.count() == 1


def test_without_stripe_keys_invoice_requests_wait_for_staff(
    client, no_stripe, council_plan, commissioner
):
    client.force_login(commissioner)

    response = client.post(reverse("billing:invoice_request"), form_data(council_plan))

    assert response.status_code == 302
    assert InvoiceRequest.objects.get().status == InvoiceRequest.Status.PENDING
    assert not Subscription.objects.exists()


def test_approving_without_stripe_keys_grants_the_organisation_a_year_of_the_plans_type(
    client, no_stripe, council_plan, commissioner, staff
):
    client.force_login(commissioner)
    client.post(reverse("billing:invoice_request"), form_data(council_plan))

    response = as_staff(client, staff).post(
        reverse("admin:members_invoicerequest_changelist"),
        {
            "action": "approve",
            "_selected_action": [InvoiceRequest.objects.get().pk],
            "confirmed": "yes",
        },
        follow=True,
    )

    assert "Stripe is not set up, so no subscription could be created" in (
        response.content.decode()
    )
    request = InvoiceRequest.objects.get()
    assert request.status == InvoiceRequest.Status.GRANTED
    assert request.grant.organisation == request.organisation
    assert request.grant.seats == 25
    assert request.grant.ends_on == timezone.localdate() + timedelta(days=365)
    assert access.membership(commissioner).member_type == "commissioner"
    assert not Subscription.objects.exists()


@pytest.mark.usefixtures("invoices_open_at_once")
def test_stripe_unreachable_keeps_the_request_for_staff_and_tells_the_person(
    client, fake_stripe, council_plan, commissioner
):
    fake_stripe.unreachable = True
    client.force_login(commissioner)

    response = client.post(reverse("billing:invoice_request"), form_data(council_plan), follow=True)

    assert "will email you when your membership starts" in response.content.decode()
    request = InvoiceRequest.objects.get()
    assert request.status == InvoiceRequest.Status.PENDING
    assert "approve it again" in request.detail


def invoiced_membership(client, fake, plan, person):
    client.force_login(person)
    client.post(reverse("billing:invoice_request"), form_data(plan))
    subscription = Subscription.objects.get()
    invoice = fake.add_invoice(subscription.stripe_subscription_id, status="open", amount=180000)
    return subscription, invoice


@pytest.mark.usefixtures("invoices_open_at_once")
def test_marking_an_invoice_paid_outside_stripe_asks_first(
    client, fake_stripe, deliver, council_plan, commissioner, staff
):
    _, invoice = invoiced_membership(client, fake_stripe, council_plan, commissioner)
    deliver(fake_stripe.event("invoice.overdue", invoice))

    response = as_staff(client, staff).post(
        reverse("admin:members_invoice_changelist"),
        {"action": "mark_paid_outside_stripe", "_selected_action": [Invoice.objects.get().pk]},
    )

    assert fake_stripe.calls("POST", r"/v1/invoices/.+/pay") == []
    assert Invoice.objects.get().status == "open"
    assert "A paid invoice cannot be opened again." in response.content.decode()


@pytest.mark.usefixtures("invoices_open_at_once")
def test_staff_mark_an_invoice_paid_outside_stripe(
    client, fake_stripe, deliver, council_plan, commissioner, staff
):
    subscription, invoice = invoiced_membership(client, fake_stripe, council_plan, commissioner)
    fake_stripe.set_subscription(subscription.stripe_subscription_id, status="past_due")
    deliver(fake_stripe.event("invoice.overdue", invoice))
    assert Subscription.objects.get().past_due_since is not None

    as_staff(client, staff).post(
        reverse("admin:members_invoice_changelist"),
        {
            "action": "mark_paid_outside_stripe",
            "_selected_action": [Invoice.objects.get().pk],
            "confirmed": "yes",
        },
    )

    [paid] = fake_stripe.calls("POST", r"/v1/invoices/.+/pay")
    assert paid.params == {"paid_out_of_band": "true"}
    row = Invoice.objects.get()
    assert row.status == "paid" and row.paid_out_of_band
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.past_due_since is None


@pytest.mark.usefixtures("invoices_open_at_once")
def test_only_open_invoices_can_be_marked_paid(
    fake_stripe, deliver, client, council_plan, commissioner
):
    subscription, invoice = invoiced_membership(client, fake_stripe, council_plan, commissioner)
    invoice["status"] = "void"
    deliver(fake_stripe.event("invoice.voided", invoice))

    with pytest.raises(services.ValidationError):
        invoicing.invoice_mark_paid_out_of_band(invoice=Invoice.objects.get())
    assert not fake_stripe.calls("POST", r"/v1/invoices/.+/pay")


@pytest.mark.usefixtures("invoices_open_at_once")
def test_an_invoice_unpaid_past_its_due_date_and_the_grace_period_ends_access(
    client, fake_stripe, deliver, council_plan, commissioner, settings
):
    settings.MEMBERSHIP_GRACE_DAYS = 14
    client.force_login(commissioner)
    client.post(reverse("billing:invoice_request"), form_data(council_plan))
    stripe_id = Subscription.objects.get().stripe_subscription_id
    invoice = fake_stripe.add_invoice(stripe_id, status="open", due_in_days=-1)
    # Stripe turns the subscription past_due once the invoice passes its due date.
    fake_stripe.set_subscription(stripe_id, status="past_due")
    deliver(fake_stripe.event("invoice.overdue", invoice))
    assert access.is_member(commissioner)  # within the grace period

    overdue = timezone.now() - timedelta(days=14, minutes=1)
    Invoice.objects.update(due_date=overdue)
    Subscription.objects.update(past_due_since=overdue)
    access.forget(commissioner)  # the next request

    assert not access.is_member(commissioner)


def test_the_invoice_list_reads_newest_first_from_an_index_of_its_own():
    # Six years of invoices are kept: the admin's list must not sort them all per page.
    assert list(Invoice._meta.ordering) == ["-created_at", "-id"]
    assert ["-created_at", "-id"] in [list(index.fields) for index in Invoice._meta.indexes]


def test_invoice_requests_cannot_be_deleted_from_the_admin(
    client, fake_stripe, council_plan, commissioner, staff, settings
):
    settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL = True
    client.force_login(commissioner)
    client.post(reverse("billing:invoice_request"), form_data(council_plan))
    waiting = InvoiceRequest.objects.get()

    response = as_staff(client, staff).post(
        reverse("admin:members_invoicerequest_delete", args=[waiting.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert InvoiceRequest.objects.filter(pk=waiting.pk).exists()
