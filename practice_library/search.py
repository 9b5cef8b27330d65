"""Finding resources: the query string in, one page of results and facet counts out.

PostgreSQL: the stored, GIN-indexed search vector; `websearch_to_tsquery` (so quotes,
`or` and `-word` work as people expect and no input is a syntax error); ranked with
ts_rank; snippets from ts_headline. SQLite (the embedded default): every word must
appear in the title, summary or body.

Facets (type, topic, audience, year) are counted "disjunctively": the counts of one
facet apply every other active filter but not its own, so ticking a second type
widens the results as the counts promise. One query per facet; type and year share a
query when neither is filtered.
"""

import html
import re
import shlex
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import ExtractYear
from django.http import QueryDict
from django.utils import timezone

from members.models import MemberType
from network.models import Topic
from practice_library.models import Resource, ResourceAudience, ResourceType

MAX_QUERY_LENGTH = 200
SORTS = {"relevance": "Best match", "newest": "Newest first"}
_HIGHLIGHT_START = "\ue000"
_HIGHLIGHT_STOP = "\ue001"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TopicThrough = Resource.topics.through


@dataclass
class SearchParams:
    q: str = ""
    types: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    sort: str = "relevance"
    page: str = "1"
    shortened: bool = False

    @property
    def has_filters(self) -> bool:
        return bool(self.types or self.topics or self.audiences or self.years)

    def querystring(self, **changes) -> str:
        """The query string for these parameters with some changed (None removes)."""
        values = {
            "q": self.q,
            "type": self.types,
            "topic": self.topics,
            "audience": self.audiences,
            "year": [str(year) for year in self.years],
            "sort": self.sort if self.sort != "relevance" else "",
        }
        values.update(changes)
        query = QueryDict(mutable=True)
        for key, value in values.items():
            if isinstance(value, list):
                if value:
                    query.setlist(key, value)
            elif value:
                query[key] = value
        return query.urlencode()


def clean_query(raw: str) -> tuple[str, bool]:
    """Normalised search text, and whether it had to be shortened."""
    text = unicodedata.normalize("NFC", raw or "")
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        return text[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0] or text[:MAX_QUERY_LENGTH], True
    return text, False


def parse_params(data: QueryDict, *, type_slugs: set[str], topic_slugs: set[str]) -> SearchParams:
    """Read the query string; values we do not know are ignored, never an error."""
    q, shortened = clean_query(data.get("q", ""))
    audience_values = {value for value, _ in MemberType.choices}
    this_year = timezone.localdate().year
    years = []
    for value in data.getlist("year"):
        # isdigit() accepts "²" and int() refuses it; a year is four ASCII digits.
        if not re.fullmatch(r"[0-9]{4}", value):
            continue
        year = int(value)
        if 1900 <= year <= this_year + 1 and year not in years:
            years.append(year)
    sort = data.get("sort", "relevance")
    return SearchParams(
        q=q,
        types=_known(data.getlist("type"), type_slugs),
        topics=_known(data.getlist("topic"), topic_slugs),
        audiences=_known(data.getlist("audience"), audience_values),
        years=sorted(years, reverse=True),
        sort=sort if sort in SORTS else "relevance",
        page=data.get("page", "1"),
        shortened=shortened,
    )


def _known(values: list[str], known: set[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value in known and value not in seen:
            seen.append(value)
    return seen


# --- Text search -----------------------------------------------------------------------


def _search_query(q: str) -> SearchQuery:
    return SearchQuery(q, search_type="websearch", config="english")


def _sqlite_terms(q: str) -> list[str]:
    """Words and "quoted phrases" from the search box, without search operators."""
    try:
        parts = shlex.split(q)
    except ValueError:  # an unbalanced quote
        parts = q.replace('"', " ").split()
    terms = []
    for part in parts:
        part = part.strip().lstrip("-+").strip()
        if part and part.lower() not in {"or", "and", "not"}:
            terms.append(part)
    return terms[:20]


def _text_filtered(queryset, q: str):
    if not q:
        return queryset
    if settings.USING_POSTGRES:
        return queryset.filter(search_vector=_search_query(q))
    for term in _sqlite_terms(q):
        queryset = queryset.filter(
            Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)
        )
    return queryset


def _ranked(queryset, q: str):
    if settings.USING_POSTGRES:
        return queryset.annotate(rank=SearchRank(F("search_vector"), _search_query(q)))
    terms = _sqlite_terms(q)
    if not terms:
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    title_hits = Q()
    for term in terms:
        title_hits &= Q(title__icontains=term)
    return queryset.annotate(
        rank=Case(When(title_hits, then=Value(2)), default=Value(1), output_field=IntegerField())
    )


# --- Facets ----------------------------------------------------------------------------


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str  # the query-string key
    label: str
    options: list[FacetOption]


def _year_range(year: int) -> Q:
    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    return Q(published_at__gte=start, published_at__lt=end)


class Library:
    """One search over the library, built from the query string."""

    def __init__(self, data: QueryDict):
        self.resource_types = list(ResourceType.objects.all())
        self.topics = list(Topic.objects.all())
        self._type_ids = {t.slug: t.pk for t in self.resource_types}
        self._topic_ids = {t.slug: t.pk for t in self.topics}
        self.params = parse_params(
            data, type_slugs=set(self._type_ids), topic_slugs=set(self._topic_ids)
        )

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
        queryset = _text_filtered(Resource.objects.live(), self.params.q)
        return queryset.filter(*self._filters(without=without))

    @property
    def sort(self) -> str:
        return self.params.sort if self.params.q else "newest"

    def page(self) -> Page:
        queryset = self.queryset().for_listing().defer("body", "body_html", "search_vector")
        if self.sort == "relevance":
            queryset = _ranked(queryset, self.params.q).order_by("-rank", "-published_at", "-pk")
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
        if settings.USING_POSTGRES:
            headlines = dict(
                Resource.objects.filter(pk__in=[r.pk for r in resources])
                .annotate(
                    headline=SearchHeadline(
                        "summary",
                        _search_query(self.params.q),
                        config="english",
                        start_sel=_HIGHLIGHT_START,
                        stop_sel=_HIGHLIGHT_STOP,
                        max_words=45,
                        min_words=20,
                        short_word=3,
                    )
                )
                .values_list("pk", "headline")
            )
            for resource in resources:
                resource.snippet = _marked(headlines.get(resource.pk, resource.summary))
        else:
            terms = [re.escape(term) for term in _sqlite_terms(self.params.q)]
            if terms:
                pattern = re.compile("(" + "|".join(terms) + ")", re.IGNORECASE)
                for resource in resources:
                    resource.snippet = _marked(
                        pattern.sub(rf"{_HIGHLIGHT_START}\1{_HIGHLIGHT_STOP}", resource.summary)
                    )

    def facets(self) -> list[Facet]:
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
        return [
            Facet(
                "type",
                "Type",
                [
                    FacetOption(t.slug, t.name, type_counts.get(t.pk, 0), t.slug in params.types)
                    for t in self.resource_types
                    if type_counts.get(t.pk) or t.slug in params.types
                ],
            ),
            Facet(
                "topic",
                "Topic",
                [
                    FacetOption(t.slug, t.name, topic_counts.get(t.pk, 0), t.slug in params.topics)
                    for t in self.topics
                    if topic_counts.get(t.pk) or t.slug in params.topics
                ],
            ),
            Facet(
                "audience",
                "Audience",
                [
                    FacetOption(
                        value, label, audience_counts.get(value, 0), value in params.audiences
                    )
                    for value, label in MemberType.choices
                    if audience_counts.get(value) or value in params.audiences
                ],
            ),
            Facet(
                "year",
                "Year",
                [
                    FacetOption(
                        str(year), str(year), year_counts.get(year, 0), year in params.years
                    )
                    for year in sorted(set(year_counts) | set(params.years), reverse=True)
                    if year is not None
                ],
            ),
        ]

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, query string without that filter) for every active filter."""
        params = self.params
        names = {t.slug: t.name for t in self.resource_types}
        topics = {t.slug: t.name for t in self.topics}
        audiences = dict(MemberType.choices)
        active = []
        for slug in params.types:
            rest = [s for s in params.types if s != slug]
            active.append((f"Type: {names[slug]}", params.querystring(type=rest)))
        for slug in params.topics:
            rest = [s for s in params.topics if s != slug]
            active.append((f"Topic: {topics[slug]}", params.querystring(topic=rest)))
        for value in params.audiences:
            rest = [s for s in params.audiences if s != value]
            active.append((f"Audience: {audiences[value]}", params.querystring(audience=rest)))
        for year in params.years:
            rest = [str(y) for y in params.years if y != year]
            active.append((f"Year: {year}", params.querystring(year=rest)))
        return active


def _marked(text: str) -> str:
    """Escape text, then turn our highlight markers into <mark> elements."""
    return html.escape(text).replace(_HIGHLIGHT_START, "<mark>").replace(_HIGHLIGHT_STOP, "</mark>")
