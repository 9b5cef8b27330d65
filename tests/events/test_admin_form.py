"""The events admin's forms refusing what cannot be saved, in words staff can act on,
beside the box to change."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from tests.events.factories import EventFactory
from tests.events.test_admin import change_form
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("capacity", ["0", "-3"])
def test_an_event_without_a_place_is_refused_at_the_capacity_box(staff_client, capacity):
    event = EventFactory(capacity=40)

    response = staff_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        change_form(event, capacity=capacity),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["capacity"] == [
        "An event needs at least one place."
    ]
    assert "event_has_a_place" not in response.text
    event.refresh_from_db()
    assert event.capacity == 40


@pytest.mark.parametrize(
    ("day", "told"),
    [
        ("2027-10-31", "On 31 October 2027 the clocks go back, so 01:30 happens twice in the UK."),
        ("2027-03-28", "On 28 March 2027 the clocks go forward, so there is no 01:30 in the UK."),
    ],
)
def test_a_start_in_the_hour_the_clocks_change_is_refused_naming_the_change(
    staff_client, day, told
):
    event = EventFactory()
    starts = event.starts_at

    response = staff_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        change_form(event, starts_at_0=day, starts_at_1="01:30:00", ends_at_0=day),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"] == [
        f"{told} Choose a time before 01:00 or from 02:00."
    ]
    assert 'value="01:30:00"' in response.text  # what was typed stays in the box
    event.refresh_from_db()
    assert event.starts_at == starts


def test_the_joining_link_s_help_says_how_long_before_the_start_it_shows(staff_client, settings):
    settings.EVENTS_JOINING_LINK_MINUTES = 45

    page = staff_client.get(reverse("admin:events_event_add")).text

    assert "shown only to people with a place, from 45 minutes before the start." in page
    assert "EVENTS_JOINING_LINK_MINUTES" not in page


def test_a_cancelled_registration_cannot_be_marked_attended_in_its_form(staff_client):
    event = EventFactory()
    registration = Registration.objects.create(
        event=event, user=UserFactory(), status="cancelled", name="Sam Okafor"
    )

    response = staff_client.post(
        reverse("admin:events_registration_change", args=[registration.pk]),
        {"needs": "", "attended": "on", "notices-TOTAL_FORMS": "0",
         "notices-INITIAL_FORMS": "0", "notices-MIN_NUM_FORMS": "0",
         "notices-MAX_NUM_FORMS": "1000", "_save": "Save"},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["attended"] == [
        "Only a confirmed place can be marked attended: this registration is “cancelled”."
    ]
    registration.refresh_from_db()
    assert registration.attended is False


def _cancelled_event():
    from events import services

    event = EventFactory(format="in-person", region="north-east", venue="Civic Hall",
                         address="1 Market Street\nDurham\nDH1 3NJ")  # fmt: skip
    services.event_cancel(event=event)
    event.refresh_from_db()
    return event


def test_a_cancelled_event_s_time_and_place_cannot_be_changed_in_the_admin(staff_client):
    event = _cancelled_event()
    starts, sequence = event.starts_at, event.sequence
    later = timezone.localtime(event.starts_at + timedelta(days=7))
    ends = later + timedelta(hours=1)

    response = staff_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        change_form(event, starts_at_0=f"{later:%Y-%m-%d}", starts_at_1=f"{later:%H:%M:%S}",
                    ends_at_0=f"{ends:%Y-%m-%d}", ends_at_1=f"{ends:%H:%M:%S}",
                    venue="Town Hall", address="2 Castle Street\nDurham"),
    )  # fmt: skip

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.starts_at, event.venue, event.sequence) == (starts, "Civic Hall", sequence)
    assert event.address == "1 Market Street\nDurham\nDH1 3NJ"


def test_a_cancelled_event_s_form_says_why_its_time_and_place_are_fixed(staff_client):
    event = _cancelled_event()

    response = staff_client.get(reverse("admin:events_event_change", args=[event.pk]))

    form = response.context["adminform"].form
    assert not {"starts_at", "ends_at", "venue", "address"} & set(form.fields)
    assert "The event is cancelled, so its time and place stay as they were" in response.text
    assert "Civic Hall" in response.text
    assert "summary" in form.fields
