"""Calendar files (RFC 5545, iTIP RFC 5546) with icalendar.

One event has one UID for ever, so a calendar that imported it replaces the entry when
an update arrives; SEQUENCE rises with each change of time or place (Event.sequence).
Emails to registrants carry METHOD:REQUEST (the invitation and its updates) or
METHOD:CANCEL (the event, or their place, cancelled); the page's "Add to calendar" file
and the public feed are METHOD:PUBLISH. Times are written with TZID=Europe/London and
the zone's VTIMEZONE (london_vtimezone), so calendars show them right on both sides of
the clock change.
The joining link of an online event is never in a file that leaves without sign-in.
"""

from datetime import datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from events.models import Event, EventStatus, Registration
from events.templatetags.events import address_line
from network.mail import site_url

LONDON = ZoneInfo("Europe/London")
PRODID = "-//English Residential Network//Events//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def _observance(
    component: type[icalendar.cal.Component],
    *,
    name: str,
    onset: datetime,
    month: int,
    offset_from: int,
    offset_to: int,
) -> icalendar.cal.Component:
    observance = component()
    observance.add("tzname", name)
    observance.add("dtstart", onset)
    observance.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1SU"})
    observance.add("tzoffsetfrom", timedelta(hours=offset_from))
    observance.add("tzoffsetto", timedelta(hours=offset_to))
    return observance


def london_vtimezone() -> icalendar.Timezone:
    """UK time as RFC 5545 writes it: BST from 01:00 GMT on the last Sunday of March,
    GMT again from 02:00 BST on the last Sunday of October, the rule since 1996.

    Written out rather than made by icalendar's Timezone.from_tzinfo (7.x), which dates
    each change by the first wall-clock time after it: for the spring change that is
    02:00, which with TZOFFSETFROM +0000 puts the start of BST an hour late, at 02:00
    GMT. DTSTART is the last local time before the change, in the offset it leaves."""
    zone = icalendar.Timezone()
    zone.add("tzid", "Europe/London")
    zone.add_component(
        _observance(
            icalendar.TimezoneDaylight,
            name="BST",
            onset=datetime(1996, 3, 31, 1, 0),  # noqa: DTZ001 (a local time, as RFC 5545 asks)
            month=3,
            offset_from=0,
            offset_to=1,
        )
    )
    zone.add_component(
        _observance(
            icalendar.TimezoneStandard,
            name="GMT",
            onset=datetime(1996, 10, 27, 2, 0),  # noqa: DTZ001
            month=10,
            offset_from=1,
            offset_to=0,
        )
    )
    return zone


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{settings.NEWSLETTER_LIST_DOMAIN}"


def _location(event: Event) -> str:
    if not event.has_venue:
        return "Online"
    parts = [event.venue, address_line(event.address)]
    return ", ".join(part for part in parts if part) or event.get_region_display()


def _vevent(
    event: Event,
    *,
    method: str,
    registration: Registration | None = None,
    include_link: bool = False,
    now: datetime | None = None,
) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", (now or timezone.now()).astimezone(ZoneInfo("UTC")))
    vevent.add("dtstart", event.starts_at.astimezone(LONDON))
    vevent.add("dtend", event.ends_at.astimezone(LONDON))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.title)
    url = site_url(event.get_absolute_url())
    description = event.summary
    if include_link and event.is_online and event.online_link:
        description += f"\n\nJoin online: {event.online_link}"
    vevent.add("description", f"{description}\n\n{url}")
    vevent.add("url", url)
    vevent.add("location", _location(event))
    cancelled = method == CANCEL or event.status == EventStatus.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if method in (REQUEST, CANCEL):
        # iTIP asks for the organiser and the attendee in requests and cancellations.
        # A calendar address is a bare mailto: URI; DEFAULT_FROM_EMAIL may carry a
        # display name ("Network <hello@...>"), which calendars cannot reply to.
        organizer = icalendar.vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
        organizer.params["cn"] = icalendar.vText(settings.SITE_NAME)
        vevent.add("organizer", organizer)
        if registration is not None:
            attendee = icalendar.vCalAddress(f"mailto:{registration.user.email}")
            attendee.params["cn"] = icalendar.vText(registration.name or registration.user.email)
            attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
            attendee.params["partstat"] = icalendar.vText(
                "DECLINED" if method == CANCEL else "ACCEPTED"
            )
            attendee.params["rsvp"] = icalendar.vText("FALSE")
            vevent.add("attendee", attendee)
    return vevent


def calendar(events, *, method: str, name: str = "", **options) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/London")
    events = list(events)
    if events:
        # Before the events that name it, as calendars read the file in order.
        cal.add_component(london_vtimezone())
    for event in events:
        cal.add_component(_vevent(event, method=method, **options))
    return cal


def event_ics(
    event: Event,
    *,
    method: str,
    registration: Registration | None = None,
    include_link: bool = False,
) -> bytes:
    """One event as a calendar file."""
    return calendar(
        [event], method=method, registration=registration, include_link=include_link
    ).to_ical()


def feed_ics(events) -> bytes:
    return calendar(events, method=PUBLISH, name=f"{settings.SITE_NAME} events").to_ical()
