"""Stripe's webhooks: verified, stored once, applied by re-reading Stripe, in any order."""

import json
import time
from datetime import timedelta

import pytest
import stripe
from django.utils import timezone

from members import access
from members.billing import gateway, reconcile, sync
from members.models import Invoice, Organisation, Seat, StripeEvent, Subscription
from tests.members.billing.fake_stripe import TEST_WEBHOOK_SECRET, signed_post
from tests.members.factories import OrganisationFactory, PlanFactory, SeatFactory, UserFactory

pytestmark = pytest.mark.django_db

PRICE = "price_1QproviderAnnual00000000"
ORG_PRICE = "price_1QcouncilOrg0000000000000"


@pytest.fixture
def plan():
    return PlanFactory(slug="provider-annual", stripe_price_id=PRICE)


@pytest.fixture
def buyer():
    return UserFactory(email="jo.buyer@example.org")


def ours(fake, buyer, plan, **kwargs):
    """A subscription Stripe holds for `buyer`, made through our Checkout."""
    return fake.add_subscription(
        price=plan.stripe_price_id,
        metadata={sync.META_USER: str(buyer.pk), sync.META_PLAN: str(plan.pk)},
        **kwargs,
    )


# --- Verification ---------------------------------------------------------------------


def test_signed_event_is_stored_and_applied(fake_stripe, deliver, buyer, plan):
    subscription = ours(fake_stripe, buyer, plan)

    response = deliver(fake_stripe.event("customer.subscription.created", subscription))

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.outcome == StripeEvent.Outcome.APPLIED
    assert event.stripe_subscription_id == subscription["id"]
    assert Subscription.objects.get().user == buyer


def _tampered(client, fake):
    event = fake.event("customer.subscription.created", {"id": "sub_1Qx", "object": "subscription"})
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, TEST_WEBHOOK_SECRET)
    return client.post(
        "/billing/stripe/webhook/",
        data=payload.replace("sub_1Qx", "sub_1Qy"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def _unsigned(client, fake):
    event = fake.event("customer.subscription.created", {"id": "sub_1Qx", "object": "subscription"})
    return client.post("/billing/stripe/webhook/", data=event, content_type="application/json")


def _forged(client, fake):
    event = fake.event("customer.subscription.created", {"id": "sub_1Qx", "object": "subscription"})
    return signed_post(client, event, secret="whsec_someone_else")


def _stale(client, fake):
    event = fake.event("customer.subscription.created", {"id": "sub_1Qx", "object": "subscription"})
    return signed_post(client, event, timestamp=int(time.time()) - 301)


def _not_json(client, fake):
    return signed_post(client, "this is not json")


@pytest.mark.parametrize("send", [_unsigned, _forged, _tampered, _stale, _not_json])
def test_webhook_that_fails_verification_gets_400_and_nothing_is_stored(client, fake_stripe, send):
    response = send(client, fake_stripe)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_webhook_is_refused_when_no_signing_secret_is_configured(client, fake_stripe, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    event = fake_stripe.event("customer.subscription.created", {"id": "sub_1Qx"})

    response = signed_post(client, event)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_webhook_endpoint_answers_get_with_405(client):
    assert client.get("/billing/stripe/webhook/").status_code == 405


# --- Once, and in any order -------------------------------------------------------------


def test_same_event_delivered_twice_is_stored_once_and_applied_once(
    fake_stripe, deliver, buyer, plan
):
    event = fake_stripe.event("customer.subscription.created", ours(fake_stripe, buyer, plan))

    first, second = deliver(event), deliver(event)

    assert first.status_code == second.status_code == 200
    assert StripeEvent.objects.count() == 1
    assert Subscription.objects.count() == 1
    assert len(fake_stripe.calls("GET", r"/v1/subscriptions/.+")) == 1


def test_updated_arriving_before_created_converges_on_stripes_state(
    fake_stripe, deliver, buyer, plan
):
    subscription = ours(fake_stripe, buyer, plan)
    created = fake_stripe.event("customer.subscription.created", subscription)
    fake_stripe.set_subscription(subscription["id"], cancel_at_period_end=True)
    updated = fake_stripe.event("customer.subscription.updated", subscription)

    deliver(updated)
    deliver(created)  # late, with the older snapshot

    row = Subscription.objects.get()
    assert row.cancel_at_period_end is True
    assert row.status == "active"


def test_late_updated_after_deleted_does_not_bring_the_membership_back(
    fake_stripe, deliver, buyer, plan
):
    subscription = ours(fake_stripe, buyer, plan)
    updated = fake_stripe.event("customer.subscription.updated", subscription)
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    fake_stripe.set_subscription(subscription["id"], status="canceled")
    deliver(fake_stripe.event("customer.subscription.deleted", subscription))

    deliver(updated)  # the snapshot still says "active"

    row = Subscription.objects.get()
    assert row.status == "canceled"
    assert row.ended_at is not None
    assert not access.is_member(buyer)


def test_subscription_for_a_price_that_is_none_of_our_plans_is_ignored(fake_stripe, deliver, plan):
    stranger = fake_stripe.add_subscription(price="price_1QsomeoneElsesProduct000")

    deliver(fake_stripe.event("customer.subscription.created", stranger))

    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.IGNORED
    assert not Subscription.objects.exists()


def test_event_types_we_do_not_act_on_are_recorded_as_ignored(fake_stripe, deliver):
    deliver(fake_stripe.event("plan.created", {"id": "price_1Qx", "object": "plan"}))

    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.IGNORED


def test_webhook_for_an_unknown_customer_is_recorded_and_flagged_for_staff(
    fake_stripe, deliver, plan
):
    unknown = fake_stripe.add_subscription(
        price=plan.stripe_price_id, customer="cus_1QnobodyWeKnow"
    )

    response = deliver(fake_stripe.event("customer.subscription.created", unknown))

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.outcome == StripeEvent.Outcome.WAITING
    assert event.needs_attention
    assert "cus_1QnobodyWeKnow" in event.detail


def test_event_for_a_person_not_here_yet_waits_and_is_applied_when_retried(
    fake_stripe, deliver, plan, django_capture_on_commit_callbacks
):
    subscription = fake_stripe.add_subscription(
        price=plan.stripe_price_id, metadata={sync.META_USER: "424242"}
    )
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.WAITING

    person = UserFactory(id=424242, email="arrives.later@example.org")
    from members.billing import tasks

    with django_capture_on_commit_callbacks(execute=True):
        tasks.stripe_events_retry()

    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.APPLIED
    assert Subscription.objects.get().user == person


def test_processing_failure_is_recorded_and_applied_on_retry(fake_stripe, deliver, buyer, plan):
    subscription = ours(fake_stripe, buyer, plan)
    fake_stripe.unreachable = True

    response = deliver(fake_stripe.event("customer.subscription.created", subscription))

    assert response.status_code == 200  # Stripe is never left waiting on our failure
    event = StripeEvent.objects.get()
    assert event.outcome == StripeEvent.Outcome.FAILED
    assert "APIConnectionError" in event.detail or "connect" in event.detail
    assert not Subscription.objects.exists()

    fake_stripe.unreachable = False
    from members.billing import tasks

    tasks.stripe_events_retry()

    event.refresh_from_db()
    assert event.outcome == StripeEvent.Outcome.APPLIED
    assert event.attempts == 2
    assert Subscription.objects.get().user == buyer


def test_retry_gives_up_after_the_configured_attempts(fake_stripe, deliver, buyer, plan, settings):
    settings.STRIPE_EVENT_MAX_ATTEMPTS = 2
    fake_stripe.unreachable = True
    deliver(fake_stripe.event("customer.subscription.created", ours(fake_stripe, buyer, plan)))

    event = StripeEvent.objects.get()
    assert sync.stripe_events_to_retry() == [event.pk]
    with pytest.raises(gateway.StripeUnavailable):  # the second attempt fails too
        sync.stripe_event_apply(event_id=event.pk)

    assert sync.stripe_events_to_retry() == []


def test_staff_reapply_an_event_from_the_admin(fake_stripe, deliver, buyer, plan, staff_client):
    subscription = ours(fake_stripe, buyer, plan)
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    fake_stripe.set_subscription(subscription["id"], status="past_due")
    event = StripeEvent.objects.get()

    response = staff_client.post(
        "/admin/members/stripeevent/",
        {"action": "reapply", "_selected_action": [event.pk]},
    )

    assert response.status_code == 302
    assert response.url == "/admin/members/stripeevent/"
    assert Subscription.objects.get().status == "past_due"


# --- What each event does ----------------------------------------------------------------


def test_checkout_completed_for_an_organisation_starts_its_membership_with_the_seats_bought(
    fake_stripe, deliver, client, buyer
):
    org_plan = PlanFactory(
        slug="council-organisation", stripe_price_id=ORG_PRICE, organisation=True
    )
    client.force_login(buyer)
    response = client.post(
        "/billing/checkout/council-organisation/", {"organisation_name": "Northmoor Council"}
    )
    session_id = response["Location"].rsplit("/", 1)[1]
    fake_stripe.sessions[session_id]["_line"]["quantity"] = "25"  # chosen on Checkout

    fake_stripe.complete_checkout(session_id)
    deliver(fake_stripe.event("checkout.session.completed", fake_stripe.sessions[session_id]))

    organisation = Organisation.objects.get(name="Northmoor Council")
    row = Subscription.objects.get()
    assert row.organisation == organisation and row.plan == org_plan
    assert row.quantity == 25
    assert organisation.stripe_customer_id == row.stripe_customer_id
    assert Seat.objects.get(organisation=organisation).user == buyer
    assert access.is_org_admin(buyer, organisation)
    assert access.is_member(buyer)


def test_period_end_is_read_from_the_subscription_items(fake_stripe, deliver, buyer, plan):
    period_end = int(time.time()) + 200 * 86400
    subscription = ours(fake_stripe, buyer, plan, period_end=period_end)

    deliver(fake_stripe.event("customer.subscription.created", subscription))

    assert Subscription.objects.get().current_period_end.timestamp() == period_end


def test_invoice_paid_is_kept_against_the_subscription_named_in_its_parent(
    fake_stripe, deliver, buyer, plan
):
    subscription = ours(fake_stripe, buyer, plan)
    invoice = fake_stripe.add_invoice(subscription["id"], status="paid", amount=12000)

    deliver(fake_stripe.event("invoice.paid", invoice))

    row = Invoice.objects.get()
    assert row.stripe_invoice_id == invoice["id"]
    assert row.subscription.stripe_subscription_id == subscription["id"]
    assert row.status == "paid" and row.amount_due_pence == 12000
    assert row.hosted_invoice_url.startswith("https://invoice.stripe.com/")


def test_an_invoice_event_is_filed_under_its_subscription_for_staff_to_find(
    fake_stripe, deliver, buyer, plan
):
    subscription = ours(fake_stripe, buyer, plan)
    invoice = fake_stripe.add_invoice(subscription["id"], status="paid")

    deliver(fake_stripe.event("invoice.paid", invoice))

    assert StripeEvent.objects.get().stripe_subscription_id == subscription["id"]


def test_finalized_invoice_of_an_invoiced_membership_is_listed_with_its_due_date(
    fake_stripe, deliver, buyer, plan
):
    subscription = ours(fake_stripe, buyer, plan, collection_method="send_invoice")
    invoice = fake_stripe.add_invoice(subscription["id"], status="open", due_in_days=30)

    deliver(fake_stripe.event("invoice.finalized", invoice))

    row = Invoice.objects.get()
    assert row.status == "open"
    assert row.due_date.date() == (timezone.now() + timedelta(days=30)).date()


def test_failed_payment_starts_the_grace_period_and_emails_once_with_the_portal_link(
    fake_stripe, deliver, buyer, plan, mailoutbox
):
    subscription = ours(fake_stripe, buyer, plan)
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    fake_stripe.set_subscription(subscription["id"], status="past_due")
    invoice = fake_stripe.add_invoice(subscription["id"], status="open", attempt_count=1)
    failed = fake_stripe.event("invoice.payment_failed", invoice)

    deliver(failed)
    deliver(fake_stripe.event("invoice.payment_failed", invoice))  # Stripe's next attempt

    row = Subscription.objects.get()
    assert row.status == "past_due"
    assert row.past_due_since is not None
    assert access.is_member(buyer)  # in the grace period
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [buyer.email]
    assert "https://network.example.org/billing/portal/" in message.body
    assert Invoice.objects.get().payment_failed_notice_sent_at is not None


def test_payment_failed_arriving_after_the_invoice_was_paid_sends_no_email(
    fake_stripe, deliver, buyer, plan, mailoutbox
):
    subscription = ours(fake_stripe, buyer, plan)
    invoice = fake_stripe.add_invoice(subscription["id"], status="open", attempt_count=1)
    failed = fake_stripe.event("invoice.payment_failed", invoice)
    invoice["status"] = "paid"
    deliver(fake_stripe.event("invoice.paid", invoice))

    deliver(failed)

    assert Invoice.objects.get().status == "paid"
    assert mailoutbox == []


def test_past_due_since_is_kept_while_past_due_and_cleared_when_payment_recovers(
    fake_stripe, deliver, buyer, plan
):
    subscription = ours(fake_stripe, buyer, plan)
    fake_stripe.set_subscription(subscription["id"], status="past_due")
    deliver(fake_stripe.event("customer.subscription.updated", subscription))
    first_failure = Subscription.objects.get().past_due_since

    deliver(fake_stripe.event("customer.subscription.updated", subscription))
    assert Subscription.objects.get().past_due_since == first_failure

    fake_stripe.set_subscription(subscription["id"], status="active")
    deliver(fake_stripe.event("customer.subscription.updated", subscription))
    assert Subscription.objects.get().past_due_since is None


def test_past_due_membership_closes_when_the_grace_period_ends(
    fake_stripe, deliver, buyer, plan, settings
):
    settings.MEMBERSHIP_GRACE_DAYS = 14
    subscription = ours(fake_stripe, buyer, plan)
    fake_stripe.set_subscription(subscription["id"], status="past_due")
    deliver(fake_stripe.event("customer.subscription.updated", subscription))
    Subscription.objects.update(past_due_since=timezone.now() - timedelta(days=15))

    assert not access.is_member(buyer)


def test_a_plan_change_in_the_portal_moves_the_membership_to_the_new_plan(
    fake_stripe, deliver, buyer, plan
):
    monthly = PlanFactory(slug="provider-monthly", stripe_price_id="price_1QproviderMonthly000")
    subscription = ours(fake_stripe, buyer, plan)
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    subscription["items"]["data"][0]["price"]["id"] = monthly.stripe_price_id

    deliver(fake_stripe.event("customer.subscription.updated", subscription))

    assert Subscription.objects.get().plan == monthly


def test_an_invoice_of_no_subscription_is_ignored(fake_stripe, deliver):
    one_off = fake_stripe.event("invoice.paid", {"id": "in_1QoneOff", "object": "invoice"})
    fake_stripe.invoices["in_1QoneOff"] = {**one_off["data"]["object"], "parent": None}

    deliver(one_off)

    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.IGNORED
    assert not Invoice.objects.exists()


def test_cancelling_keeps_access_to_the_end_of_the_paid_period(fake_stripe, deliver, buyer, plan):
    period_end = int(time.time()) + 20 * 86400
    subscription = ours(fake_stripe, buyer, plan, period_end=period_end)
    fake_stripe.set_subscription(subscription["id"], cancel_at_period_end=True)

    deliver(fake_stripe.event("customer.subscription.updated", subscription))

    membership = access.membership(buyer)
    assert membership is not None
    assert membership.ends_at.timestamp() == period_end


def test_subscription_deleted_ends_access_and_emails_once(
    fake_stripe, deliver, buyer, plan, mailoutbox
):
    subscription = ours(fake_stripe, buyer, plan)
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    fake_stripe.set_subscription(subscription["id"], status="canceled")
    deleted = fake_stripe.event("customer.subscription.deleted", subscription)

    deliver(deleted)
    deliver(fake_stripe.event("customer.subscription.updated", subscription))

    assert not access.is_member(buyer)
    assert access.is_lapsed(buyer)
    assert [m.subject for m in mailoutbox] == ["Your membership has ended"]
    assert Subscription.objects.get().ended_notice_sent_at is not None


def test_ended_email_of_an_organisation_goes_to_its_admins_and_billing_address(
    fake_stripe, deliver, mailoutbox
):
    organisation = OrganisationFactory(
        name="Harbour Lights Homes", stripe_customer_id="cus_1Qharbour"
    )
    admin = SeatFactory(organisation=organisation, is_admin=True).user
    SeatFactory(organisation=organisation)  # a colleague: not told about billing
    org_plan = PlanFactory(
        slug="provider-organisation", stripe_price_id=ORG_PRICE, organisation=True
    )
    subscription = fake_stripe.add_subscription(
        customer="cus_1Qharbour", price=org_plan.stripe_price_id, quantity=10
    )
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    fake_stripe.set_subscription(subscription["id"], status="canceled")

    deliver(fake_stripe.event("customer.subscription.deleted", subscription))

    assert sorted(mailoutbox[0].to) == sorted([admin.email, organisation.billing_email])


def test_an_abandoned_checkout_that_expires_sends_no_ended_email(
    fake_stripe, deliver, buyer, plan, mailoutbox
):
    subscription = ours(fake_stripe, buyer, plan, status="incomplete")
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    fake_stripe.set_subscription(subscription["id"], status="incomplete_expired")

    deliver(fake_stripe.event("customer.subscription.updated", subscription))

    assert Subscription.objects.get().status == "incomplete_expired"
    assert mailoutbox == []
    assert not access.is_lapsed(buyer)


# --- Reconciliation ---------------------------------------------------------------------


def test_nightly_reconcile_corrects_a_missed_webhook_and_applies_undelivered_events(
    fake_stripe, deliver, buyer, plan, django_capture_on_commit_callbacks, caplog
):
    subscription = ours(fake_stripe, buyer, plan)
    deliver(fake_stripe.event("customer.subscription.created", subscription))
    fake_stripe.set_subscription(subscription["id"], status="past_due")  # no webhook came
    invoice = fake_stripe.add_invoice(subscription["id"], status="open")
    fake_stripe.undelivered_events = [fake_stripe.event("invoice.finalized", invoice)]

    with django_capture_on_commit_callbacks(execute=True):
        corrections = reconcile.subscriptions_reconcile()

    assert corrections == 1
    assert Subscription.objects.get().status == "past_due"
    assert Invoice.objects.get().stripe_invoice_id == invoice["id"]
    assert "reconcile corrected" in caplog.text


def test_reconcile_does_nothing_without_stripe_keys(no_stripe):
    assert reconcile.subscriptions_reconcile() == 0


def dispute(**fields) -> dict:
    return {
        "id": "dp_1QdisputeNorthmoor",
        "object": "dispute",
        "amount": 180000,
        "currency": "gbp",
        "charge": "ch_1QchargeNorthmoor",
        "payment_intent": "pi_1QpaymentNorthmoor",
        "reason": "product_not_received",
        "status": "needs_response",
        "evidence_details": {"due_by": 1798761600},
        **fields,
    }


def test_a_disputed_payment_tells_the_membership_team_with_its_deadline(
    fake_stripe, deliver, settings, mailoutbox
):
    settings.STAFF_NOTIFICATION_EMAILS = ["membership@network.example.org"]

    deliver(fake_stripe.event("charge.dispute.created", dispute()))

    [message] = mailoutbox
    assert message.to == ["membership@network.example.org"]
    assert message.subject.endswith("A payment of £1,800 was disputed")
    assert "product not received" in message.body
    assert "https://dashboard.stripe.com/disputes/dp_1QdisputeNorthmoor" in message.body
    assert "by 1 January 2027" in message.body
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.APPLIED


def test_a_dispute_delivered_twice_tells_the_team_once(fake_stripe, deliver, mailoutbox):
    event = fake_stripe.event("charge.dispute.created", dispute())

    deliver(event)
    deliver(event)

    assert len(mailoutbox) == 1
