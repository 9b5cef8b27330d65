"""The event admin's form refusing what cannot be saved, in words staff can act on,
beside the box to change."""

import pytest
from django.urls import reverse

from tests.events.factories import EventFactory
from tests.events.test_admin import change_form

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
