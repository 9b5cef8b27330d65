"""Finding resources: the query string in, one page of results and facet counts out.

PostgreSQL: one narrow SearchEntry row per live resource (models.SearchEntry) holds a
GIN-indexed document vector (title A, summary B, body C, file text D) searched with
`websearch_to_tsquery` (quotes, `or` and `-word` work as people expect and no input is a
syntax error), a small title-and-summary vector for ranking, and the facet values.
Counting starts with a fixed sample of the entries (one in 32, with partial indexes
of its own): when it promises more than EXACT_UP_TO hits, the scaled sample is the
answer and the page says "about"; otherwise one pass over the matching entries counts
the hits and every facet (GROUPING SETS). The page's ids come in relevance tiers (title,
then title and summary, then the rest by date), each read through its own index only as
far as the page needs, so a common word neither counts nor ranks the whole library; then
the page's resources are loaded with ts_headline snippets of their summaries. Counts and
page ids are cached for a few minutes under a version that every change to the library
replaces (library_changed), so repeated and paged searches skip the scans.

SQLite (the embedded default): every word must appear in the title, summary or body,
with the same facets counted by the ORM.

Facets (type, topic, audience, year) are counted "disjunctively": the counts of one
facet apply every other active filter but not its own, so ticking a second type
widens the results as the counts promise.
"""

import hashlib
import html
import json
import re
import shlex
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import ExtractYear
from django.http import QueryDict
from django.utils import timezone

from members.models import MemberType
from network.models import Topic
from network.pagination import page_number
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
    page: int = 1
    # When the search was cut: how many of its words were searched (0: all of them).
    words_searched: int = 0

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


def _is_word(token: str) -> bool:
    """A token that searches for something: not `or`, not bare quotes or minus signs."""
    bare = token.strip('"').lstrip("-+")
    return any(ch.isalnum() for ch in bare) and bare.lower() != "or"


def clean_query(raw: str) -> tuple[str, int]:
    """Normalised search text, and, when it had to be cut, how many words were kept.

    At most MAX_QUERY_LENGTH characters and settings.LIBRARY_SEARCH_MAX_TERMS words
    (words inside quotes count too): each word of a phrase is one more condition on the
    word pairs and one more lexeme to rank, so a phrase of a hundred words would hold a
    worker for seconds. The cut keeps whole words, and closes a quote it cut through.
    """
    text = unicodedata.normalize("NFC", raw or "")
    text = _CONTROL.sub(" ", text)
    tokens = text.split()
    max_terms = settings.LIBRARY_SEARCH_MAX_TERMS
    kept: list[str] = []
    words = 0
    cut = False
    for token in tokens:
        if _is_word(token):
            if words == max_terms:
                cut = True
                break
            words += 1
        if len(" ".join([*kept, token])) > MAX_QUERY_LENGTH:
            if not kept:
                kept.append(token[:MAX_QUERY_LENGTH])  # one endless word: its beginning
            cut = True
            break
        kept.append(token)
    if not cut:
        return " ".join(tokens), 0
    while kept and not _is_word(kept[-1]):
        kept.pop()  # a trailing `or` or a lone quote would search for nothing
    text = " ".join(kept)
    if text.count('"') % 2:
        text += '"'
    return text, sum(1 for token in kept if _is_word(token))


def parse_params(data: QueryDict, *, type_slugs: set[str], topic_slugs: set[str]) -> SearchParams:
    """Read the query string; values we do not know are ignored, never an error."""
    q, words_searched = clean_query(data.get("q", ""))
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
        page=page_number(data.get("page")),
        words_searched=words_searched,
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
    """SQLite: every word or quoted phrase in the title, summary or body."""
    if not q:
        return queryset
    for term in _sqlite_terms(q):
        queryset = queryset.filter(
            Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)
        )
    return queryset


def _ranked(queryset, q: str):
    """SQLite: resources with every word in the title first."""
    terms = _sqlite_terms(q)
    if not terms:
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    title_hits = Q()
    for term in terms:
        title_hits &= Q(title__icontains=term)
    return queryset.annotate(
        rank=Case(When(title_hits, then=Value(2)), default=Value(1), output_field=IntegerField())
    )


_QUOTED = re.compile(r'"([^"]*)(?:"|$)')


def required_phrases(q: str) -> list[str]:
    """The quoted phrases that every match of a websearch query must contain.

    Only what is certain: a phrase preceded by a minus is left out, and a query with
    `or` outside its quotes gives none (each phrase might be one alternative), as does
    a quote that does not stand apart from the words around it.
    """
    phrases = []
    outside = []
    last = 0
    for match in _QUOTED.finditer(q):
        before = q[match.start() - 1] if match.start() else " "
        after = q[match.end()] if match.end() < len(q) else " "
        negated = before == "-"
        if negated:
            before = q[match.start() - 2] if match.start() > 1 else " "
        if not (before.isspace() and after.isspace()):
            return []
        outside.append(q[last : match.start()])
        last = match.end()
        if not negated:
            phrases.append(match.group(1))
    outside.append(q[last:])
    if any(word.lower() == "or" for word in " ".join(outside).split()):
        return []
    return [phrase for phrase in phrases if len(phrase.split()) > 1]


def _tsquery_lexeme(text: str) -> str:
    """A lexeme as tsquery syntax writes it: quoted, so that its space is kept."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _phrase_pairs(phrases: list[str]) -> dict[str, tuple[list[str], bool]]:
    """{phrase: (its adjacent word pairs as search documents hold them, whether they say
    all the phrase does)} for the phrases that have pairs. The pairs say all when the
    phrase is two words side by side (stop words around them aside)."""
    if not phrases:
        return {}
    key = "library:search:pairs:" + hashlib.sha256(json.dumps(phrases).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT phrase, library_word_pairs(vector),
                       ARRAY(SELECT unnest(positions) FROM unnest(vector) ORDER BY 1)
                FROM unnest(%s::text[]) AS phrase,
                     LATERAL to_tsvector('english', phrase) AS vector
                """,
                [phrases],
            )
            found = {
                phrase: (sorted(pairs), len(positions) == 2)
                for phrase, pairs, positions in cursor.fetchall()
                if pairs
            }
        cache.set(key, found, 24 * 60 * 60)  # a phrase's pairs never change
    return found


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
        self._now = timezone.now()
        self._counts: Counts | None = None
        self._match: tuple[str, dict] | None = None  # the counts and the page both use it

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
        if settings.USING_POSTGRES:
            hits = _EntryHits(self, total=self._entry_counts().total)
            return Paginator(hits, settings.LIBRARY_PAGE_SIZE).get_page(self.params.page)
        queryset = self.queryset().for_listing().defer("body", "body_html")
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
        terms = [re.escape(term) for term in _sqlite_terms(self.params.q)]
        if terms:
            pattern = re.compile("(" + "|".join(terms) + ")", re.IGNORECASE)
            for resource in resources:
                resource.snippet = _marked(
                    pattern.sub(rf"{_HIGHLIGHT_START}\1{_HIGHLIGHT_STOP}", resource.summary)
                )

    def facets(self) -> list[Facet]:
        if settings.USING_POSTGRES:
            counts = self._entry_counts()
            return self._build_facets(
                counts.types,
                counts.topics,
                counts.audiences,
                counts.years,
                every_option=counts.approximate,
            )
        return self._build_facets(*self._sqlite_counts())

    @property
    def approximate(self) -> bool:
        """Whether the facets' counts are estimates (a search with very many matches)."""
        return settings.USING_POSTGRES and self._entry_counts().approximate

    @property
    def total_estimated(self) -> bool:
        """Whether the number of results is an estimate."""
        return settings.USING_POSTGRES and self._entry_counts().total_estimated

    def _sqlite_counts(self) -> tuple[dict, dict, dict, dict]:
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
        return type_counts, topic_counts, audience_counts, year_counts

    def _build_facets(
        self,
        type_counts: dict[int, int],
        topic_counts: dict[int, int],
        audience_counts: dict[str, int],
        year_counts: dict[int, int],
        *,
        every_option: bool = False,
    ) -> list[Facet]:
        """The facets' options with their counts. Options nothing matches are left out,
        unless the counts are estimates: an option missing from the sample may still
        have a few matches, so it is listed, without a count."""
        params = self.params
        return [
            Facet(
                "type",
                "Type",
                [
                    FacetOption(t.slug, t.name, type_counts.get(t.pk, 0), t.slug in params.types)
                    for t in self.resource_types
                    if every_option or type_counts.get(t.pk) or t.slug in params.types
                ],
            ),
            Facet(
                "topic",
                "Topic",
                [
                    FacetOption(t.slug, t.name, topic_counts.get(t.pk, 0), t.slug in params.topics)
                    for t in self.topics
                    if every_option or topic_counts.get(t.pk) or t.slug in params.topics
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
                    if every_option or audience_counts.get(value) or value in params.audiences
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

    # --- PostgreSQL: the search entries ---------------------------------------------

    def _entry_filters(self) -> tuple[dict[str, str], dict]:
        """SQL conditions on the search entry `e`, one per active facet, and their params."""
        p = self.params
        conditions: dict[str, str] = {}
        params: dict = {}
        # One value is compared with =, so that the type's or year's own newest-first
        # index gives a page in order (it cannot for = ANY).
        if p.types:
            params["types"] = [self._type_ids[slug] for slug in p.types]
            params["type"] = params["types"][0]
            conditions["type"] = (
                "e.resource_type_id = ANY(%(types)s)"
                if len(p.types) > 1
                else "e.resource_type_id = %(type)s"
            )
        if p.topics:
            conditions["topic"] = "e.topic_ids && %(topics)s::integer[]"
            params["topics"] = [self._topic_ids[slug] for slug in p.topics]
        if p.audiences:
            conditions["audience"] = "e.audiences && %(audiences)s::varchar(20)[]"
            params["audiences"] = list(p.audiences)
        if p.years:
            params["years"] = list(p.years)
            params["year"] = p.years[0]
            conditions["year"] = (
                "e.year = ANY(%(years)s)" if len(p.years) > 1 else "e.year = %(year)s"
            )
        return conditions, params

    def _entry_match(self) -> tuple[str, dict]:
        """The condition every hit meets: live, and matching the search text if any.

        A quoted phrase that every hit must contain also asks for its adjacent word
        pairs, which search documents hold as lexemes of their own (migration 0005), so
        the GIN index finds the few resources that can hold the phrase. For a phrase of
        two words the pair is the phrase, so its quotes are dropped as well, and the
        index answers without PostgreSQL reading a single document's positions.
        """
        if self._match is None:
            self._match = self._build_match()
        where, params = self._match
        return where, dict(params)  # callers add their own parameters

    def _build_match(self) -> tuple[str, dict]:
        where = "e.published_at <= %(now)s"
        params: dict = {"now": self._now}
        q = self.params.q
        if not q:
            return where, params
        phrases = _phrase_pairs(required_phrases(q))
        if not phrases:
            where += " AND e.document @@ websearch_to_tsquery('english', %(q)s)"
            params["q"] = q
            return where, params
        match = q
        for phrase, (_, exact) in phrases.items():
            quoted = f'"{phrase}"'
            if exact and q.count(quoted) == 1:  # not also after a minus elsewhere
                match = match.replace(quoted, f" {phrase} ")
        pairs = sorted({pair for pairs, _ in phrases.values() for pair in pairs})
        where += (
            " AND e.document @@ (websearch_to_tsquery('english', %(match)s) && %(pairs)s::tsquery)"
        )
        params.update(q=q, match=match, pairs=" & ".join(_tsquery_lexeme(p) for p in pairs))
        return where, params

    def _run(self, sql: str, params: dict, *, walk: bool = False) -> list[tuple]:
        """Run one search statement. With search text, PostgreSQL is told to use the GIN
        indexes rather than read the table in full: its cost model does not know that
        testing an entry unpacks its (large, compressed) document vector, which over a
        whole library is seconds instead of milliseconds. For the same reason it may
        walk a date index, testing entries one by one, only when `walk` says that the
        matches are common enough for a page of them to come within a few hundred
        entries. The matches of a common word (about 100 bytes each) also outgrow the
        default work_mem and would spill to a temporary file. SET LOCAL travels in the
        same round trip and ends with the transaction."""
        settings_sql = f"SET LOCAL work_mem = '{SEARCH_WORK_MEM}'; "
        if self.params.q:
            settings_sql += "SET LOCAL enable_seqscan = off; "
            if not walk:
                settings_sql += "SET LOCAL enable_indexscan = off; "
        sql = settings_sql + sql
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _cache_key(self, *parts) -> str:
        p = self.params
        state = json.dumps([p.q, p.types, p.topics, p.audiences, p.years, *parts])
        digest = hashlib.sha256(state.encode()).hexdigest()[:32]
        return f"library:search:{_data_version()}:{digest}"

    def _entry_counts(self) -> "Counts":
        """The number of hits and every facet's counts (cached for CACHE_SECONDS, and
        dropped whenever the library changes).

        A fixed sample of the entries (one in SAMPLE_EVERY, with indexes of their own)
        is counted first. When it promises that exact counting would visit more than
        EXACT_UP_TO entries (every match of the text, whatever the facets), its counts,
        scaled up, are the answer and say they are approximate: counting every match of
        a common word in a large library exactly would visit most of it on every search.
        Otherwise every hit is counted."""
        if self._counts is not None:
            return self._counts
        key = self._cache_key("counts")
        counts = cache.get(key)
        if counts is None:
            counts = self._entry_count(sample=True)
            if counts.matched * SAMPLE_EVERY > EXACT_UP_TO:
                few = counts.total < FEW_IN_SAMPLE
                counts = counts.scaled(SAMPLE_EVERY)
                if few:
                    # Narrow filters on a broad search: the sample may hold none of the
                    # few hits, and a page must never say none when there are some.
                    counts.total = self._entry_total()
                    counts.total_estimated = False
            else:
                counts = self._entry_count(sample=False)
            cache.set(key, counts, CACHE_SECONDS)
        self._counts = counts
        return counts

    def _entry_page_ids(self, *, offset: int, limit: int) -> list[int]:
        """The ids of one page of hits, in order (cached like the counts)."""
        key = self._cache_key("page", self.sort, offset, limit)
        ids = cache.get(key)
        if ids is None:
            ids = self._entry_page(offset=offset, limit=limit)
            cache.set(key, ids, CACHE_SECONDS)
        return ids

    def _entry_where(self) -> tuple[str, dict]:
        """The hits' condition: live, matching the text, and every active facet."""
        match, params = self._entry_match()
        conditions, facet_params = self._entry_filters()
        params.update(facet_params)
        return " AND ".join([match, *conditions.values()]), params

    def _entry_page(self, *, offset: int, limit: int) -> list[int]:
        """The ids of one page of hits in order: newest first or, by relevance, in three
        tiers, each read by its own index and only as far as the page needs:

        1. the title matches the whole search, ranked by ts_rank on title and summary;
        2. the title and summary together match it, ranked the same way;
        3. the rest (words only in the body or a file), newest first.

        Ranking every hit instead would rank most of a large library for a common word.
        Without a minus in the search, a title or summary that matches implies that the
        whole document does, so tiers 1 and 2 need not read the document vectors.
        """
        where, params = self._entry_where()
        newest = "e.published_at DESC, e.resource_id DESC"
        common = self._entry_counts().total > EXACT_UP_TO
        if self.sort != "relevance":
            return self._ids(where, params, order=newest, offset=offset, limit=limit, walk=common)
        query = "websearch_to_tsquery('english', %(q)s)"
        in_title = f"ts_filter(e.ranking, '{{a}}') @@ {query}"
        in_ranking = f"e.ranking @@ {query}"
        if _NEGATION.search(self.params.q):
            ranked_where = where
        else:
            ranked_where = " AND ".join(
                ["e.published_at <= %(now)s", *self._entry_filters()[0].values()]
            )
        rank = f"ts_rank(e.ranking, {query}) DESC, {newest}"
        tiers = [
            (f"{ranked_where} AND {in_title}", rank, False),
            (f"{ranked_where} AND {in_ranking} AND NOT ({in_title})", rank, False),
            (f"{where} AND NOT ({in_ranking})", newest, common),
        ]
        ids: list[int] = []
        skip = offset
        for condition, order, walk in tiers:
            found = self._ids(
                condition, params, order=order, offset=0, limit=skip + limit - len(ids), walk=walk
            )
            if len(found) <= skip:
                skip -= len(found)
                continue
            ids += found[skip:]
            skip = 0
            if len(ids) >= limit:
                break
        return ids[:limit]

    def _ids(
        self, where: str, params: dict, *, order: str, offset: int, limit: int, walk: bool
    ) -> list[int]:
        rows = self._run(
            f"""SELECT e.resource_id FROM practice_library_searchentry e WHERE {where}
            ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s""",
            {**params, "limit": limit, "offset": offset},
            walk=walk,
        )
        return [row[0] for row in rows]

    def _entry_total(self) -> int:
        """The exact number of hits, facets applied."""
        where, params = self._entry_where()
        rows = self._run(
            f"SELECT count(*) FROM practice_library_searchentry e WHERE {where}", params
        )
        return rows[0][0]

    def _entry_count(self, *, sample: bool) -> "Counts":
        """The hits and facet counts of every entry, or of the sample only: one
        statement, one pass over the matching entries (a materialised CTE).

        Facets are disjunctive: a facet's counts apply the other facets' filters, not its
        own. GROUPING SETS return (a) hits grouped by type, year, audiences and whether
        they pass the topic filter, and (b) hits grouped by topics and whether they pass
        the other filters; the counts are summed here from those few hundred rows.
        """
        match, params = self._entry_match()
        if sample:
            # The same entries either way (SAMPLE_EVERY is a power of two), written so
            # that each partial index serves only its own kind of count: were the date
            # index usable by a text search, the planner might test documents one by one.
            if self.params.q:
                match += f" AND e.resource_id %% {SAMPLE_EVERY} = 0"
            else:
                match += f" AND (e.resource_id & {SAMPLE_EVERY - 1}) = 0"
        conditions, facet_params = self._entry_filters()
        params.update(facet_params)
        topic_ok = conditions.get("topic", "TRUE")
        others_ok = " AND ".join(c for name, c in conditions.items() if name != "topic") or "TRUE"
        rows = self._run(
            f"""
            WITH hits AS MATERIALIZED (
                SELECT e.resource_type_id, e.year, e.audiences, e.topic_ids,
                       {topic_ok} AS topic_ok, {others_ok} AS others_ok
                FROM practice_library_searchentry e
                WHERE {match}
            )
            SELECT GROUPING(topic_ids) = 0, resource_type_id, year, audiences, topic_ok,
                   topic_ids, others_ok, count(*)
            FROM hits
            GROUP BY GROUPING SETS (
                (resource_type_id, year, audiences, topic_ok), (topic_ids, others_ok)
            )
            """,
            params,
        )
        return self._sum_counts(rows)

    def _sum_counts(self, rows: list[tuple]) -> "Counts":
        p = self.params
        type_ids = {self._type_ids[slug] for slug in p.types}
        audiences = set(p.audiences)
        years = set(p.years)
        counts = Counts()
        for by_topics, type_id, year, row_audiences, topic_ok, topic_ids, others_ok, n in rows:
            if by_topics:
                if others_ok:
                    for topic_id in topic_ids:
                        counts.topics[topic_id] = counts.topics.get(topic_id, 0) + n
                continue
            counts.matched += n
            if not topic_ok:
                continue
            type_ok = not type_ids or type_id in type_ids
            year_ok = not years or year in years
            audience_ok = not audiences or bool(audiences.intersection(row_audiences))
            if year_ok and audience_ok:
                counts.types[type_id] = counts.types.get(type_id, 0) + n
            if type_ok and audience_ok:
                counts.years[year] = counts.years.get(year, 0) + n
            if type_ok and year_ok:
                for audience in row_audiences:
                    counts.audiences[audience] = counts.audiences.get(audience, 0) + n
            if type_ok and year_ok and audience_ok:
                counts.total += n
        return counts

    def _entry_resources(self, ids: list[int]) -> list[Resource]:
        """The page's resources in order, with a highlighted extract of each summary
        (the summary is public: no body text is shown to someone who may not read it)."""
        if not ids:
            return []
        queryset = Resource.objects.filter(pk__in=ids).for_listing().defer("body", "body_html")
        if self.params.q:
            queryset = queryset.annotate(
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
        by_id = {resource.pk: resource for resource in queryset}
        resources = [by_id[pk] for pk in ids if pk in by_id]
        for resource in resources:
            resource.snippet = _marked(getattr(resource, "headline", resource.summary))
        return resources

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


@dataclass
class Counts:
    """Hits and facet counts of one search (cached between requests)."""

    total: int = 0
    # Entries the counting pass visits: every match of the text, whatever the facets
    # (their counts are disjunctive); what exact counting costs.
    matched: int = 0
    types: dict[int, int] = field(default_factory=dict)
    topics: dict[int, int] = field(default_factory=dict)
    audiences: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)
    approximate: bool = False  # the facets' counts are estimates
    total_estimated: bool = False

    def scaled(self, factor: int) -> "Counts":
        """Counts of a sample, scaled to the whole and rounded as estimates are."""

        def estimate(dict_: dict) -> dict:
            return {key: about(n * factor) for key, n in dict_.items()}

        return Counts(
            total=about(self.total * factor),
            matched=self.matched * factor,
            types=estimate(self.types),
            topics=estimate(self.topics),
            audiences=estimate(self.audiences),
            years=estimate(self.years),
            approximate=True,
            total_estimated=True,
        )


def about(n: int) -> int:
    """n to two significant figures (and at least 10): how an estimate is shown."""
    if n < 100:
        return max(10, round(n, -1))
    return round(n, 2 - len(str(n)))


class _EntryHits:
    """The hits of a search for Django's Paginator: it knows their number from the
    counts, and fetches only the slice of ids a page shows."""

    def __init__(self, library: Library, *, total: int):
        self.library = library
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[Resource]:
        # Always whole pages (the last one may be short), so the ids fetched together
        # with the counts are found in the cache under the same key.
        start, stop = index.start or 0, min(index.stop, self.total)
        if stop <= start:
            return []
        page_size = settings.LIBRARY_PAGE_SIZE
        ids = self.library._entry_page_ids(offset=start, limit=page_size)[: stop - start]
        return self.library._entry_resources(ids)


# --- Cached results ---------------------------------------------------------------------

CACHE_SECONDS = 300
# Counting: every hit up to this many, otherwise one entry in SAMPLE_EVERY (a power of
# two). The sample's partial indexes (migration 0008) say the same number.
EXACT_UP_TO = 5_000
SAMPLE_EVERY = 32
# Fewer hits than this in the sample: the total is counted exactly after all.
FEW_IN_SAMPLE = 20
_NEGATION = re.compile(r"(^|\s)-")
# Memory one search may use for its matches and their grouping (per statement).
SEARCH_WORK_MEM = "32MB"
_VERSION_KEY = "library:search:version"


def _data_version() -> str:
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(_VERSION_KEY, version, None):
            version = cache.get(_VERSION_KEY, version)
    return version


def library_changed() -> None:
    """Forget every cached search: called after any change to what search reads."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


def library_warm() -> None:
    """Count the library's front page (no search, no filter) into the cache, so that
    the first visitor after a change does not wait for the pass over every entry."""
    if settings.USING_POSTGRES:
        Library(QueryDict()).page()
