"""An organisation's new details reach its Stripe customer, now or, while Stripe cannot be
reached, through a task that backs off; the change is saved either way."""

import pytest
from celery.exceptions import Retry
from django.urls import reverse

from members.billing import reconcile
from members.models import OrganisationDetailsChange
from members.organisations import details
from members.organisations import tasks as organisation_tasks
from tests.members.factories import organisation_with_seats

pytestmark = pytest.mark.django_db

StripeUpdate = OrganisationDetailsChange.StripeUpdate

NEW_DETAILS = {
    "name": "Fictional Moorside Council",
    "region": "yorkshire",
    "billing_contact_name": "Creditors Team",
    "billing_email": "creditors@moorside.example.org",
    "billing_address": "Town Hall\nMoorside\nMS1 2AB",
    "purchase_order_number": "PO-2027-0099",
}


@pytest.fixture
def card_payer(fake_stripe):
    organisation, admin = organisation_with_seats(
        name="Fictional Northmoor Council",
        slug="northmoor-council",
        stripe_customer_id="cus_Northmoor",
    )
    return organisation, admin


def details_url(organisation) -> str:
    return reverse("members:organisation_details", kwargs={"slug": organisation.slug})


def customer_updates(fake_stripe) -> list[dict]:
    return [request.params for request in fake_stripe.calls("POST", r"/v1/customers/cus_\w+")]


def test_the_stripe_customer_gets_the_new_details(client, card_payer, fake_stripe):
    organisation, admin = card_payer
    client.force_login(admin)

    response = client.post(details_url(organisation), NEW_DETAILS, follow=True)

    [update] = customer_updates(fake_stripe)
    assert update["name"] == "Fictional Moorside Council"
    assert update["email"] == "creditors@moorside.example.org"
    assert update["address"]["line1"] == "Town Hall"
    assert update["address"]["postal_code"] == "MS1 2AB"
    assert update["invoice_settings"]["custom_fields"][0]["value"] == "PO-2027-0099"
    assert OrganisationDetailsChange.objects.get().stripe_update == StripeUpdate.DONE
    assert "Invoices from now on will show them." in response.content.decode()


def test_an_organisation_without_a_stripe_customer_is_not_sent_to_stripe(client, fake_stripe):
    organisation, admin = organisation_with_seats(name="Fictional Granted Trust")
    client.force_login(admin)

    client.post(details_url(organisation), NEW_DETAILS)

    assert customer_updates(fake_stripe) == []
    assert OrganisationDetailsChange.objects.get().stripe_update == StripeUpdate.NOT_NEEDED


def test_while_stripe_is_down_the_change_is_saved_and_the_failure_recorded(
    client, card_payer, fake_stripe
):
    organisation, admin = card_payer
    fake_stripe.unreachable = True
    client.force_login(admin)

    response = client.post(details_url(organisation), NEW_DETAILS, follow=True)

    organisation.refresh_from_db()
    assert organisation.name == "Fictional Moorside Council"
    change = OrganisationDetailsChange.objects.get()
    assert change.stripe_update == StripeUpdate.PENDING
    assert "fake network down" in change.stripe_error
    page = response.content.decode()
    assert "Your organisation" in page and "details are saved" in page
    assert "We could not reach our payment provider, Stripe, just now" in page
    assert "We will keep trying" in page


def test_while_stripe_is_down_a_task_is_queued_to_try_again(
    client, card_payer, fake_stripe, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        organisation_tasks.organisation_customer_update,
        "apply_async",
        lambda args, **options: queued.append((args, options)),
    )
    organisation, admin = card_payer
    fake_stripe.unreachable = True
    client.force_login(admin)

    client.post(details_url(organisation), NEW_DETAILS)

    assert queued == [((OrganisationDetailsChange.objects.get().pk,), {"countdown": 60})]


def test_the_task_backs_off_while_stripe_stays_down(card_payer, fake_stripe, monkeypatch):
    organisation, admin = card_payer
    fake_stripe.unreachable = True
    change = details.organisation_details_change(
        organisation=organisation, changed_by=admin, details=NEW_DETAILS
    )
    task = organisation_tasks.organisation_customer_update
    countdowns = []

    def retry(exc=None, countdown=None, **options):
        countdowns.append(countdown)
        return Retry()

    monkeypatch.setattr(task, "retry", retry)
    task.push_request(is_eager=False, retries=3)
    try:
        with pytest.raises(Retry):
            task.run(change.pk)
    finally:
        task.pop_request()

    assert countdowns == [240]
    change.refresh_from_db()
    assert change.stripe_update == StripeUpdate.PENDING


def test_the_task_brings_stripe_up_to_date_once_it_answers(card_payer, fake_stripe):
    organisation, admin = card_payer
    fake_stripe.unreachable = True
    first = details.organisation_details_change(
        organisation=organisation, changed_by=admin, details=NEW_DETAILS
    )
    second = details.organisation_details_change(
        organisation=organisation,
        changed_by=admin,
        details={**NEW_DETAILS, "purchase_order_number": "PO-2027-0100"},
    )
    fake_stripe.unreachable = False

    organisation_tasks.organisation_customer_update(first.pk)
    organisation_tasks.organisation_customer_update(second.pk)

    # The latest details, once: the first retry carried the second change too.
    [update] = customer_updates(fake_stripe)
    assert update["invoice_settings"]["custom_fields"][0]["value"] == "PO-2027-0100"
    assert set(OrganisationDetailsChange.objects.values_list("stripe_update", flat=True)) == {
        StripeUpdate.DONE
    }


def test_a_refusal_from_stripe_is_recorded_and_the_admin_told(
    client, card_payer, fake_stripe, monkeypatch
):
    from members.billing import gateway

    def refuse(*args, **kwargs):
        raise gateway.StripeRejected("No such customer: 'cus_Northmoor'")

    monkeypatch.setattr(gateway, "customer_update", refuse)
    organisation, admin = card_payer
    client.force_login(admin)

    response = client.post(details_url(organisation), NEW_DETAILS, follow=True)

    change = OrganisationDetailsChange.objects.get()
    assert change.stripe_update == StripeUpdate.FAILED
    assert "No such customer" in change.stripe_error
    assert "did not accept them" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Fictional Moorside Council"


def test_the_nightly_reconcile_sends_details_whose_tries_ran_out(card_payer, fake_stripe):
    organisation, admin = card_payer
    fake_stripe.unreachable = True
    for po_number in ("PO-2027-0099", "PO-2027-0100"):
        details.organisation_details_change(
            organisation=organisation,
            changed_by=admin,
            details={**NEW_DETAILS, "purchase_order_number": po_number},
        )
    fake_stripe.unreachable = False

    reconcile.subscriptions_reconcile()

    [update] = customer_updates(fake_stripe)
    assert update["invoice_settings"]["custom_fields"][0]["value"] == "PO-2027-0100"
    assert set(OrganisationDetailsChange.objects.values_list("stripe_update", flat=True)) == {
        StripeUpdate.DONE
    }


def test_the_nightly_reconcile_leaves_details_waiting_while_stripe_stays_down(
    card_payer, fake_stripe
):
    organisation, admin = card_payer
    fake_stripe.unreachable = True
    details.organisation_details_change(
        organisation=organisation, changed_by=admin, details=NEW_DETAILS
    )

    assert details.organisation_customer_updates_catch_up() == 0

    assert OrganisationDetailsChange.objects.get().stripe_update == StripeUpdate.PENDING


def test_a_refusal_from_stripe_is_emailed_to_the_membership_team_once(
    card_payer, fake_stripe, monkeypatch, mailoutbox, settings, django_capture_on_commit_callbacks
):
    from members.billing import gateway

    def refuse(*args, **kwargs):
        raise gateway.StripeRejected("No such customer: 'cus_Northmoor'")

    monkeypatch.setattr(gateway, "customer_update", refuse)
    organisation, admin = card_payer
    with django_capture_on_commit_callbacks(execute=True):
        change = details.organisation_details_change(
            organisation=organisation,
            changed_by=admin,
            details={**NEW_DETAILS, "name": organisation.name},
        )
    organisation_tasks.organisation_stripe_refused_staff_notice_send(change.pk)

    [message] = mailoutbox
    assert message.to == settings.STAFF_NOTIFICATION_EMAILS
    assert message.subject == "Stripe refused the new details of Fictional Northmoor Council"
    assert "No such customer: 'cus_Northmoor'" in message.body
