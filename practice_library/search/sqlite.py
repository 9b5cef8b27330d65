"""The SQLite engine (the embedded default): every word or quoted phrase must appear in
the title, summary or body; resources with every word in the title rank first; the
facets are counted by the ORM."""

import html
import re
import shlex
from datetime import datetime

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

from network.search_text import HIGHLIGHT_START, HIGHLIGHT_STOP, is_common, marked
from practice_library.models import Resource, ResourceAudience
from practice_library.search.facets import Counts
from practice_library.search.params import SearchParams

TopicThrough = Resource.topics.through


def _sqlite_terms(q: str) -> list[str]:
    """Words and "quoted phrases" from the search box, without search operators or the
    words PostgreSQL's English search leaves out (network.search_text.is_common)."""
    try:
        parts = shlex.split(q)
    except ValueError:  # an unbalanced quote
        parts = q.replace('"', " ").split()
    terms = []
    for part in parts:
        part = part.strip().lstrip("-+").strip()
        if part and not is_common(part):
            terms.append(part)
    return terms[:20]


def _text_filtered(queryset, q: str):
    """Every word or quoted phrase in the title, summary or body. A search of common
    words alone finds nothing, as on PostgreSQL."""
    if not q:
        return queryset
    terms = _sqlite_terms(q)
    if not terms:
        return queryset.none()
    for term in terms:
        queryset = queryset.filter(
            Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)
        )
    return queryset


def _ranked(queryset, q: str):
    """Resources with every word in the title first."""
    terms = _sqlite_terms(q)
    if not terms:
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    title_hits = Q()
    for term in terms:
        title_hits &= Q(title__icontains=term)
    return queryset.annotate(
        rank=Case(When(title_hits, then=Value(2)), default=Value(1), output_field=IntegerField())
    )


def _year_range(year: int) -> Q:
    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    return Q(published_at__gte=start, published_at__lt=end)


class SqliteEngine:
    """One search on SQLite: exact counts, never estimates."""

    approximate = False
    total_estimated = False

    def __init__(
        self, params: SearchParams, *, type_ids: dict[str, int], topic_ids: dict[str, int]
    ):
        self.params = params
        self._type_ids = type_ids
        self._topic_ids = topic_ids

    def _filters(self, *, without: str | None = None) -> list[Q]:
        params = self.params
        filters = []
        if params.types and without != "type":
            filters.append(Q(resource_type_id__in=[self._type_ids[s] for s in params.types]))
        if params.topics and without != "topic":
            ids = [self._topic_ids[s] for s in params.topics]
            filters.append(
                Exists(TopicThrough.objects.filter(resource_id=OuterRef("pk"), topic_id__in=ids))
            )
        if params.audiences and without != "audience":
            filters.append(
                Exists(
                    ResourceAudience.objects.filter(
                        resource_id=OuterRef("pk"), audience__in=params.audiences
                    )
                )
            )
        if params.years and without != "year":
            years = Q()
            for year in params.years:
                years |= _year_range(year)
            filters.append(years)
        return filters

    def queryset(self, *, without: str | None = None):
        queryset = _text_filtered(Resource.objects.live(), self.params.text)
        return queryset.filter(*self._filters(without=without))

    def page(self) -> Page:
        queryset = self.queryset().for_listing().defer("body", "body_html")
        if self.params.effective_sort == "relevance":
            queryset = _ranked(queryset, self.params.text).order_by("-rank", "-published_at", "-pk")
        else:
            queryset = queryset.order_by("-published_at", "-pk")
        page = Paginator(queryset, settings.LIBRARY_PAGE_SIZE).get_page(self.params.page)
        self._add_snippets(page)
        return page

    def _add_snippets(self, page: Page) -> None:
        """A highlighted extract of each summary (the summary is public: no body text
        is shown to someone who may not read it)."""
        resources = list(page.object_list)
        for resource in resources:
            resource.snippet = html.escape(resource.summary)
        page.object_list = resources
        if not self.params.q or not resources:
            return
        terms = [re.escape(term) for term in _sqlite_terms(self.params.text)]
        if terms:
            pattern = re.compile("(" + "|".join(terms) + ")", re.IGNORECASE)
            for resource in resources:
                resource.snippet = marked(
                    pattern.sub(rf"{HIGHLIGHT_START}\1{HIGHLIGHT_STOP}", resource.summary)
                )

    def counts(self) -> Counts:
        """Every facet's counts, each applying the other facets' filters but not its own."""
        params = self.params
        type_counts: dict[int, int] = {}
        year_counts: dict[int, int] = {}
        if not params.types and not params.years:
            # Neither facet is filtered: one query counts both.
            rows = (
                self.queryset()
                .annotate(year=ExtractYear("published_at"))
                .values("resource_type_id", "year")
                .annotate(n=Count("pk"))
                .order_by()
            )
            for row in rows:
                type_counts[row["resource_type_id"]] = (
                    type_counts.get(row["resource_type_id"], 0) + row["n"]
                )
                year_counts[row["year"]] = year_counts.get(row["year"], 0) + row["n"]
        else:
            type_counts = dict(
                self.queryset(without="type")
                .values("resource_type_id")
                .annotate(n=Count("pk"))
                .order_by()
                .values_list("resource_type_id", "n")
            )
            year_counts = dict(
                self.queryset(without="year")
                .annotate(year=ExtractYear("published_at"))
                .values("year")
                .annotate(n=Count("pk"))
                .order_by()
                .values_list("year", "n")
            )
        topic_counts = dict(
            TopicThrough.objects.filter(resource_id__in=self.queryset(without="topic").values("pk"))
            .values("topic_id")
            .annotate(n=Count("resource_id"))
            .order_by()
            .values_list("topic_id", "n")
        )
        audience_counts = dict(
            ResourceAudience.objects.filter(
                resource_id__in=self.queryset(without="audience").values("pk")
            )
            .values("audience")
            .annotate(n=Count("resource_id"))
            .order_by()
            .values_list("audience", "n")
        )
        return Counts(
            types=type_counts, topics=topic_counts, audiences=audience_counts, years=year_counts
        )
