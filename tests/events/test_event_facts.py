"""An event's facts as its page states them: a place is named once under Where."""

import pytest

from tests.events.factories import in_person

pytestmark = pytest.mark.django_db


def where(page: str) -> str:
    return page.split("<dt>Where</dt>")[1].split("</dd>")[0]


def test_a_london_venue_names_london_once(client):
    event = in_person(region="london", address="4 Wharf Lane\nLondon\nSE1 0ZZ")

    shown = where(client.get(event.get_absolute_url()).text)

    assert shown.count("London") == 1
    assert "SE1 0ZZ" in shown


def test_a_town_line_with_its_postcode_names_the_region_already(client):
    event = in_person(region="london", address="4 Wharf Lane\nLondon SE1 0ZZ")

    assert where(client.get(event.get_absolute_url()).text).count("London") == 1


def test_the_region_shows_when_the_address_does_not_name_it(client):
    event = in_person(region="west-midlands", address="12 Canal Street\nNorthmoor")

    shown = where(client.get(event.get_absolute_url()).text)

    assert "Northmoor" in shown and "West Midlands" in shown


def test_a_street_named_after_the_region_does_not_stand_for_it(client):
    event = in_person(region="london", address="London Road\nCroydon")

    shown = where(client.get(event.get_absolute_url()).text)

    assert "London Road" in shown and shown.count("London") == 2
