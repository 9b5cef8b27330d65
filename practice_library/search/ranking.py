"""The ranking window of a PostgreSQL search with very many hits, read above a date.

Such a search ranks only the newest RANK_WINDOW matches of each ranked tier
(PostgresEngine._ranked_ids). Found through the tier's GIN index, those are every match
of the tier, sorted by date: a phrase whose words many summaries hold apart names tens
of thousands of entries in a large library, each one a heap visit. The counting sample
keeps the dates of its own newest matches of each tier (Counts.title_dates), and the
window is first read above the date of the sample's k-th newest, k being the sample's
share of the window and a margin (rank_floor): the date index and the GIN index together
(a BitmapAnd) then name only the entries above it. When that read is full, it is the
window (every match above the date comes before every match below); otherwise, in the
same statement, the window is read again without the date.
"""

import math
from datetime import datetime

# The sample holds about window / every of the window's matches (a Poisson number: the
# sample is one entry in `every` by id, unrelated to the text); k is that share plus
# RANK_FLOOR_SPREAD standard deviations and one, so that fewer than the window lie
# above the k-th newest about once in a hundred searches or less (k = 14 for one entry
# in 32 and a window of 200, 4 for one in 256), and the window is then read twice.
RANK_FLOOR_SPREAD = 2.5


def rank_floor(dates: tuple, *, every: int, window: int) -> datetime | None:
    """The date above which the tier's newest `window` matches very likely lie, from
    the sample's newest matches of the tier (None: no sample, or too few matches)."""
    if not every:
        return None
    share = window / every
    k = math.ceil(share + RANK_FLOOR_SPREAD * math.sqrt(share)) + 1
    return dates[k - 1] if len(dates) >= k else None


def window_source(condition: str, *, dated: str, by_date: str, floor_param: str | None) -> str:
    """SQL for the newest %(window)s entries meeting `condition` in `by_date` order
    (resource_id, published_at, ranking), read above %(<floor_param>)s first when
    there is one, with `dated`: the same test, written without a phrase's word pair
    (tier_tests), whose GIN scan PostgreSQL thinks names a handful of entries, so that it
    would not add the date index to the BitmapAnd. The fallback's guard names no column
    of its rows, so PostgreSQL tests it once (a one-time filter) and reads nothing when
    the first read is full."""
    unbounded = f"""SELECT e.resource_id, e.published_at, e.ranking
        FROM practice_library_searchentry e WHERE {condition}
        ORDER BY {by_date} LIMIT %(window)s"""
    if floor_param is None:
        return f"({unbounded}) e"
    return f"""(WITH above AS MATERIALIZED (
            SELECT e.resource_id, e.published_at, e.ranking
            FROM practice_library_searchentry e
            WHERE {dated} AND e.published_at >= %({floor_param})s
            ORDER BY {by_date} LIMIT %(window)s)
        SELECT * FROM above WHERE (SELECT count(*) FROM above) = %(window)s
        UNION ALL
        (SELECT * FROM ({unbounded}) below
         WHERE (SELECT count(*) FROM above) < %(window)s)) e"""


def tier_tests(params: dict, *, negated: bool) -> tuple[str, str]:
    """SQL testing whether an entry's title matches the search, and whether its title
    and summary do, as the ranked tiers read them.

    The ranking vector holds no word pairs: a quoted phrase's GIN scan names every
    entry whose title or summary holds its words anywhere, and checking the phrase
    visits each of them (tens of thousands, for two words many summaries hold apart).
    When every phrase is two words (the search's `match` keeps no quotes) and nothing is
    negated, the tiers are found instead where the ranking vector holds the words and
    the document holds their pair (every hit does): two exact GIN scans whose BitmapAnd
    names a few of those entries. The phrase is then checked in a form no index serves
    (`|| ''`), so PostgreSQL tests it on those entries alone, and never reads a document
    vector to recheck."""
    query = "websearch_to_tsquery('english', %(q)s)"
    in_title = f"ts_filter(e.ranking, '{{a}}') @@ {query}"
    in_ranking = f"e.ranking @@ {query}"
    if negated or "pairs" not in params or '"' in params["match"]:
        return in_title, in_ranking
    words = "websearch_to_tsquery('english', %(match)s)"
    pairs = "e.document @@ %(pairs)s::tsquery"
    unindexed = "(e.ranking || ''::tsvector)"
    return (
        f"ts_filter(e.ranking, '{{a}}') @@ {words} AND {pairs}"
        f" AND ts_filter({unindexed}, '{{a}}') @@ {query}",
        f"e.ranking @@ {words} AND {pairs} AND {unindexed} @@ {query}",
    )
