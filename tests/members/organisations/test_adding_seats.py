"""A full organisation's page says how to add seats, which depends on how it pays."""

import pytest
from django.urls import reverse

from members.models import Subscription
from tests.members.factories import SeatFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return organisation_with_seats(seats=3, name="Northmoor Council", slug="northmoor-council")


def page_url(organisation) -> str:
    return reverse("members:organisation", kwargs={"slug": organisation.slug})


def test_a_full_organisation_paying_by_card_is_told_to_add_seats_in_the_billing_portal(
    client, council
):
    organisation, admin = council
    SeatFactory(organisation=organisation)
    SeatFactory(organisation=organisation)
    client.force_login(admin)

    page = client.get(page_url(organisation)).content.decode()

    assert 'use "Manage payment, invoices and plan" on' in page


def test_a_full_organisation_paying_by_invoice_is_told_to_ask_the_team_for_seats(client, council):
    organisation, admin = council
    organisation.subscriptions.update(collection_method=Subscription.CollectionMethod.INVOICE)
    SeatFactory(organisation=organisation)
    SeatFactory(organisation=organisation)
    client.force_login(admin)

    page = client.get(page_url(organisation)).content.decode()

    assert "Northmoor Council pays by invoice, so" in page
    assert "we add the seats and invoice them" in page
    assert "Manage payment, invoices and plan" not in page


def test_seats_beyond_those_paid_for_say_how_to_add_seats_once(client, council):
    organisation, admin = council
    for _ in range(3):
        SeatFactory(organisation=organisation)
    client.force_login(admin)

    page = client.get(page_url(organisation)).content.decode()

    assert "pays for 3 seats, and 4 are in use" in page
    assert page.count('To add seats, use "Manage payment, invoices and plan"') == 1
