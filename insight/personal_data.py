"""Insight's personal data: raw activity events name a person for a short while, so
that an organisation's "people active in the last 90 days" can be counted. The daily
counts that the dashboard and organisation pages read name nobody and are kept."""

from datetime import timedelta

from django.db.models import Q

from insight.models import RAW_EVENT_DAYS, ActivityEvent, Kind
from network.data_rights import ExportArchive, Retention, choices_of, iterate

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
    Retention(
        model="insight.DailyActivity",
        field="day",
        period=timedelta(days=400),
        condition=Q(kind=Kind.LIBRARY_SEARCH_EMPTY),
        what="The words of library searches that found nothing, counted by day (not who searched)",
        why="To see what members look for and the library lacks; a search may hold a name "
        "someone typed, so the words go after about 13 months",
    ),
]


def export(user, archive: ExportArchive) -> None:
    archive.add_part(
        "activity",
        "What you did on the site, as counted for the network's statistics (kept "
        f"{RAW_EVENT_DAYS} days)",
        [
            ("kind", "What you did", choices_of(ActivityEvent, "kind")),
            ("at", "When"),
            ("subject_id", "Number of the page or item"),
            ("term", "Words searched for"),
        ],
        iterate(
            ActivityEvent.objects.filter(user=user)
            .order_by("pk")
            .values("kind", "at", "subject_id", "term")
        ),
        about="Sign-ins, pages read and searches, counted (not who read what) for the "
        "network's statistics.",
    )


def erase(user, choices=None) -> int:
    """A person's raw events go (the daily counts name nobody and stay)."""
    deleted, _ = ActivityEvent.objects.filter(user=user).delete()
    return deleted
