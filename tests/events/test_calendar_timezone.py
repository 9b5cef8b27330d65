"""The UK time zone in calendar files: the VTIMEZONE every .ics carries says when the
clocks change as the law does (BST from 01:00 GMT on the last Sunday of March, GMT from
02:00 BST on the last Sunday of October), so a calendar that reads it rather than its
own zone database (Outlook does) puts summer and winter events at the right hour."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from tests.events.conftest import vevent
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def calendar_file(client, event) -> icalendar.Calendar:
    response = client.get(f"/events/{event.slug}/calendar.ics")
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def observance(calendar: icalendar.Calendar, name: str) -> icalendar.cal.Component:
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    (component,) = zone.walk(name)
    return component


def onsets(component, year: int) -> list[datetime]:
    """The moments (UTC) a STANDARD or DAYLIGHT component starts in `year`, read as RFC
    5545 says: DTSTART's local time is in the offset in use before the change."""
    rule = rrulestr(component["RRULE"].to_ical().decode(), dtstart=component["DTSTART"].dt)
    offset_from = component["TZOFFSETFROM"].td
    return [
        (local - offset_from).replace(tzinfo=UTC)
        for local in rule.between(datetime(year, 1, 1), datetime(year + 1, 1, 1))  # noqa: DTZ001
    ]


def offset_at(calendar: icalendar.Calendar, local: datetime) -> timedelta:
    """The UTC offset the file's own VTIMEZONE gives a local time away from a change."""
    latest, offset = None, None
    for component in (observance(calendar, "DAYLIGHT"), observance(calendar, "STANDARD")):
        rule = rrulestr(component["RRULE"].to_ical().decode(), dtstart=component["DTSTART"].dt)
        onset = rule.before(local, inc=True)
        if onset is not None and (latest is None or onset > latest):
            latest, offset = onset, component["TZOFFSETTO"].td
    return offset


def test_summer_time_starts_at_one_in_the_morning_gmt_on_the_last_sunday_of_march(client):
    daylight = observance(calendar_file(client, EventFactory()), "DAYLIGHT")

    assert daylight["DTSTART"].dt.time() == datetime(2000, 1, 1, 1, 0).time()  # noqa: DTZ001
    assert daylight["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert daylight["TZOFFSETFROM"].td == timedelta(0)
    assert daylight["TZOFFSETTO"].td == timedelta(hours=1)
    assert str(daylight["TZNAME"]) == "BST"
    assert onsets(daylight, 2027) == [datetime(2027, 3, 28, 1, 0, tzinfo=UTC)]


def test_winter_time_returns_at_two_in_the_morning_bst_on_the_last_sunday_of_october(client):
    standard = observance(calendar_file(client, EventFactory()), "STANDARD")

    assert standard["DTSTART"].dt.time() == datetime(2000, 1, 1, 2, 0).time()  # noqa: DTZ001
    assert standard["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert standard["TZOFFSETFROM"].td == timedelta(hours=1)
    assert standard["TZOFFSETTO"].td == timedelta(0)
    assert str(standard["TZNAME"]) == "GMT"
    assert onsets(standard, 2027) == [datetime(2027, 10, 31, 1, 0, tzinfo=UTC)]


def test_the_calendar_s_clock_changes_are_the_zone_database_s(client):
    calendar = calendar_file(client, EventFactory())

    for year in range(2024, 2041):
        for name, offset in (("DAYLIGHT", timedelta(hours=1)), ("STANDARD", timedelta(0))):
            (moment,) = onsets(observance(calendar, name), year)
            assert moment.astimezone(LONDON).utcoffset() == offset, (year, name)
            before = (moment - timedelta(seconds=1)).astimezone(LONDON)
            assert before.utcoffset() != offset, (year, name)


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (datetime(2030, 7, 2, 10, 0), datetime(2030, 7, 2, 9, 0)),  # noqa: DTZ001
        (datetime(2030, 12, 3, 10, 0), datetime(2030, 12, 3, 10, 0)),  # noqa: DTZ001
        (datetime(2031, 3, 30, 12, 0), datetime(2031, 3, 30, 11, 0)),  # noqa: DTZ001
        (datetime(2031, 10, 26, 12, 0), datetime(2031, 10, 26, 12, 0)),  # noqa: DTZ001
    ],
)
def test_an_event_imports_at_its_uk_time_in_summer_and_in_winter(client, local, utc):
    event = EventFactory(
        starts_at=local.replace(tzinfo=LONDON),
        ends_at=(local + timedelta(hours=1)).replace(tzinfo=LONDON),
    )

    response = client.get(f"/events/{event.slug}/calendar.ics")

    text = response.content.decode()
    assert f"DTSTART;TZID=Europe/London:{local:%Y%m%dT%H%M%S}\r\n" in text
    calendar = icalendar.Calendar.from_ical(response.content)
    written = vevent(calendar)["DTSTART"].dt.replace(tzinfo=None)
    assert written - offset_at(calendar, written) == utc
