"""A new Stripe subscription is written here by two sides at once: the request that created
it (an invoice request) or the first event of a card join, and a worker applying another
of its events. Whichever inserts second takes the row the other wrote, with Stripe's
latest state, and nothing fails."""

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from members import access
from members.billing import gateway, invoicing, sync
from members.models import InvoiceRequest, StripeEvent, Subscription
from tests.members.factories import PlanFactory, UserFactory

COUNCIL_PRICE = "price_1QcouncilOrg0000000000000"
PERSONAL_PRICE = "price_1QproviderAnnual00000000"


@pytest.fixture
def council_plan():
    return PlanFactory(
        slug="council-organisation",
        name="Council (20 seats)",
        stripe_price_id=COUNCIL_PRICE,
        organisation=True,
        seats=20,
        allow_invoice=True,
        member_type="commissioner",
    )


@pytest.fixture
def commissioner():
    return UserFactory(email="ruth.adeyemi@northmoor.example.org", member_type="commissioner")


def invoice_request(plan) -> dict:
    return {
        "plan": plan.pk,
        "seats": 25,
        "organisation_name": "Northmoor Borough Council (fictional)",
        "region": "west-midlands",
        "contact_name": "Accounts Payable",
        "billing_email": "accounts.payable@northmoor.example.org",
        "billing_address": "Civic Centre\nMarket Street\nNorthmoor\nNM1 1AA",
        "purchase_order_number": "PO-2026-0412",
    }


def apply_created_event(fake, subscription_id: str) -> str:
    """A worker applies `customer.subscription.created`, as Stripe sends it; its outcome."""
    event, _ = sync.stripe_event_record(
        event=fake.event("customer.subscription.created", fake.subscriptions[subscription_id])
    )
    return sync.stripe_event_apply(event_id=event.pk)


def worker_writes_first(monkeypatch, fake, *, then_stripe=None) -> list[str]:
    """Between our look for the row and our insert, a worker applies the subscription's
    `created` event (after `then_stripe(subscription_id)` changed Stripe, if given)."""
    outcomes: list[str] = []
    full_clean = Subscription.full_clean  # checks the new row just before it is inserted

    def clean_then_the_worker(row, *args, **kwargs):
        full_clean(row, *args, **kwargs)
        if not outcomes:
            outcomes.append("raced")
            if then_stripe is not None:
                then_stripe(row.stripe_subscription_id)
            outcomes.append(apply_created_event(fake, row.stripe_subscription_id))

    monkeypatch.setattr(Subscription, "full_clean", clean_then_the_worker)
    return outcomes


@pytest.mark.django_db
@pytest.mark.usefixtures("invoices_open_at_once")
def test_invoice_request_succeeds_when_its_webhook_wrote_the_subscription_first(
    client, fake_stripe, monkeypatch, council_plan, commissioner
):
    outcomes = worker_writes_first(monkeypatch, fake_stripe)
    client.force_login(commissioner)

    response = client.post(reverse("billing:invoice_request"), invoice_request(council_plan))

    assert response.status_code == 302
    assert outcomes == ["raced", StripeEvent.Outcome.APPLIED]
    subscription = Subscription.objects.get()
    assert subscription.collection_method == "send_invoice"
    assert subscription.quantity == 25
    request = InvoiceRequest.objects.get()
    assert request.status == InvoiceRequest.Status.CREATED
    assert request.subscription == subscription
    assert access.is_member(commissioner)


@pytest.mark.django_db
def test_card_join_applies_both_events_when_they_write_the_new_subscription_at_once(
    fake_stripe, monkeypatch
):
    plan = PlanFactory(slug="provider-annual", stripe_price_id=PERSONAL_PRICE)
    buyer = UserFactory(email="jo.buyer@example.org")
    subscription = fake_stripe.add_subscription(
        price=PERSONAL_PRICE,
        status="incomplete",
        metadata={sync.META_USER: str(buyer.pk), sync.META_PLAN: str(plan.pk)},
    )

    def paid(subscription_id):
        # The bank confirmed the first payment after our read and before the worker's.
        fake_stripe.set_subscription(subscription_id, status="active")

    outcomes = worker_writes_first(monkeypatch, fake_stripe, then_stripe=paid)
    event, _ = sync.stripe_event_record(
        event=fake_stripe.event(
            "checkout.session.completed",
            {
                "id": "cs_test_a1Qjoin",
                "object": "checkout.session",
                "mode": "subscription",
                "customer": subscription["customer"],
                "subscription": subscription["id"],
                "metadata": subscription["metadata"],
            },
        )
    )

    assert sync.stripe_event_apply(event_id=event.pk) == StripeEvent.Outcome.APPLIED

    assert outcomes == ["raced", StripeEvent.Outcome.APPLIED]
    assert set(StripeEvent.objects.values_list("outcome", flat=True)) == {"applied"}
    # What we wrote over the worker's row is Stripe's state read again, not our older read.
    assert Subscription.objects.get().status == "active"
    assert access.is_member(buyer)


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("invoices_open_at_once")
def test_invoice_request_and_its_webhook_worker_writing_at_the_same_moment_both_succeed(
    fake_stripe, monkeypatch, council_plan, commissioner
):
    # Both sides have looked for the row and found none before either inserts.
    both_looked = threading.Barrier(2)
    full_clean = Subscription.full_clean  # checks the new row just before it is inserted

    def clean_then_wait(row, *args, **kwargs):
        full_clean(row, *args, **kwargs)
        both_looked.wait(timeout=10)

    monkeypatch.setattr(Subscription, "full_clean", clean_then_wait)
    worker_outcome: list[str] = []
    workers: list[threading.Thread] = []

    def worker(subscription_id):
        try:
            worker_outcome.append(apply_created_event(fake_stripe, subscription_id))
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            worker_outcome.append(repr(error))
        finally:
            connection.close()

    create = gateway.subscription_create_invoiced

    def create_then_webhook(**kwargs):
        state = create(**kwargs)
        workers.append(threading.Thread(target=worker, args=(state.id,)))
        workers[0].start()
        return state

    monkeypatch.setattr(gateway, "subscription_create_invoiced", create_then_webhook)
    fields = invoice_request(council_plan)
    del fields["plan"]

    request = invoicing.invoice_request_submit(user=commissioner, plan=council_plan, **fields)
    workers[0].join()

    assert worker_outcome == [StripeEvent.Outcome.APPLIED]
    assert request.status == InvoiceRequest.Status.CREATED
    assert request.subscription == Subscription.objects.get()
