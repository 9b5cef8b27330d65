"""Free trials: offered and given to newcomers only."""

import pytest
from django.urls import reverse

from tests.members.factories import PlanFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return PlanFactory(
        slug="provider-annual",
        name="Provider: individual, annual",
        stripe_price_id="price_1QproviderAnnual00000000",
        trial_days=14,
    )


def test_a_newcomers_checkout_page_offers_the_free_trial(client, fake_stripe, plan):
    client.force_login(UserFactory())

    response = client.get(reverse("billing:checkout", args=[plan.slug]))

    assert "you pay nothing today" in response.content.decode()


def test_a_returning_members_checkout_page_does_not_offer_a_trial_they_will_not_get(
    client, fake_stripe, plan, lapsed
):
    client.force_login(lapsed)

    response = client.get(reverse("billing:checkout", args=[plan.slug]))

    assert "Free trial" not in response.content.decode()
    assert "you pay nothing today" not in response.content.decode()
