"""The PostgreSQL engine.

One narrow SearchEntry row per live resource (models.SearchEntry) holds a GIN-indexed
document vector (title A, summary B, body C, file text D) searched with
`websearch_to_tsquery` (quotes, `or` and `-word` work as people expect and no input is a
syntax error), a small title-and-summary vector for ranking, and the facet values.
Counting starts with fixed samples of the entries, the sparser first
(facets.counts_estimated); otherwise one pass over the matching entries counts the hits
and every facet (GROUPING SETS). The page's ids come in relevance tiers (title, then
title and summary, both ranked in one statement, then the rest by date), each read
through its own index only as far as the page needs, and a search with very many hits
ranks only the newest of them, so a common word neither counts nor ranks the whole
library; then the page's resources are loaded with ts_headline snippets of their
summaries. Every statement is one round trip, its settings included. Counts, page ids
and phrase pairs are cached (search.cache).
"""

import re
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils import timezone

from network.search_text import HIGHLIGHT_START, HIGHLIGHT_STOP, marked_extract
from practice_library.models import Resource
from practice_library.search import cache, facets
from practice_library.search.counting import RANK_ALL_UP_TO, CountingPass
from practice_library.search.facets import Counts
from practice_library.search.params import SearchParams, required_phrases
from practice_library.search.phrases import phrase_pairs, tsquery_lexeme
from practice_library.search.ranking import rank_floor, tier_tests, window_source

_NEGATION = re.compile(r"(^|\s)-")
# Memory one search may use for its matches and their grouping (per statement).
SEARCH_WORK_MEM = "32MB"
# A search with very many hits ranks only this many of the newest matches in its title
# and in its title and summary (PostgresEngine._ranked_ids).
RANK_WINDOW = 200
# Hits are common enough to be found by walking a date index, testing entries one by
# one, when at least one entry in WALK_AMONG is a hit (a page: a few hundred entries).
WALK_AMONG = 20
# The ranked tiers of such a search walk the date index when that visits fewer entries
# than their GIN index would name: RANK_WINDOW * entries / hits against hits, each
# entry costing about the same (a heap visit and a test of the small ranking vector).
# A page newest first of a search counted from a sample is first read above the date of
# the sample's k-th newest hit, k being the sample's share of the page plus this margin:
# 32 * 4 hits are expected above it when a page needs 20, and the page is read again
# without that bound in the rare case it falls short.
FLOOR_MARGIN = 3


def _search_query(q: str) -> SearchQuery:
    return SearchQuery(q, search_type="websearch", config="english")


class PostgresEngine(CountingPass):
    """One search over the search entries."""

    def __init__(
        self, params: SearchParams, *, type_ids: dict[str, int], topic_ids: dict[str, int]
    ):
        self.params = params
        self._type_ids = type_ids
        self._topic_ids = topic_ids
        self._now = timezone.now()
        self._counts: Counts | None = None
        self._match: tuple[str, dict] | None = None  # the counts and the page both use it
        # Page ids found by the exact counting pass, by (offset, limit) (_count).
        self._counted_pages: dict[tuple[int, int], list[int]] = {}

    def page(self) -> Page:
        hits = _EntryHits(self, total=self.counts().total)
        return Paginator(hits, settings.LIBRARY_PAGE_SIZE).get_page(self.params.page)

    @property
    def approximate(self) -> bool:
        return self.counts().approximate

    @property
    def total_estimated(self) -> bool:
        return self.counts().total_estimated

    def counts(self) -> Counts:
        """The number of hits and every facet's counts (cached, and dropped whenever the
        library changes)."""
        if self._counts is None:
            self._counts = cache.counts_cached(
                self.params,
                lambda: facets.counts_estimated(count=self._count, exact_total=self._total),
            )
        return self._counts

    def page_ids(self, *, offset: int, limit: int) -> list[int]:
        """The ids of one page of hits, in order (cached like the counts)."""

        def compute() -> list[int]:
            counted = self._counted_pages.get((offset, limit))
            return counted if counted is not None else self._page(offset=offset, limit=limit)

        return cache.page_ids_cached(self.params, offset=offset, limit=limit, compute=compute)

    def _filters(self) -> tuple[dict[str, str], dict]:
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

    def _where_match(self) -> tuple[str, dict]:
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
        q = self.params.text
        if not q:
            return where, params
        phrases = phrase_pairs(required_phrases(q))
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
        params.update(q=q, match=match, pairs=" & ".join(tsquery_lexeme(p) for p in pairs))
        return where, params

    def _run(self, sql: str, params: dict, *, walk: bool = False) -> list[tuple]:
        """Run one search statement. With search text, PostgreSQL is told to use the GIN
        indexes rather than read the table in full: its cost model does not know that
        testing an entry unpacks its (large, compressed) document vector, which over a
        whole library is seconds instead of milliseconds. For the same reason it may
        walk a date index, testing entries one by one, only when `walk` says that the
        matches are common enough for a page of them to come within a few hundred
        entries. The matches of a common word (about 100 bytes each) also outgrow the
        default work_mem and would spill to a temporary file.

        SET LOCAL travels in the same round trip as the statement. Outside a transaction
        the statements of one round trip are a transaction of their own (PostgreSQL's
        implicit transaction block), so the settings end with the statement, and no
        BEGIN and COMMIT cost two more round trips, each a wait for a busy server's
        process to be scheduled. Inside a transaction they end with it, as before."""
        settings_sql = f"SET LOCAL work_mem = '{SEARCH_WORK_MEM}'; "
        if self.params.q:
            settings_sql += "SET LOCAL enable_seqscan = off; "
            if not walk:
                settings_sql += "SET LOCAL enable_indexscan = off; "
        sql = settings_sql + sql
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _where(self) -> tuple[str, dict]:
        """The hits' condition: live, matching the text, and every active facet."""
        match, params = self._where_match()
        conditions, facet_params = self._filters()
        params.update(facet_params)
        return " AND ".join([match, *conditions.values()]), params

    def _page(self, *, offset: int, limit: int) -> list[int]:
        """The ids of one page of hits in order: newest first or, by relevance, in three
        tiers, each read by its own index and only as far as the page needs:

        1. the title matches the whole search, ranked by ts_rank on title and summary;
        2. the title and summary together match it, ranked the same way;
        3. the rest (words only in the body or a file), newest first.

        Ranking every hit instead would rank most of a large library for a common word.
        Without a minus in the search, a title or summary that matches implies that the
        whole document does, so tiers 1 and 2 need not read the document vectors.
        """
        where, params = self._where()
        newest = "e.published_at DESC, e.resource_id DESC"
        counts = self.counts()
        many = counts.total > RANK_ALL_UP_TO
        # Walking the date index finds a page of hits within LIMIT * WALK_AMONG entries.
        # The number of entries is not known in a table never analysed: a small library.
        walk = counts.total * WALK_AMONG >= counts.entries if counts.entries > 0 else many
        if self.params.effective_sort != "relevance":
            return self._ids(
                where,
                params,
                order=newest,
                offset=offset,
                limit=limit,
                walk=walk,
                floor=self._date_floor(counts.newest_dates, offset + limit),
            )
        query = "websearch_to_tsquery('english', %(q)s)"
        in_title = f"ts_filter(e.ranking, '{{a}}') @@ {query}"
        in_ranking = f"e.ranking @@ {query}"
        negated = bool(_NEGATION.search(self.params.text))
        title_test, ranking_test = tier_tests(params, negated=negated)
        if negated:
            ranked_where = where
        else:
            ranked_where = " AND ".join(["e.published_at <= %(now)s", *self._filters()[0].values()])
        rank = f"ts_rank(e.ranking, {query})"
        # The two ranked tiers are read in one statement (a round trip fewer), the
        # third only when they do not fill the page.
        ranked = self._ranked_ids(
            [
                f"{ranked_where} AND {title_test}",
                f"{ranked_where} AND {ranking_test} AND NOT ({in_title})",
            ],
            [
                f"{ranked_where} AND {in_title}",
                f"{ranked_where} AND {in_ranking} AND NOT ({in_title})",
            ],
            params,
            rank=rank,
            limit=offset + limit,
            many=many,
            # Tier by tier: a word that many summaries hold and few titles would have
            # PostgreSQL walk most of the library in search of the titles.
            walks=[
                bool(counts.entries) and hits * hits >= RANK_WINDOW * counts.entries
                for hits in (counts.in_title, counts.in_summary)
            ],
            floors=[
                rank_floor(dates, every=counts.sample_every, window=RANK_WINDOW)
                for dates in (counts.title_dates, counts.summary_dates)
            ],
        )
        if len(ranked) >= offset + limit:
            return ranked[offset:]
        rest_offset = max(0, offset - len(ranked))
        rest_limit = offset + limit - max(offset, len(ranked))
        rest = self._ids(
            f"{where} AND NOT ({in_ranking})",
            params,
            order=newest,
            offset=rest_offset,
            limit=rest_limit,
            walk=walk,
            floor=self._date_floor(counts.rest_dates, rest_offset + rest_limit),
        )
        return ranked[offset:] + rest

    def _ranked_ids(
        self,
        tiers: list[str],
        dated_tiers: list[str],
        params: dict,
        *,
        rank: str,
        limit: int,
        many: bool,
        walks: list[bool],
        floors: list[datetime | None],
    ) -> list[int]:
        """The first `limit` ids of these tiers, each ranked by `rank` then newest first,
        one tier after the other: PostgreSQL reads the second only when the first falls
        short (an Append under a Limit, without parallel workers, returns its parts in
        order and stops).

        A search with very many hits (`many`) ranks only the newest RANK_WINDOW
        matches of each tier, then lists the tier's older matches newest first: ranking
        every title that holds a common word visits thousands of entries, and the best
        among the newest of them are what readers of such a search look at. When the
        hits of a tier are also common (`walks`), PostgreSQL may find them by walking the
        date index, testing each entry's small ranking vector; the other tiers are read
        through their GIN index (their date order is written as an expression, which no
        index provides). Whether hits are common comes from the sample's own count of
        them, so a quoted phrase walks only when its sample says it is common (PostgreSQL
        has no statistics on phrases, and must not be the one to judge). A window is read
        above a date from the sample first (search.ranking)."""
        walks = [walk and many for walk in walks]
        newest = "e.published_at DESC, e.resource_id DESC"
        selects = []
        params = {**params, "limit": limit, "window": RANK_WINDOW}
        for i, (condition, dated, walk, floor) in enumerate(
            zip(tiers, dated_tiers, walks, floors, strict=True)
        ):
            source = "practice_library_searchentry e"
            by_date = newest if walk else "e.published_at + interval '0 s' DESC, e.resource_id DESC"
            if many:
                floor_param = None
                if floor is not None:
                    floor_param = f"floor{i}"
                    params[floor_param] = floor
                source = window_source(
                    condition, dated=dated, by_date=by_date, floor_param=floor_param
                )
            selects.append(
                f"""(SELECT {rank} AS rank, e.published_at, e.resource_id
                FROM {source} WHERE {"TRUE" if many else condition}
                ORDER BY rank DESC, {newest} LIMIT %(limit)s)"""
            )
            if many:
                selects.append(
                    f"""(SELECT 0, e.published_at, e.resource_id
                    FROM practice_library_searchentry e WHERE {condition}
                    ORDER BY {by_date} LIMIT %(limit)s OFFSET %(window)s)"""
                )
        rows = self._run(
            "SET LOCAL max_parallel_workers_per_gather = 0; "
            f"""SELECT resource_id FROM ({" UNION ALL ".join(selects)}) tiers LIMIT %(limit)s""",
            params,
            walk=any(walks),
        )
        return [row[0] for row in rows]

    def _date_floor(self, dates: tuple, needed: int) -> datetime | None:
        """A date above which the first `needed` hits newest first very likely lie,
        from the sample the counts were estimated from (None: no sample, or it holds
        too few hits)."""
        every = self.counts().sample_every
        if not every:
            return None
        k = -(-needed // every) + FLOOR_MARGIN
        return dates[k - 1] if len(dates) >= k else None

    def _ids(
        self,
        where: str,
        params: dict,
        *,
        order: str,
        offset: int,
        limit: int,
        walk: bool,
        floor: datetime | None = None,
    ) -> list[int]:
        """One slice of hits in `order` (newest first when there is a `floor`).

        Above a floor, PostgreSQL visits only the matches that the date index and the
        GIN index both name (a BitmapAnd): a few hundred entries instead of every match
        of a common word, however large the library. Every hit above it comes before
        every hit below, so when the slice is full it is the slice without the floor."""
        sql = f"""SELECT e.resource_id FROM practice_library_searchentry e WHERE {{}}
            ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"""
        params = {**params, "limit": limit, "offset": offset}
        if floor is not None:
            rows = self._run(
                sql.format(f"{where} AND e.published_at >= %(floor)s"),
                {**params, "floor": floor},
                walk=walk,
            )
            if len(rows) == limit:
                return [row[0] for row in rows]
        rows = self._run(sql.format(where), params, walk=walk)
        return [row[0] for row in rows]

    def resources(self, ids: list[int]) -> list[Resource]:
        """The page's resources in order, with a highlighted extract of each summary
        (the summary is public: no body text is shown to someone who may not read it)."""
        if not ids:
            return []
        queryset = Resource.objects.filter(pk__in=ids).for_listing().defer("body", "body_html")
        if self.params.q:
            queryset = queryset.annotate(
                headline=SearchHeadline(
                    "summary",
                    _search_query(self.params.text),
                    config="english",
                    start_sel=HIGHLIGHT_START,
                    stop_sel=HIGHLIGHT_STOP,
                    # A summary that does not hold every word of the search is shown
                    # from its beginning, min_words long: most summaries whole.
                    max_words=45,
                    min_words=35,
                    short_word=3,
                )
            )
        by_id = {resource.pk: resource for resource in queryset}
        resources = [by_id[pk] for pk in ids if pk in by_id]
        for resource in resources:
            resource.snippet = marked_extract(
                getattr(resource, "headline", resource.summary), resource.summary
            )
        return resources


class _EntryHits:
    """The hits of a search for Django's Paginator: it knows their number from the
    counts, and fetches only the slice of ids a page shows."""

    def __init__(self, engine: PostgresEngine, *, total: int):
        self.engine = engine
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
        ids = self.engine.page_ids(offset=start, limit=page_size)[: stop - start]
        return self.engine.resources(ids)
