"""A person who renames themselves (or their organisation) on their profile page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Registration
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def _register(event, user) -> Registration:
    return services.registration_create(event=event, user=user).registration


def _profile_post(client, person, **fields):
    client.force_login(person)
    data = {
        "name": person.name,
        "job_title": person.job_title,
        "organisation_name": person.organisation_name,
        "region": person.region,
        **fields,
    }
    return client.post(reverse("members:profile"), data)


def test_a_place_at_an_event_to_come_takes_the_new_name_and_organisation(client, registered):
    registration = _register(EventFactory(), registered)

    _profile_post(
        client,
        registered,
        name="Grace Lewis-Hart",
        organisation_name="Seaview Homes (fictional)",
    )

    registration.refresh_from_db()
    assert registration.name == "Grace Lewis-Hart"
    assert registration.organisation_name == "Seaview Homes (fictional)"


def test_an_event_already_over_keeps_the_name_it_was_attended_under(client, registered):
    event = EventFactory()
    registration = _register(event, registered)
    event.starts_at = timezone.now() - timedelta(days=30)
    event.ends_at = event.starts_at + timedelta(hours=1)
    event.save(update_fields=["starts_at", "ends_at"])

    _profile_post(client, registered, name="Grace Lewis-Hart")

    registration.refresh_from_db()
    assert registration.name == registered.name
