"""Event times in UK time with the zone said, and the event panels other pages include
(the account page's list of one's events, the home page's next events)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.utils import dateformat, timezone

register = template.Library()

LONDON = ZoneInfo("Europe/London")


def _london(value: datetime) -> datetime:
    return timezone.localtime(value, LONDON)


@register.filter
def uk_date(value: datetime) -> str:
    """Tuesday 3 March 2026 (the day in the UK)."""
    return dateformat.format(_london(value), "l j F Y")


@register.filter
def uk_time(value: datetime) -> str:
    """10:00 GMT (or BST in summer): the zone is always said."""
    local = _london(value)
    return f"{dateformat.format(local, 'H:i')} {local.tzname()}"


@register.filter
def uk_when(event) -> str:
    """Tuesday 3 March 2026, 10:00 to 11:30 GMT (the end's day too if it differs)."""
    start, end = _london(event.starts_at), _london(event.ends_at)
    if start.date() == end.date() and start.tzname() == end.tzname():
        return f"{uk_date(start)}, {dateformat.format(start, 'H:i')} to {uk_time(end)}"
    return f"{uk_date(start)}, {uk_time(start)} to {uk_date(end)}, {uk_time(end)}"


@register.filter
def address_line(address: str) -> str:
    """A multi-line address on one line, its lines separated by commas ("1 Market Street,
    Durham, DH1 3NJ"), for emails and calendar entries: the event page shows a line each."""
    lines = (" ".join(line.split()).rstrip(",").rstrip() for line in address.splitlines())
    return ", ".join(line for line in lines if line)


@register.filter
def uk_datetime(value: datetime) -> str:
    return f"{uk_date(value)}, {uk_time(value)}"


def hours_figure(hours: Decimal) -> str:
    """3 or 1.5: CPD hours set in the admin keep one decimal place ("3.0"), which
    neither the page nor the certificate should show."""
    return f"{hours.normalize():f}" if hours != hours.to_integral() else f"{int(hours)}"


@register.filter
def event_hours(hours: Decimal) -> str:
    """3 hours, 1.5 hours, 1 hour."""
    return f"{hours_figure(hours)} hour{'' if hours == 1 else 's'}"


@register.inclusion_tag("events/includes/account_panel.html", takes_context=True)
def events_account_panel(context) -> dict:
    from events import selectors

    user = context["request"].user
    return {"mine": selectors.events_of(user), "request": context["request"]}


@register.inclusion_tag("events/includes/home_next_events.html", takes_context=True)
def events_home(context) -> dict:
    from events import selectors

    user = context["request"].user
    return {
        "next_for_user": selectors.next_registrations(user, limit=3),
        "upcoming": selectors.upcoming_events(limit=3),
        "user": user,
    }
