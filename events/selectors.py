"""Read queries of events: the filtered listing, places left, a person's events."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from events.models import (
    ACTIVE,
    AUDIENCE_FIELD,
    HOLDING_PLACE,
    REGION_CHOICES,
    Event,
    EventFormat,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from members.models import MemberType
from network.models import Topic

UPCOMING = "upcoming"
PAST = "past"


def with_places(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate `places_taken`: confirmed places and places held by open offers."""
    return queryset.annotate(
        places_taken=Count("registrations", filter=Q(registrations__status__in=HOLDING_PLACE))
    )


def places_left(event: Event) -> int:
    taken = getattr(event, "places_taken", None)
    if taken is None:
        taken = event.registrations.filter(status__in=HOLDING_PLACE).count()
    return max(event.capacity - taken, 0)


def with_numbers(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate `places_taken` (as with_places) and `waiting`, the people on the waiting
    list: an event's numbers, which the admin shows to everyone who runs its details,
    without the people behind them."""
    return with_places(queryset).annotate(
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING))
    )


@dataclass
class Listing:
    """The /events/ page's filters, read from the query string (bookmarkable)."""

    when: str = UPCOMING
    audience: str = ""
    region: str = ""
    topic: str = ""
    format: str = ""
    topics: list = field(default_factory=list)

    @classmethod
    def from_query(cls, query: QueryDict) -> "Listing":
        def pick(name: str, allowed) -> str:
            value = query.get(name, "")
            return value if value in allowed else ""

        topics = list(Topic.objects.filter(events__status__in=_LISTED).distinct())
        return cls(
            when=PAST if query.get("when") == PAST else UPCOMING,
            audience=pick("audience", MemberType.values),
            region=pick("region", [value for value, _ in REGION_CHOICES]),
            topic=pick("topic", [topic.slug for topic in topics]),
            format=pick("format", EventFormat.values),
            topics=topics,
        )

    def events(self, *, now: datetime | None = None) -> QuerySet[Event]:
        events = Event.objects.listed()
        events = events.past(now=now) if self.when == PAST else events.upcoming(now=now)
        if self.audience:
            events = events.filter(**{AUDIENCE_FIELD[self.audience]: True})
        if self.region:
            events = events.filter(region=self.region)
        if self.topic:
            events = events.filter(topics__slug=self.topic)
        if self.format:
            events = events.filter(format=self.format)
        return with_places(events).prefetch_related("topics")

    def querystring(self) -> str:
        """The filters as a query string, for the page links."""
        pairs = {
            "when": self.when if self.when == PAST else "",
            "audience": self.audience,
            "region": self.region,
            "topic": self.topic,
            "format": self.format,
        }
        return urlencode({name: value for name, value in pairs.items() if value})

    @property
    def filtered(self) -> bool:
        return bool(self.audience or self.region or self.topic or self.format)


_LISTED = [EventStatus.PUBLISHED, EventStatus.FINISHED, EventStatus.CANCELLED]


def published_upcoming(*, now: datetime | None = None) -> QuerySet[Event]:
    """Published events not yet over, soonest first."""
    return Event.objects.filter(status=EventStatus.PUBLISHED).upcoming(now=now)


def upcoming_events(*, limit: int, now: datetime | None = None) -> list[Event]:
    return list(published_upcoming(now=now)[:limit])


# The public calendar feed reaches back this far, so a subscribed calendar keeps the
# sessions of the last month rather than dropping each one as it ends.
CALENDAR_FEED_REACH = timedelta(days=31)
CALENDAR_FEED_LENGTH = 200


def calendar_feed_events(*, now: datetime | None = None) -> QuerySet[Event]:
    """What the public calendar feed lists: every published event (and those finished or
    cancelled since) ending within the last month or later, soonest first."""
    now = now or timezone.now()
    return Event.objects.filter(
        status__in=_LISTED, ends_at__gte=now - CALENDAR_FEED_REACH
    ).order_by("starts_at", "pk")[:CALENDAR_FEED_LENGTH]


def next_registrations(user, *, limit: int, now: datetime | None = None) -> list[Registration]:
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    return list(
        Registration.objects.filter(
            user=user,
            status__in=ACTIVE,
            event__status=EventStatus.PUBLISHED,
            event__ends_at__gte=now,
        )
        .select_related("event")
        .order_by("event__starts_at")[:limit]
    )


@dataclass
class MyEvents:
    upcoming: list[Registration]
    past: list[Registration]


def events_of(user, *, now: datetime | None = None) -> MyEvents:
    """A person's registrations: upcoming (booked, offered, waiting) and past (attended or
    booked), for the account page."""
    if not user.is_authenticated:
        return MyEvents(upcoming=[], past=[])
    now = now or timezone.now()
    rows = (
        Registration.objects.filter(user=user)
        .exclude(event__status=EventStatus.DRAFT)
        .select_related("event")
        .order_by("event__starts_at")
    )
    upcoming, past = [], []
    for registration in rows:
        event = registration.event
        if event.ends_at >= now:
            if event.status == EventStatus.PUBLISHED and registration.status in ACTIVE:
                upcoming.append(registration)
        elif event.status != EventStatus.CANCELLED and (
            registration.attended or registration.status == RegistrationStatus.CONFIRMED
        ):
            past.append(registration)
    past.reverse()
    return MyEvents(upcoming=upcoming, past=past)


def registration_of(user, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(user=user, event=event).first()


# What becomes of a place given up now, as registration_cancel passes it on: said before
# and after giving it up, so that nobody is told it goes to someone who is not there.
FREED_PLACE_TO_WAITING = "It goes to the first person on the waiting list."
FREED_PLACE_OPEN = "It becomes free for someone else to book."
FREED_PLACE_CLOSED = "Registration has closed, so nobody else can take it."


def freed_place_text(event: Event, *, now: datetime | None = None) -> str:
    """Where a place given up at `event` now goes, in a sentence (one query)."""
    now = now or timezone.now()
    if event.status != EventStatus.PUBLISHED or now >= event.closes_at:
        return FREED_PLACE_CLOSED
    if event.registrations.filter(status=RegistrationStatus.WAITING).exists():
        return FREED_PLACE_TO_WAITING
    return FREED_PLACE_OPEN


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id,
        status=RegistrationStatus.WAITING,
    ).filter(
        Q(waiting_since__lt=registration.waiting_since)
        | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
    )
    return ahead.count() + 1
