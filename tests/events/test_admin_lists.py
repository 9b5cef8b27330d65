"""Events in the admin after years of them: the latest come first, in the list and in
the boxes that find an event."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def _events_a_month_apart(count: int) -> list:
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=30 * count)
    # Made in an order unlike their dates, so the database's own order proves nothing.
    return [
        EventFactory(
            title=f"Regional meeting {n:02}",
            starts_at=start + timedelta(days=30 * n),
            ends_at=start + timedelta(days=30 * n, hours=2),
        )
        for n in (*range(1, count, 2), *range(0, count, 2))
    ]


def test_the_event_list_shows_the_latest_events_first(staff_client):
    _events_a_month_apart(4)

    response = staff_client.get(reverse("admin:events_event_changelist"))

    titles = [event.title for event in response.context["cl"].result_list]
    assert titles == [f"Regional meeting {n:02}" for n in (3, 2, 1, 0)]


def test_finding_an_event_for_a_newsletter_pages_through_every_event_once(staff_client):
    _events_a_month_apart(45)
    url = reverse("admin:autocomplete")
    params = {"app_label": "newsletter", "model_name": "section", "field_name": "events"}

    seen = []
    for page in (1, 2, 3):
        answer = staff_client.get(url, {**params, "term": "regional", "page": page}).json()
        seen += [result["text"] for result in answer["results"]]

    assert seen == [f"Regional meeting {n:02}" for n in reversed(range(45))]
