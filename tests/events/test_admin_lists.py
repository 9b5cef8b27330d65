"""Events in the admin after years of them: the latest come first, in the list and in
the boxes that find an event, and the registrations' filter offers the recent ones."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


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


def _event_filter_choices(client, params: dict | None = None) -> list[str]:
    response = client.get(reverse("admin:events_registration_changelist"), params or {})
    spec = next(s for s in response.context["cl"].filter_specs if s.title.startswith("event"))
    return [title for _value, title in spec.lookup_choices]


def _registered_at(event, name: str) -> Registration:
    return Registration.objects.create(
        event=event, user=UserFactory(), status="confirmed", place=1, name=name
    )


def test_the_registrations_event_filter_offers_the_past_year_s_events_and_those_to_come(
    staff_client,
):
    # Years of events would make the filter hundreds of links long.
    now = timezone.now()
    EventFactory(title="Two years ago", starts_at=now - timedelta(days=730))
    EventFactory(title="Last spring", starts_at=now - timedelta(days=200))
    EventFactory(title="Next month", starts_at=now + timedelta(days=30))

    titles = [choice.rsplit(" (", 1)[0] for choice in _event_filter_choices(staff_client)]
    assert titles == ["Next month", "Last spring"]


def test_the_registrations_event_filter_tells_events_of_one_title_apart_by_their_date(
    staff_client,
):
    # A monthly meeting keeps its title: a column of links reading the same says nothing.
    for day in (3, 10):
        EventFactory(
            title="Regional meeting",
            slug=f"regional-meeting-{day}",
            starts_at=datetime(2030, 3, day, 10, tzinfo=LONDON),
            ends_at=datetime(2030, 3, day, 12, tzinfo=LONDON),
        )

    assert _event_filter_choices(staff_client) == [
        "Regional meeting (10 Mar 2030)",
        "Regional meeting (3 Mar 2030)",
    ]


def test_an_older_event_s_registrations_open_from_its_page_with_the_event_named(staff_client):
    old = EventFactory(title="Two years ago", starts_at=timezone.now() - timedelta(days=730))
    _registered_at(old, "Ruth Kaye")
    _registered_at(EventFactory(title="Next month"), "Sam Okafor")

    response = staff_client.get(
        reverse("admin:events_registration_changelist"), {"event__id__exact": old.pk}
    )

    assert [r.name for r in response.context["cl"].result_list] == ["Ruth Kaye"]
    assert any(
        choice.startswith("Two years ago (")
        for choice in _event_filter_choices(staff_client, {"event__id__exact": old.pk})
    )


def test_an_event_filter_that_names_no_event_lists_no_registrations(staff_client):
    _registered_at(EventFactory(), "Ruth Kaye")

    response = staff_client.get(
        reverse("admin:events_registration_changelist"), {"event__id__exact": "x"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
