"""What people who had registered see on the page of an event that was cancelled."""

import pytest

from events import services
from events.models import Registration
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_booked_person_is_told_their_place_went_with_a_cancelled_event(client, person):
    event = EventFactory(capacity=1)
    services.registration_create(event=event, user=person)
    services.event_cancel(event=event)
    client.force_login(person)

    page = client.get(event.get_absolute_url()).text

    assert "Your place went with the event." in page
    assert "You are booked" not in page
    assert "Your place is confirmed" not in page
    assert "Cancel my place" not in page


def test_someone_waiting_is_told_the_waiting_list_ended_with_a_cancelled_event(client, person):
    event = EventFactory(capacity=1)
    services.registration_create(event=event, user=UserFactory())
    services.registration_create(event=event, user=person)
    assert Registration.objects.get(user=person).status == "waiting"
    services.event_cancel(event=event)
    client.force_login(person)

    page = client.get(event.get_absolute_url()).text

    assert "Your place on its waiting list ended with it." in page
    assert "You are on the waiting list" not in page
