"""A plan's name may carry the seats it starts with ("Council (20 seats)"); an
organisation paying for another number of seats is not shown that count, and one with
more seats in use than paid for reads the two numbers apart, not "4 of 2"."""

import pytest
from django.urls import reverse

from members.models import Plan
from tests.members.factories import PlanFactory, SeatFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


def test_a_plan_named_with_its_starting_seats_drops_a_count_that_is_not_theirs():
    plan = Plan(name="Council (20 seats)", seats=20)

    assert plan.name_for(1) == "Council"
    assert plan.name_for(20) == "Council (20 seats)"


def test_a_plan_without_a_seat_count_in_its_name_keeps_its_name():
    assert Plan(name="Provider: individual, annual").name_for(1) == ("Provider: individual, annual")


def test_the_account_page_shows_the_seats_paid_for_not_the_plan_s_starting_count(client):
    organisation, admin = organisation_with_seats(seats=1, name="Northmoor Council")
    plan = PlanFactory(name="Council (20 seats)", organisation=True, seats=20)
    organisation.subscriptions.update(plan=plan)
    client.force_login(admin)

    page = client.get(reverse("members:account")).content.decode()

    assert "<dd>Council: 1 seat for Northmoor Council</dd>" in page
    assert "20 seats" not in page


def test_the_seats_page_gives_the_seats_paid_for_apart_from_those_in_use(client):
    organisation, admin = organisation_with_seats(seats=4, name="Northmoor Council")
    SeatFactory.create_batch(3, organisation=organisation)
    organisation.subscriptions.update(quantity=2)
    client.force_login(admin)

    page = client.get(
        reverse("members:organisation", kwargs={"slug": organisation.slug})
    ).content.decode()

    assert "<dt>Seats paid for</dt><dd><strong>2</strong></dd>" in page
    assert "<dt>Seats in use</dt><dd><strong>4</strong>" in page
    assert "4 of 2" not in page


def test_the_account_page_gives_the_seats_paid_for_apart_from_those_in_use(client):
    organisation, admin = organisation_with_seats(seats=4, name="Northmoor Council")
    SeatFactory.create_batch(3, organisation=organisation)
    organisation.subscriptions.update(quantity=2)
    client.force_login(admin)

    page = client.get(reverse("members:account")).content.decode()

    assert "4 seats in use, and the membership pays for 2: 2 more than it pays for." in page
    assert "4 of 2" not in page
