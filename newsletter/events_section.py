"""Upcoming events in the newsletter: a kind of edition section (the editor picks events,
or asks for the next N for the edition's audience) and a section of the weekly digest.

The newsletter may read events (see the README's import rule); events know nothing of
the newsletter. Items carry the time in UK time with its zone, where, and the summary;
never the joining link, which is for people with a place only.
"""

from datetime import timedelta

from django.utils import timezone

from events import access as events_access
from events.models import AUDIENCE_FIELD, ONLINE, Eligibility, Event, EventStatus
from events.templatetags.events import uk_when
from network.mail import site_url

# The digest looks this far past the end of its week.
DIGEST_HORIZON = timedelta(weeks=6)
DIGEST_LIMIT = 5


def _members_only(event: Event) -> bool:
    return event.eligibility in (Eligibility.MEMBERS, Eligibility.MEMBER_TYPE)


def _summary(event: Event) -> str:
    return f"{uk_when(event)}. {event.get_region_display()}. {event.summary}"


def event_item(event: Event) -> dict:
    return {
        "title": event.title,
        "summary": _summary(event),
        "url": site_url(event.get_absolute_url()),
        "members_only": _members_only(event),
    }


def upcoming_for_edition(edition, *, limit: int, now=None):
    """The next `limit` published events for an edition's audience (its member type and
    region; online events reach every region)."""
    events = Event.objects.filter(status=EventStatus.PUBLISHED).upcoming(now=now)
    if edition.audience_member_type:
        events = events.filter(**{AUDIENCE_FIELD[edition.audience_member_type]: True})
    if edition.audience_region:
        events = events.filter(region__in=[edition.audience_region, ONLINE])
    return list(events[:limit])


def edition_event_items(section, *, now=None) -> list[dict]:
    """The items of an "Upcoming events" section: the events the editor picked that are
    still to come, else the next `events_count` for the edition's audience."""
    now = now or timezone.now()
    picked = [
        event
        for event in section.events.all()
        if event.status == EventStatus.PUBLISHED and event.ends_at > now
    ]
    if not picked and section.events_count:
        picked = upcoming_for_edition(section.edition, limit=section.events_count, now=now)
    return [event_item(event) for event in sorted(picked, key=lambda e: e.starts_at)]


def _digest_events(period) -> list[Event]:
    """What is coming in the weeks after a digest's period: read once per period object
    (a sending chunk loads its period once and shares it between its recipients)."""
    cached = getattr(period, "_upcoming_events", None)
    if cached is None:
        cached = list(
            Event.objects.filter(
                status=EventStatus.PUBLISHED,
                starts_at__gte=period.period_end,
                starts_at__lt=period.period_end + DIGEST_HORIZON,
            )
            .prefetch_related("topics")
            .order_by("starts_at", "pk")[:200]
        )
        period._upcoming_events = cached
    return cached


def _for_reader(reader, event: Event) -> bool:
    user = reader.user
    if user is not None and user.is_active:
        return events_access.is_eligible(user, event)
    # A subscriber without an account hears of the events anyone may join.
    return event.eligibility in (Eligibility.OPEN, Eligibility.REGISTERED)


def upcoming_events(reader, period) -> dict | None:
    """The weekly digest's "Upcoming events": what the reader may register for, on their
    topics."""
    items = []
    for event in _digest_events(period):
        if not _for_reader(reader, event):
            continue
        if not reader.wants_topics(topic.pk for topic in event.topics.all()):
            continue
        items.append(
            {
                "title": event.title,
                "url": site_url(event.get_absolute_url()),
                "summary": event.summary,
                "note": f"{uk_when(event)}, {event.get_region_display()}",
            }
        )
        if len(items) == DIGEST_LIMIT:
            break
    return {"title": "Upcoming events", "items": items} if items else None
