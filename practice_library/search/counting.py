"""The counting pass of the PostgreSQL engine (PostgresEngine inherits it): one
statement over the matching search entries that counts the hits and every facet
(GROUPING SETS), the hits whose title, or title and summary, match, and, since it
visits every hit anyway, reads the requested page from the same rows. On a sample of
the entries it also keeps the dates of the sample's newest hits, which date the newest
pages (PostgresEngine._date_floor).
"""

from django.conf import settings

from practice_library.search import facets
from practice_library.search.facets import Counts

# Up to this many hits every match of the ranked tiers is ranked, whether the hits were
# counted exactly or estimated from the sample (facets.EXACT_UP_TO).
RANK_ALL_UP_TO = 5_000


class CountingPass:
    """Needs the engine's params, _where, _where_match, _filters, _run, _type_ids and
    _counted_pages."""

    def _total(self) -> int:
        """The exact number of hits, facets applied. The hits are few (the sample held
        fewer than FEW_IN_SAMPLE), so the same pass also reads the requested page."""
        where, params = self._where()
        relevance = self.params.effective_sort == "relevance"
        columns = self._hit_columns(relevance=relevance)
        params.update(self._page_params())
        rows = self._run(
            f"""
            WITH hits AS MATERIALIZED (
                SELECT {columns}, TRUE AS topic_ok, TRUE AS others_ok
                FROM practice_library_searchentry e
                WHERE {where}
            )
            SELECT (SELECT count(*) FROM hits), {self._page_of_hits(relevance=relevance)}
            """,
            params,
        )
        total, page = rows[0]
        if total <= RANK_ALL_UP_TO:
            self._counted_pages[self._page_key()] = list(page)
        return total

    def _hit_columns(self, *, relevance: bool) -> str:
        """What a counting pass keeps of each hit to read a page from it as well."""
        query = "websearch_to_tsquery('english', %(q)s)" if self.params.q else "NULL::tsquery"
        rank = (
            f"CASE WHEN e.ranking @@ {query} THEN ts_rank(e.ranking, {query}) END"
            if relevance
            else "NULL::real"
        )
        return f"""e.resource_id, e.published_at,
                   coalesce(ts_filter(e.ranking, '{{a}}') @@ {query}, FALSE) AS in_title,
                   coalesce(e.ranking @@ {query}, FALSE) AS in_ranking,
                   {rank} AS rank"""

    def _page_key(self) -> tuple[int, int]:
        """(offset, limit) of the requested page, as _EntryHits asks for it."""
        return (self.params.page - 1) * settings.LIBRARY_PAGE_SIZE, settings.LIBRARY_PAGE_SIZE

    def _page_params(self) -> dict:
        offset, limit = self._page_key()
        return {"page_offset": offset, "page_limit": limit}

    def _count(self, *, every: int) -> Counts:
        """The hits and facet counts of one entry in `every` (1: all of them): one
        statement, one pass over the matching entries (a materialised CTE). With them,
        the hits whose title, or title and summary, match, and PostgreSQL's estimate of
        the number of entries, from its catalogue.

        Facets are disjunctive: a facet's counts apply the other facets' filters, not its
        own. GROUPING SETS return (a) hits grouped by type, year, audiences and whether
        they pass the topic filter, and (b) hits grouped by topics and whether they pass
        the other filters; the counts are summed here from those few hundred rows.
        """
        match, params = self._where_match()
        if every > 1:
            # The same entries either way (`every` is a power of two), written so that
            # each partial index serves only its own kind of count: were the date index
            # usable by a text search, the planner might test documents one by one.
            if self.params.q:
                match += f" AND e.resource_id %% {every} = 0"
            else:
                match += f" AND (e.resource_id & {every - 1}) = 0"
        conditions, facet_params = self._filters()
        params.update(facet_params)
        topic_ok = conditions.get("topic", "TRUE")
        others_ok = " AND ".join(c for name, c in conditions.items() if name != "topic") or "TRUE"
        # Counting every hit already visits each one: the requested page is read from
        # the same rows (_page_of_hits), instead of a second pass over the same matches.
        # With them, the hits whose title, or title and summary, match: how the ranked
        # tiers are read.
        page = "NULL::bigint[]"
        relevance = every == 1 and self.params.effective_sort == "relevance"
        if every == 1:
            page = self._page_of_hits(relevance=relevance)
            params.update(self._page_params())
        # A sample's newest hits date the newest pages (_date_floor).
        dates = dict.fromkeys(("newest", "rest", "title", "summary"), "NULL::timestamptz[]")
        if every > 1:
            dates = {
                name: f"""ARRAY(SELECT published_at FROM hits WHERE topic_ok AND others_ok{extra}
                               ORDER BY published_at DESC LIMIT {n})"""
                for name, extra, n in (
                    ("newest", "", facets.SAMPLE_DATES),
                    ("rest", " AND NOT in_ranking", facets.SAMPLE_DATES),
                    ("title", " AND in_title", facets.RANK_SAMPLE_DATES),
                    ("summary", " AND in_ranking AND NOT in_title", facets.RANK_SAMPLE_DATES),
                )
            }
        # The grand total's row (the empty grouping set) alone carries what is said once.
        once = {
            "in_title": "SELECT count(*) FILTER (WHERE in_title) FROM hits"
            " WHERE topic_ok AND others_ok",
            "in_summary": "SELECT count(*) FILTER (WHERE in_ranking AND NOT in_title) FROM hits"
            " WHERE topic_ok AND others_ok",
            "entries": "SELECT greatest(reltuples, 0)::bigint FROM pg_class"
            " WHERE oid = 'practice_library_searchentry'::regclass",
            "page": f"SELECT {page}",
            **{f"{name}_dates": f"SELECT {sql}" for name, sql in dates.items()},
        }
        total_row = "GROUPING(resource_type_id, topic_ids) = 3"
        rows = self._run(
            f"""
            WITH hits AS MATERIALIZED (
                SELECT {self._hit_columns(relevance=relevance)},
                       e.resource_type_id, e.year, e.audiences, e.topic_ids,
                       {topic_ok} AS topic_ok, {others_ok} AS others_ok
                FROM practice_library_searchentry e
                WHERE {match}
            )
            SELECT GROUPING(topic_ids) = 0, resource_type_id, year, audiences, topic_ok,
                   topic_ids, others_ok, count(*), {total_row},
                   {", ".join(f"CASE WHEN {total_row} THEN ({sql}) END" for sql in once.values())}
            FROM hits
            GROUP BY GROUPING SETS (
                (resource_type_id, year, audiences, topic_ok), (topic_ids, others_ok), ()
            )
            """,
            params,
        )
        p = self.params
        counts = facets.counts_from_groups(
            [row[:8] for row in rows if not row[8]],
            type_ids={self._type_ids[slug] for slug in p.types},
            years=set(p.years),
            audiences=set(p.audiences),
        )
        once = dict(zip(once, next(row for row in rows if row[8])[9:], strict=True))
        counts.in_title, counts.in_summary = once["in_title"], once["in_summary"]
        counts.entries = once["entries"]
        if every > 1:
            counts.newest_dates = tuple(once["newest_dates"])
            counts.rest_dates = tuple(once["rest_dates"])
            counts.title_dates = tuple(once["title_dates"])
            counts.summary_dates = tuple(once["summary_dates"])
        # Only while the page is what _page would read: past RANK_ALL_UP_TO hits it
        # ranks only a window of them.
        if every == 1 and counts.total <= RANK_ALL_UP_TO:
            self._counted_pages[self._page_key()] = list(once["page"])
        return counts

    def _page_of_hits(self, *, relevance: bool) -> str:
        """The requested page's ids read from the counting pass's hits, in _page's
        order: by relevance, the title matches ranked, then the title and summary
        matches ranked, then the rest newest first (every tier in full: the pass counts
        at most facets.EXACT_UP_TO hits, fewer than RANK_ALL_UP_TO)."""
        newest = "published_at DESC, resource_id DESC"
        order = (
            f"CASE WHEN in_title THEN 0 WHEN in_ranking THEN 1 ELSE 2 END, "
            f"rank DESC NULLS LAST, {newest}"
            if relevance
            else newest
        )
        return f"""ARRAY(SELECT resource_id FROM hits WHERE topic_ok AND others_ok
                         ORDER BY {order} LIMIT %(page_limit)s OFFSET %(page_offset)s)"""
