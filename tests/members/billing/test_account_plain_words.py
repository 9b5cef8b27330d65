"""The account page's membership panel speaks of the billing portal, not of the company
behind it: members read "the billing portal" in every email, and a supplier's name is
one more word to puzzle over."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.billing import notices
from members.models import SubscriptionStatus
from tests.members.factories import GrantFactory, OrganisationFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.mark.parametrize(
    "state",
    [
        {"status": SubscriptionStatus.ACTIVE},
        {"status": SubscriptionStatus.PAST_DUE, "past_due_since": NOW - timedelta(days=2)},
        {
            "status": SubscriptionStatus.CANCELED,
            "current_period_end": NOW - timedelta(days=20),
            "ended_at": NOW - timedelta(days=20),
        },
    ],
    ids=["active", "payment failed", "ended"],
)
def test_the_membership_panel_does_not_name_the_payment_company(client, fake_stripe, state):
    subscription = SubscriptionFactory(**state)
    client.force_login(subscription.user)

    text = client.get(reverse("members:account")).content.decode()

    assert "billing portal" in text
    assert "Stripe" not in text


def test_an_organisations_ended_notice_promises_no_account_to_its_billing_address(
    fake_stripe, mailoutbox
):
    # The billing address reads it too, and may have no account of its own.
    council = OrganisationFactory(billing_email="ap@northmoor.example.org")
    SubscriptionFactory(user=None, organisation=council, status=SubscriptionStatus.CANCELED)
    subscription = council.subscriptions.get()

    notices.membership_ended_notice_send(subscription_id=subscription.pk)

    [message] = mailoutbox
    assert "Your account stays open" not in message.body
    assert "Accounts on the network stay open" in message.body


def test_a_member_through_a_grant_reads_their_ended_plan_as_their_last_one(client, fake_stripe):
    ended = SubscriptionFactory(
        status=SubscriptionStatus.CANCELED,
        current_period_end=NOW - timedelta(days=20),
        ended_at=NOW - timedelta(days=20),
    )
    GrantFactory(user=ended.user, member_type="provider")
    client.force_login(ended.user)

    text = client.get(reverse("members:account")).content.decode()

    assert "You are a member</strong>" in text
    assert "<dt>Your last plan</dt>" in text


def test_a_lapsed_member_reads_their_ended_plan_as_the_plan(client, fake_stripe):
    ended = SubscriptionFactory(
        status=SubscriptionStatus.CANCELED,
        current_period_end=NOW - timedelta(days=20),
        ended_at=NOW - timedelta(days=20),
    )
    client.force_login(ended.user)

    text = client.get(reverse("members:account")).content.decode()

    assert "Your membership has ended" in text
    assert "<dt>Plan</dt>" in text
