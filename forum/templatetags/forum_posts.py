"""Template helpers of the forum's listings and thread pages, which show twenty or thirty
posts or threads at a time: dates written as |date writes them, at a fraction of the
cost of the general date formatter (a quarter of a thread page's rendering time)."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3

register = template.Library()


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def iso_time(value: datetime | None) -> str:
    """What |date:"c" gives: ISO 8601 in the current time zone."""
    if not value:
        return ""
    return _local(value).isoformat()


@register.filter
def post_time(value: datetime | None) -> str:
    """What |date:"j M Y, H:i" gives ("3 Dec 2026, 14:05"), likewise."""
    if not value:
        return ""
    return f"{day_date(value)}, {_local(value):%H:%M}"


@register.filter
def day_date(value: datetime | None) -> str:
    """What |date:"j M Y" gives ("3 Dec 2026")."""
    if not value:
        return ""
    local = _local(value)
    return f"{local.day} {MONTHS_3[local.month].title()} {local.year}"
