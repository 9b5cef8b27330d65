"""Erasing a paying member's account cancels their subscription in Stripe."""

import pytest

from members import data_rights
from members.billing import gateway
from members.models import StripeEvent, SubscriptionStatus
from tests.members.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_erasure_cancels_the_personal_subscription_in_stripe(fake_stripe):
    subscription = SubscriptionFactory()
    fake_stripe.add_subscription(
        price=subscription.plan.stripe_price_id or "price_test",
        customer=subscription.stripe_customer_id,
        subscription_id=subscription.stripe_subscription_id,
    )
    data_request = data_rights.account_deletion_request(user=subscription.user, keep_post_text=True)
    data_rights.account_erase(data_request=data_request)
    assert (
        len(fake_stripe.calls("DELETE", f"/v1/subscriptions/{subscription.stripe_subscription_id}"))
        == 1
    )
    assert fake_stripe.subscriptions[subscription.stripe_subscription_id]["status"] == "canceled"
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELED
    assert subscription.user.is_erased


def test_erasure_waits_while_stripe_is_unreachable(fake_stripe):
    subscription = SubscriptionFactory()
    fake_stripe.unreachable = True
    data_request = data_rights.account_deletion_request(user=subscription.user, keep_post_text=True)
    with pytest.raises(gateway.StripeUnavailable):
        data_rights.account_erase(data_request=data_request)
    subscription.user.refresh_from_db()
    assert not subscription.user.is_erased
    data_request.refresh_from_db()
    assert data_request.state == data_request.State.SCHEDULED


def test_a_subscription_already_cancelled_in_stripe_does_not_stop_erasure(fake_stripe):
    subscription = SubscriptionFactory()
    fake_stripe.add_subscription(
        price="price_test", subscription_id=subscription.stripe_subscription_id, status="canceled"
    )
    data_request = data_rights.account_deletion_request(user=subscription.user, keep_post_text=True)
    data_rights.account_erase(data_request=data_request)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELED


def test_erasure_blanks_the_stripe_invoice_events_that_carry_the_persons_details(
    fake_stripe, deliver
):
    subscription = SubscriptionFactory()
    fake_stripe.add_subscription(
        price=subscription.plan.stripe_price_id,
        customer=subscription.stripe_customer_id,
        subscription_id=subscription.stripe_subscription_id,
    )
    invoice = fake_stripe.add_invoice(subscription.stripe_subscription_id, status="paid")
    invoice.update(customer_name="Jo Whitfield", customer_email=subscription.user.email)
    deliver(fake_stripe.event("invoice.paid", invoice))

    data_request = data_rights.account_deletion_request(user=subscription.user, keep_post_text=True)
    data_rights.account_erase(data_request=data_request)

    assert StripeEvent.objects.get().payload == {}
