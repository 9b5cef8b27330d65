"""What people who had registered for an event that was cancelled see and can do."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from events import services, tokens
from events.models import Notice, Registration
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


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


def test_an_old_cancel_link_of_a_cancelled_event_offers_nothing_to_cancel(client, person):
    event = EventFactory()
    registration = services.registration_create(event=event, user=person).registration
    services.event_cancel(event=event)

    page = client.get(tokens.cancel_url(registration)).text

    assert "has been cancelled, so your place went with it." in page
    assert "Cancel my registration" not in page


def test_cancelling_a_place_at_a_cancelled_event_sends_no_second_email(person, commit):
    event = EventFactory()
    with commit():
        registration = services.registration_create(event=event, user=person).registration
        services.event_cancel(event=event)
    mail.outbox.clear()

    with commit(), pytest.raises(ValidationError, match="your place went with it"):
        services.registration_cancel(registration=registration)

    assert mail.outbox == []
    assert not Notice.objects.filter(kind=Notice.Kind.CANCELLED).exists()


def _waiting_at_a_cancelled_event(person):
    event = EventFactory(capacity=1)
    services.registration_create(event=event, user=UserFactory())
    registration = services.registration_create(event=event, user=person).registration
    assert registration.status == "waiting"
    services.event_cancel(event=event)
    return registration


def test_an_old_cancel_link_tells_someone_waiting_their_waiting_list_place_ended(client, person):
    registration = _waiting_at_a_cancelled_event(person)

    page = client.get(tokens.cancel_url(registration)).text

    assert "has been cancelled, so your place on the waiting list ended with it." in page
    assert "your place went with it" not in page
    assert "Cancel my registration" not in page


def test_cancelling_from_the_waiting_list_of_a_cancelled_event_says_the_list_ended(client, person):
    registration = _waiting_at_a_cancelled_event(person)

    page = client.post(tokens.cancel_url(registration)).text

    assert "This event has been cancelled, so your place on the waiting list ended with it." in page
    assert "your place went with it" not in page
