"""The admin's delete confirmation of an organisation or a plan lists every row the
deletion takes with it (or that stops it) by name, in the same number of queries however
many rows there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import SeatRemoval
from tests.members.factories import (
    InvitationFactory,
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _people_of(organisation, count: int) -> None:
    for _ in range(count):
        SeatFactory(organisation=organisation)
        InvitationFactory(organisation=organisation)
        SeatRemoval.objects.create(
            organisation=organisation, user=UserFactory(), removed_by=UserFactory()
        )


def test_an_organisation_s_delete_page_asks_as_many_queries_for_50_seats_as_for_5(staff_client):
    organisation = OrganisationFactory()
    url = reverse("admin:members_organisation_delete", args=[organisation.pk])
    _people_of(organisation, 5)
    few = _queries(staff_client, url)

    _people_of(organisation, 45)

    assert _queries(staff_client, url) == few


def test_an_organisation_s_delete_page_names_each_seat_with_its_person(staff_client):
    organisation = OrganisationFactory(name="Northmoor County Council (fictional)")
    SeatFactory(organisation=organisation, user=UserFactory(name="Ruth Adeyemi"))

    page = staff_client.get(
        reverse("admin:members_organisation_delete", args=[organisation.pk])
    ).content.decode()

    assert "Ruth Adeyemi at Northmoor County Council (fictional)</a>" in page


def test_a_plan_s_delete_page_asks_as_many_queries_for_20_subscriptions_as_for_2(staff_client):
    plan = PlanFactory()
    url = reverse("admin:members_plan_delete", args=[plan.pk])
    SubscriptionFactory.create_batch(2, plan=plan)
    few = _queries(staff_client, url)

    SubscriptionFactory.create_batch(18, plan=plan)

    assert _queries(staff_client, url) == few
