"""Signing in again during an account deletion's grace period cancels it; the message
that welcomes the person back says plainly what became of their membership's renewal."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members import data_rights
from members import tasks as member_tasks
from members.models import SubscriptionStatus
from tests.members.billing.test_deletion_renewals import (
    ask_for_deletion,
    in_stripe,
    renewal_changes,
)
from tests.members.factories import PASSWORD, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in_page(client, user) -> str:
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def _subscription(*, period_end=None):
    return SubscriptionFactory(
        current_period_end=period_end or timezone.now() + timedelta(days=365)
    )


def _subscription_in_stripe(fake_stripe, *, period_end=None):
    subscription = _subscription(period_end=period_end)
    in_stripe(
        fake_stripe,
        subscription,
        period_end=int(subscription.current_period_end.timestamp()),
    )
    return subscription


@pytest.fixture
def queued_restores(monkeypatch) -> list:
    queued = []
    monkeypatch.setattr(
        member_tasks.account_deletion_renewals_restore,
        "apply_async",
        lambda args, **options: queued.append(args),
    )
    return queued


def test_signing_in_again_says_the_renewal_is_back_on_and_when_it_renews(client, fake_stripe):
    subscription = _subscription_in_stripe(fake_stripe)
    ask_for_deletion(subscription)

    page = signed_in_page(client, subscription.user)

    subscription.refresh_from_db()
    renews = f"{timezone.localtime(subscription.current_period_end):%-d %B %Y}"
    assert "Welcome back. You signed in, so your account will not be deleted." in page
    assert f"Your membership&#x27;s renewal is back on: it renews on {renews}." in page


def test_signing_in_while_stripe_is_down_says_we_are_turning_the_renewal_back_on(
    client, fake_stripe, queued_restores
):
    subscription = _subscription_in_stripe(fake_stripe)
    ask_for_deletion(subscription)
    fake_stripe.unreachable = True

    page = signed_in_page(client, subscription.user)

    assert "We are turning your membership&#x27;s renewal back on." in page
    assert "renewal is back on" not in page


def test_a_membership_that_ended_in_the_grace_period_is_said_to_have_ended_with_a_way_back(
    client, fake_stripe
):
    period_end = timezone.now() + timedelta(days=5)
    subscription = _subscription_in_stripe(fake_stripe, period_end=period_end)
    ask_for_deletion(subscription)
    # Stripe ends it at its period end; its webhook has not reached our copy yet.
    fake_stripe.set_subscription(
        subscription.stripe_subscription_id,
        status="canceled",
        ended_at=int(period_end.timestamp()),
    )

    with time_machine.travel(timezone.now() + timedelta(days=7)):
        page = signed_in_page(client, subscription.user)

    assert f"Your membership ended on {timezone.localtime(period_end):%-d %B %Y}," in page
    assert f'<a href="{reverse("membership")}">join on the membership page</a>' in page
    assert "renewal is back on" not in page
    assert renewal_changes(fake_stripe, subscription) == ["true"]  # never asked to renew
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELED
    assert subscription.renewal_stopped_by is None


def test_without_stripe_a_membership_whose_period_ended_is_not_set_to_renew_again(
    client, no_stripe
):
    subscription = _subscription(period_end=timezone.now() + timedelta(days=5))
    ask_for_deletion(subscription)

    with time_machine.travel(timezone.now() + timedelta(days=7)):
        page = signed_in_page(client, subscription.user)

    assert "Your membership ended on" in page
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end
    assert subscription.renewal_stopped_by is None


def test_someone_without_a_personal_membership_is_told_nothing_about_renewal(client):
    person = UserFactory()
    data_rights.account_deletion_request(user=person, keep_post_text=True)

    page = signed_in_page(client, person)

    assert "Welcome back. You signed in, so your account will not be deleted." in page
    assert "renewal" not in page.lower()
    assert "membership ended" not in page.lower()
