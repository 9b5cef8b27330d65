"""What giving up a place says becomes of it: offered to the first person waiting, free
for someone else to book, or (registration closed) taken by nobody. Said in the Cancel
button's confirmation, on the page an email's cancel link opens, and once it is done."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events import tokens
from events.models import Registration
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

TO_WAITING = "It goes to the first person on the waiting list."
OPEN = "It becomes free for someone else to book."
CLOSED = "Registration has closed, so nobody else can take it."


def booked(event, user, *, status="confirmed"):
    return Registration.objects.create(
        event=event, user=user, status=status, place=1, name=user.name,
        offer_expires_at=timezone.now() + timedelta(hours=5) if status == "offered" else None,
    )  # fmt: skip


def waiting(event):
    return Registration.objects.create(
        event=event, user=UserFactory(), status="waiting", name="W", waiting_since=timezone.now()
    )


def test_the_cancel_confirmation_says_the_place_goes_to_the_first_person_waiting(client, person):
    event = EventFactory(capacity=1)
    booked(event, person)
    waiting(event)
    client.force_login(person)

    page = client.get(event.get_absolute_url()).text

    assert f"Cancel your place at {event.title}? {TO_WAITING}" in page


def test_the_cancel_confirmation_does_not_promise_a_waiting_list_when_nobody_waits(client, person):
    event = EventFactory(capacity=3)
    booked(event, person)
    client.force_login(person)

    page = client.get(event.get_absolute_url()).text

    assert f"Cancel your place at {event.title}? {OPEN}" in page


def test_the_cancel_confirmation_says_nobody_takes_the_place_once_registration_closed(
    client, person
):
    event = EventFactory(capacity=1, registration_closes_at=timezone.now() - timedelta(hours=1))
    booked(event, person)
    waiting(event)
    client.force_login(person)

    page = client.get(event.get_absolute_url()).text

    assert f"Cancel your place at {event.title}? {CLOSED}" in page


def test_turning_down_an_offer_nobody_else_waits_for_says_the_place_is_free_to_book(client, person):
    event = EventFactory(capacity=1)
    booked(event, person, status="offered")
    client.force_login(person)

    page = client.get(event.get_absolute_url()).text

    assert f"Give up the place freed for you at {event.title}? {OPEN}" in page
    assert "No thanks, give up the place" in page


def test_turning_down_an_offer_says_it_went_to_the_next_person_waiting(client, person):
    event = EventFactory(capacity=1)
    booked(event, person, status="offered")
    next_person = waiting(event)
    client.force_login(person)

    response = client.post(f"/events/{event.slug}/cancel/", follow=True)

    assert f"You turned down the place. {TO_WAITING}" in response.text
    next_person.refresh_from_db()
    assert next_person.status == "offered"


def test_the_email_cancel_link_says_where_the_place_goes(client, person):
    event = EventFactory(capacity=3)
    registration = booked(event, person)
    path = f"/events/r/{tokens.registration_token(registration, purpose=tokens.CANCEL)}/cancel/"

    assert OPEN in client.get(path).text

    waiting(event)
    assert TO_WAITING in client.get(path).text


def test_leaving_the_waiting_list_says_nothing_of_a_place(client, person):
    event = EventFactory(capacity=1)
    booked(event, UserFactory())
    Registration.objects.create(
        event=event, user=person, status="waiting", name="R", waiting_since=timezone.now()
    )
    client.force_login(person)

    response = client.post(f"/events/{event.slug}/cancel/", follow=True)

    assert "You have left the waiting list." in response.text
    assert OPEN not in response.text and TO_WAITING not in response.text
