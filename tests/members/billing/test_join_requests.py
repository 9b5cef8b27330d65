"""Without Stripe keys every plan is joined by a request staff approve; every request
emails the person who asked and the membership team, once each."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from members import access
from members.billing import invoicing, tasks
from members.models import InvoiceRequest, MembershipGrant
from tests.members.factories import (
    GrantFactory,
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider_plan():
    return PlanFactory(slug="provider-individual", name="Provider (individual)")


@pytest.fixture
def policy_plan():
    return PlanFactory(
        slug="policy-individual", name="Policy maker (individual)", member_type="policy"
    )


@pytest.fixture
def council_plan():
    return PlanFactory(
        slug="council-organisation",
        name="Council (20 seats)",
        organisation=True,
        seats=20,
        allow_invoice=True,
        member_type="commissioner",
    )


@pytest.fixture
def provider():
    return UserFactory(email="amira.hassan@brookside-homes.example.org", name="Amira Hassan")


def provider_request(plan) -> dict:
    return {
        "plan": plan.pk,
        "seats": 1,
        "organisation_name": "Brookside Children's Homes Ltd",
        "region": "north-west",
        "contact_name": "Amira Hassan",
        "billing_email": "accounts@brookside-homes.example.org",
        "billing_address": "4 Mill Lane\nBrookside\nBK1 2CD",
        "purchase_order_number": "",
    }


def ask(client, django_capture_on_commit_callbacks, person, plan):
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("billing:invoice_request"), provider_request(plan))


def test_without_stripe_keys_every_plan_on_the_membership_page_has_a_way_in(
    client, no_stripe, provider_plan, policy_plan, council_plan
):
    text = client.get(reverse("membership")).content.decode()

    for plan in (provider_plan, policy_plan, council_plan):
        assert f"{reverse('billing:invoice_request')}?plan={plan.slug}" in text
        assert f"Ask to join: {plan.name}" in text


def test_without_stripe_keys_the_request_form_lists_individual_plans_too(
    client, no_stripe, provider_plan, council_plan, provider
):
    client.force_login(provider)

    response = client.get(reverse("billing:invoice_request") + f"?plan={provider_plan.slug}")

    assert set(response.context["form"].fields["plan"].queryset) == {provider_plan, council_plan}
    assert response.context["form"].initial["plan"] == provider_plan


def test_the_request_form_says_the_plans_prices_include_vat(
    client, no_stripe, provider_plan, council_plan, provider
):
    client.force_login(provider)

    response = client.get(reverse("billing:invoice_request"))

    assert "Prices include VAT." in response.content.decode()


def test_with_stripe_keys_the_invoice_form_lists_only_plans_that_allow_invoices(
    client, fake_stripe, provider_plan, council_plan, provider
):
    client.force_login(provider)

    response = client.get(reverse("billing:invoice_request"))

    assert list(response.context["form"].fields["plan"].queryset) == [council_plan]


def test_an_individuals_request_without_stripe_is_recorded_and_gives_no_access_yet(
    client, django_capture_on_commit_callbacks, no_stripe, provider_plan, provider
):
    response = ask(client, django_capture_on_commit_callbacks, provider, provider_plan)

    assert response.status_code == 302
    request = InvoiceRequest.objects.get()
    assert request.plan == provider_plan
    assert request.requested_by == provider
    assert request.status == InvoiceRequest.Status.PENDING
    assert access.membership(provider) is None


def test_an_organisation_plan_request_still_needs_a_po_number(
    client, no_stripe, council_plan, provider
):
    client.force_login(provider)

    response = client.post(reverse("billing:invoice_request"), provider_request(council_plan))

    assert response.status_code == 200
    assert "Enter the PO number" in response.content.decode()
    assert not InvoiceRequest.objects.exists()


def test_a_request_emails_the_person_who_asked_and_the_membership_team(
    client, django_capture_on_commit_callbacks, no_stripe, settings, provider_plan, provider
):
    settings.STAFF_NOTIFICATION_EMAILS = ["membership@network.example.org"]

    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)

    request = InvoiceRequest.objects.get()
    to_person = [m for m in mail.outbox if m.to == [provider.email]]
    to_team = [m for m in mail.outbox if m.to == ["membership@network.example.org"]]
    assert len(to_person) == 1 and len(to_team) == 1
    assert "Provider (individual)" in to_person[0].body
    assert "/account/" in to_person[0].body
    admin_path = reverse("admin:members_invoicerequest_change", args=[request.pk])
    assert admin_path in to_team[0].body
    assert to_team[0].reply_to == [provider.email]
    assert request.requester_notified_at is not None
    assert request.staff_notified_at is not None


def test_a_retried_request_email_task_does_not_send_twice(
    client, django_capture_on_commit_callbacks, no_stripe, provider_plan, provider
):
    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)
    assert len(mail.outbox) == 2
    request = InvoiceRequest.objects.get()

    tasks.invoice_request_received_notice_send.delay(request.pk)
    tasks.invoice_request_staff_notice_send.delay(request.pk)

    assert len(mail.outbox) == 2


def test_the_account_page_shows_a_waiting_request_with_its_date(
    client, django_capture_on_commit_callbacks, no_stripe, provider_plan, provider
):
    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)

    text = client.get(reverse("members:account")).content.decode()

    created = InvoiceRequest.objects.get().created_at
    assert "waiting for approval" in text
    assert f"Your request of {created:%-d %B %Y} to join on the Provider (individual)" in text


def test_the_account_page_shows_a_declined_request(
    client, django_capture_on_commit_callbacks, no_stripe, provider_plan, provider, staff
):
    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)
    invoicing.invoice_request_reject(
        invoice_request=InvoiceRequest.objects.get(), rejected_by=staff, reason="Duplicate."
    )

    text = client.get(reverse("members:account")).content.decode()

    assert "<strong>declined</strong> on" in text


def test_approving_an_individuals_request_in_the_admin_gives_access_of_the_plans_type(
    client, django_capture_on_commit_callbacks, no_stripe, policy_plan, provider, staff
):
    ask(client, django_capture_on_commit_callbacks, provider, policy_plan)
    client.force_login(staff)

    response = client.post(
        reverse("admin:members_invoicerequest_changelist"),
        {
            "action": "approve",
            "_selected_action": [InvoiceRequest.objects.get().pk],
            "confirmed": "yes",
        },
        follow=True,
    )

    assert "granted by staff for a year" in response.content.decode()
    membership = access.membership(provider)
    assert membership.source == access.Source.GRANT
    assert membership.member_type == "policy"
    grant = MembershipGrant.objects.get()
    assert grant.user == provider and grant.organisation is None
    client.force_login(provider)
    assert "<strong>approved</strong> on" in client.get(reverse("members:account")).content.decode()


def test_approving_a_granted_request_again_grants_nothing_more(
    client, django_capture_on_commit_callbacks, no_stripe, provider_plan, provider, staff
):
    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)
    request = InvoiceRequest.objects.get()
    first = invoicing.invoice_request_approve(invoice_request=request, approved_by=staff)
    again = invoicing.invoice_request_approve(invoice_request=request, approved_by=staff)

    assert again == first
    assert MembershipGrant.objects.count() == 1


def test_next_years_request_approved_while_a_granted_year_runs_adds_a_year_after_it(
    client, django_capture_on_commit_callbacks, no_stripe, provider_plan, provider, staff
):
    today = timezone.localdate()
    GrantFactory(
        user=provider,
        starts_on=today - timedelta(days=355),
        ends_on=today + timedelta(days=10),
        reason=MembershipGrant.Reason.INVOICE_PAID_OFFLINE,
    )
    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)

    grant = invoicing.invoice_request_approve(
        invoice_request=InvoiceRequest.objects.get(), approved_by=staff
    )

    assert grant.ends_on == today + timedelta(days=10 + 365)


def test_with_stripe_and_no_approval_step_the_requester_is_told_the_membership_starts(
    client, django_capture_on_commit_callbacks, fake_stripe, settings, council_plan, provider
):
    settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL = False
    client.force_login(provider)
    data = {**provider_request(council_plan), "seats": 20, "purchase_order_number": "PO-7"}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("billing:invoice_request"), data)

    [to_person] = [m for m in mail.outbox if m.to == [provider.email]]
    assert "Your membership starts as soon as the subscription is set up" in to_person.body

    assert not [m for m in mail.outbox if m.subject.startswith("Your membership has started")]


def test_approving_a_request_emails_the_person_that_their_membership_started(
    client, django_capture_on_commit_callbacks, no_stripe, provider_plan, provider, staff
):
    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        grant = invoicing.invoice_request_approve(
            invoice_request=InvoiceRequest.objects.get(), approved_by=staff
        )

    [message] = mail.outbox
    assert message.to == [provider.email]
    assert message.subject == "Your membership has started: Provider (individual)"
    assert f"runs until {grant.ends_on:%-d %B %Y}" in message.body
    assert "/account/" in message.body


def test_declining_a_request_emails_the_person_with_a_way_to_ask_why(
    client, django_capture_on_commit_callbacks, no_stripe, provider_plan, provider, staff
):
    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_request_reject(
            invoice_request=InvoiceRequest.objects.get(), rejected_by=staff, reason="Duplicate."
        )

    [message] = mail.outbox
    assert message.to == [provider.email]
    assert message.subject == "Your request to join Provider (individual) was declined"
    assert "/contact/" in message.body
    assert "Duplicate." not in message.body  # staff's note stays with staff


def test_the_decision_email_is_sent_once_however_often_the_task_runs(
    client, django_capture_on_commit_callbacks, no_stripe, provider_plan, provider, staff
):
    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)
    request = InvoiceRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_request_approve(invoice_request=request, approved_by=staff)
    mail.outbox.clear()

    assert tasks.invoice_request_decision_notice_send(request.pk) is False
    assert mail.outbox == []


def test_a_personal_plans_request_form_starts_from_what_the_profile_says(
    client, no_stripe, provider_plan, provider
):
    provider.organisation_name = "Brookside Children's Homes Ltd"
    provider.save()
    client.force_login(provider)

    form = client.get(reverse("billing:invoice_request") + f"?plan={provider_plan.slug}").context[
        "form"
    ]

    assert form.initial["organisation_name"] == "Brookside Children's Homes Ltd"
    assert form.initial["contact_name"] == "Amira Hassan"
    assert form.initial["billing_email"] == "amira.hassan@brookside-homes.example.org"


def test_a_decided_request_keeps_what_was_decided_and_its_email_mark_in_the_admin(
    client,
    django_capture_on_commit_callbacks,
    no_stripe,
    provider_plan,
    policy_plan,
    provider,
    staff,
):
    ask(client, django_capture_on_commit_callbacks, provider, provider_plan)
    request = InvoiceRequest.objects.get()
    invoicing.invoice_request_reject(invoice_request=request, rejected_by=staff, reason="")
    client.force_login(staff)
    path = reverse("admin:members_invoicerequest_change", args=[request.pk])

    page = client.get(path).content.decode()
    client.post(path, {"plan": policy_plan.pk, "seats": 5, "purchase_order_number": "PO-9"})

    assert 'name="decision_notified_at' not in page
    assert 'name="plan"' not in page
    request.refresh_from_db()
    assert (request.plan, request.seats, request.purchase_order_number) == (provider_plan, 1, "")


def test_an_organisation_waiting_for_approval_says_so_rather_than_send_back_to_the_plans(
    client, django_capture_on_commit_callbacks, no_stripe, council_plan, provider
):
    client.force_login(provider)
    data = {**provider_request(council_plan), "seats": 20, "purchase_order_number": "PO-7"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("billing:invoice_request"), data)
    organisation = InvoiceRequest.objects.get().organisation

    page = client.get(reverse("members:organisation", args=[organisation.slug])).content.decode()
    account = client.get(reverse("members:account")).content.decode()

    assert "to join on the Council (20 seats) plan is with the network team" in page
    assert "See membership plans" not in page
    assert "of 0 seats in use" not in account


def test_a_council_asking_for_more_seats_is_told_what_they_cost_for_its_po(
    client, django_capture_on_commit_callbacks, no_stripe, provider
):
    plan = PlanFactory(slug="council-25", name="Council (20 seats)", organisation=True, seats=20)
    plan.price_pence = 180000
    plan.save()
    client.force_login(provider)

    form = client.get(reverse("billing:invoice_request")).content.decode()
    data = {**provider_request(plan), "seats": 25, "purchase_order_number": "PO-7"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("billing:invoice_request"), data)

    assert "Council (20 seats), £1,800 a year" in form
    [to_person] = [m for m in mail.outbox if m.to == [provider.email]]
    assert "For 25 seats it costs £2,250 a year, VAT included." in to_person.body


def test_the_plans_tell_a_colleague_of_a_member_organisation_they_may_take_a_seat(client):
    organisation_with_seats(name="Northmoor Council", verified_domain="northmoor.example.org")
    client.force_login(UserFactory(email="kim@northmoor.example.org"))

    page = client.get(reverse("membership")).content.decode()

    assert "Northmoor Council is already a member of the network." in page


def test_the_team_is_told_when_an_organisation_of_the_same_name_exists(
    client, django_capture_on_commit_callbacks, no_stripe, settings, council_plan
):
    settings.STAFF_NOTIFICATION_EMAILS = ["membership@network.example.org"]
    organisation_with_seats(name="Northmoor Council")
    kim = UserFactory(email="kim@northmoor.example.org")
    client.force_login(kim)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("billing:invoice_request"),
            provider_request(council_plan)
            | {
                "plan": council_plan.pk,
                "seats": 20,
                "organisation_name": "northmoor council",
                "purchase_order_number": "PO-1",
            },
        )

    [to_team] = [m for m in mail.outbox if m.to == ["membership@network.example.org"]]
    assert "another organisation has the same name" in to_team.body
    assert "Northmoor Council" in to_team.body


def test_renewing_before_the_paid_year_ends_adds_a_year_after_it(no_stripe, council_plan):
    organisation = OrganisationFactory(name="Northmoor Council")
    admin = UserFactory()
    SeatFactory(organisation=organisation, user=admin, is_admin=True, slot=1)
    today = timezone.localdate()
    GrantFactory(
        user=None,
        organisation=organisation,
        seats=20,
        member_type="commissioner",
        reason=MembershipGrant.Reason.INVOICE_PAID_OFFLINE,
        starts_on=today - timedelta(days=355),
        ends_on=today + timedelta(days=10),
    )
    request = invoicing.invoice_request_submit(
        user=admin,
        plan=council_plan,
        seats=20,
        organisation_name="Northmoor Council",
        region="",
        contact_name="Accounts Payable",
        billing_email="ap@northmoor.example.org",
        billing_address="Town Hall",
        purchase_order_number="PO-2027",
    )

    invoicing.invoice_request_approve(invoice_request=request)

    membership = access.organisation_membership(organisation)
    assert membership.ends_at.date() == today + timedelta(days=10 + 365)


def test_a_second_admin_asking_for_the_same_organisation_is_told_a_request_is_waiting(
    no_stripe, council_plan
):
    organisation = OrganisationFactory(name="Northmoor Council")
    first, second = UserFactory(name="Ruth Adeyemi"), UserFactory()
    SeatFactory(organisation=organisation, user=first, is_admin=True, slot=1)
    SeatFactory(organisation=organisation, user=second, is_admin=True, slot=2)
    details = {
        "plan": council_plan,
        "seats": 20,
        "organisation_name": "Northmoor Council",
        "region": "",
        "contact_name": "Accounts Payable",
        "billing_email": "ap@northmoor.example.org",
        "billing_address": "Town Hall",
        "purchase_order_number": "PO-2027",
    }
    invoicing.invoice_request_submit(user=first, **details)

    with pytest.raises(ValidationError, match="Ruth Adeyemi already asked"):
        invoicing.invoice_request_submit(user=second, **details)

    assert InvoiceRequest.objects.count() == 1


def test_a_waiting_renewal_shows_on_the_organisation_page(client, no_stripe, council_plan):
    organisation, admin = organisation_with_seats(name="Northmoor Council")
    admin.name = "Ruth Adeyemi"
    admin.save()
    InvoiceRequest.objects.create(
        requested_by=admin, plan=council_plan, organisation=organisation, seats=20
    )
    client.force_login(admin)

    page = client.get(reverse("members:organisation", args=[organisation.slug])).content.decode()

    assert "Ruth Adeyemi's request of" in page
    assert "is with the network team" in page


def test_an_admin_renewing_starts_from_their_organisation_as_it_is_stored(
    client, no_stripe, council_plan
):
    organisation, admin = organisation_with_seats(
        name="Northmoor Borough Council", billing_email="ap@northmoor.example.org"
    )
    client.force_login(admin)

    page = client.get(
        reverse("billing:invoice_request") + f"?plan={council_plan.slug}"
    ).content.decode()

    assert 'value="Northmoor Borough Council"' in page
    assert 'value="ap@northmoor.example.org"' in page
