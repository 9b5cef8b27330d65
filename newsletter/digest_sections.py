"""The digest sections made of other apps' content that the newsletter declares itself:
the library's new resources (daily and weekly) and most read (weekly), only what each
reader may read, on their topics; and upcoming events (weekly, newsletter/events_section.py).
Found like every app's `digest_sections` module (see newsletter/digests/sections.py)."""

from functools import cached_property

from django.db.models import Count, Sum

from network.mail import site_url
from newsletter.digests.sections import DigestItem, DigestSection, Reader
from newsletter.events_section import upcoming_events
from newsletter.models import DigestPeriod

Kind = DigestPeriod.Kind


class _LibraryPeriod:
    """What the library offers in one period, read once and shared by every recipient."""

    def __init__(self, period: DigestPeriod) -> None:
        self.period = period

    @staticmethod
    def _item(resource) -> DigestItem:
        return DigestItem(
            title=resource.title,
            url=site_url(resource.get_absolute_url()),
            summary=resource.summary,
            note=resource.resource_type.name,
        )

    @cached_property
    def new_resources(self) -> list:
        from practice_library.models import Resource

        return list(
            Resource.objects.live(now=self.period.period_end)
            .filter(
                published_at__gte=self.period.period_start,
                published_at__lt=self.period.period_end,
            )
            .select_related("resource_type")
            .prefetch_related("topics")
            .order_by("-published_at")[:200]
        )

    @cached_property
    def most_read(self) -> list:
        """Resources opened most in the period (distinct readers), then most downloaded."""
        from practice_library.models import RecentRead, Resource

        reads = (
            RecentRead.objects.filter(
                read_at__gte=self.period.period_start, read_at__lt=self.period.period_end
            )
            .values("resource_id")
            .annotate(readers=Count("pk"))
            .order_by()
        )
        counts = {row["resource_id"]: row["readers"] for row in reads}
        if not counts:
            return []
        resources = (
            Resource.objects.live()
            .filter(pk__in=counts)
            .annotate(downloads=Sum("attachments__download_count"))
            .select_related("resource_type")
            .prefetch_related("topics")
        )
        return sorted(resources, key=lambda r: (-counts[r.pk], -(r.downloads or 0), r.title))[:50]


_library_periods: dict[int, _LibraryPeriod] = {}


def _library(period: DigestPeriod) -> _LibraryPeriod:
    if period.pk not in _library_periods:
        _library_periods.clear()  # one period at a time per worker
        _library_periods[period.pk] = _LibraryPeriod(period)
    return _library_periods[period.pk]


def _readable(reader: Reader, resources: list, limit: int) -> list[DigestItem]:
    picked = []
    for resource in resources:
        if not reader.may_read(resource.access_level):
            continue
        if not reader.wants_topics(topic.pk for topic in resource.topics.all()):
            continue
        picked.append(_LibraryPeriod._item(resource))
        if len(picked) == limit:
            break
    return picked


def library_new_resources(reader: Reader, period: DigestPeriod) -> DigestSection | None:
    items = _readable(reader, _library(period).new_resources, limit=10)
    return DigestSection(title="New in the library", items=items) if items else None


def library_most_read(reader: Reader, period: DigestPeriod) -> DigestSection | None:
    items = _readable(reader, _library(period).most_read, limit=5)
    return DigestSection(title="Most read this week", items=items) if items else None


SECTIONS = [
    {"key": "library-new", "provider": library_new_resources, "order": 10},
    {
        "key": "library-most-read",
        "provider": library_most_read,
        "kinds": [Kind.WEEKLY],
        "order": 30,
    },
    {"key": "events-upcoming", "provider": upcoming_events, "kinds": [Kind.WEEKLY], "order": 25},
]
