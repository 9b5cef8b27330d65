"""Insight's personal data: raw activity events name a person for a short while, so
that an organisation's "people active in the last 90 days" can be counted. The daily
counts that the dashboard and organisation pages read name nobody and are kept."""

from datetime import timedelta

from insight.models import RAW_EVENT_DAYS, ActivityEvent
from network.data_rights import Retention

RETENTION = [
    Retention(
        model="insight.ActivityEvent",
        field="at",
        period=timedelta(days=RAW_EVENT_DAYS),
        what="Activity events (a resource read or downloaded, a forum post, an event "
        "registration or attendance, a sign-in), with who did it",
        why="Counted into daily totals that name nobody, and to count the people of an "
        "organisation active in the last 90 days for its engagement report",
    ),
]


def erase(user, choices=None) -> int:
    """A person's raw events go (the daily counts name nobody and stay)."""
    deleted, _ = ActivityEvent.objects.filter(user=user).delete()
    return deleted
