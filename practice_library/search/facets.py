"""Facets (type, topic, audience, year) and their counts, exact or estimated.

Facets are counted "disjunctively": the counts of one facet apply every other active
filter but not its own, so ticking a second type widens the results as the counts
promise. On PostgreSQL a search with very many matches is estimated from a fixed sample
of the entries (one in SAMPLE_EVERY, or in SPARSE_SAMPLE_EVERY for the most common
words): the page then says "about".
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from members.models import MemberType
from network.models import Topic
from practice_library.models import ResourceType
from practice_library.search.params import SearchParams

# Counting: every hit up to this many, otherwise one entry in SAMPLE_EVERY (a power of
# two). The sample's partial indexes (migration 0008) say the same number. Counting
# exactly visits every match in the heap (about 3 ms a thousand on two busy cores), so
# this bounds a first search's dearest statement; the sample of a search past it still
# holds some 80 matches, and its totals are shown to two figures.
EXACT_UP_TO = 2_500
SAMPLE_EVERY = 32
# Fewer hits than this in the sample: the total is counted exactly after all.
FEW_IN_SAMPLE = 20
# A sparser sample, counted first (its partial indexes: migration 0009). A search that
# matches at least SPARSE_ENOUGH of its entries (a common word: over 50,000 hits) is
# estimated from it alone, so the work of counting stays the same however large the
# library grows; in a library of a million entries the finer sample holds 31,250.
SPARSE_SAMPLE_EVERY = 256
SPARSE_ENOUGH = 200
# The sample's newest hits whose dates the counts keep (Counts.newest_dates).
SAMPLE_DATES = 8
# The same for the sample's newest matches of each ranked tier (Counts.title_dates), which
# date the window of a search with very many hits (postgres.RANK_WINDOW): enough for one
# in SAMPLE_EVERY to reach past it with a margin (ranking.rank_floor).
RANK_SAMPLE_DATES = 16


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    # Set by Facet: what the page writes for the option, put together once here since a
    # search's page lists some forty options and the template would look up and format
    # each part for each of them (a quarter of rendering the results).
    input_id: str = ""
    count_text: str = ""


@dataclass
class Facet:
    name: str  # the query-string key
    label: str
    options: list[FacetOption]
    approximate: bool = False  # the counts are estimates ("about 1,200")

    def __post_init__(self) -> None:
        about = "about " if self.approximate else ""
        for option in self.options:
            option.input_id = f"facet-{self.name}-{option.value}"
            # Digits grouped by commas, as |intcomma writes them for en-gb.
            option.count_text = f"{about}{option.count:,}" if option.count else ""


@dataclass
class Counts:
    """Hits and facet counts of one search (cached between requests)."""

    total: int = 0
    # Entries the counting pass visits: every match of the text, whatever the facets
    # (their counts are disjunctive); what exact counting costs.
    matched: int = 0
    # Live entries in the library (PostgreSQL's estimate; 0: not known): how common the
    # hits are, which decides how a page of them is best read.
    entries: int = 0
    # Hits whose title matches the search, and whose summary does but not the title.
    in_title: int = 0
    in_summary: int = 0
    types: dict[int, int] = field(default_factory=dict)
    topics: dict[int, int] = field(default_factory=dict)
    audiences: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)
    approximate: bool = False  # the facets' counts are estimates
    total_estimated: bool = False
    # Estimated from one entry in sample_every (0: every entry was counted): the dates
    # of the sample's newest SAMPLE_DATES hits, newest first, and of those outside the
    # ranked tiers (title and summary). A page newest first lies above such a date.
    sample_every: int = 0
    newest_dates: tuple = ()
    rest_dates: tuple = ()
    # And of the sample's newest RANK_SAMPLE_DATES matches of each ranked tier.
    title_dates: tuple = ()
    summary_dates: tuple = ()

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
            entries=self.entries,
            in_title=self.in_title * factor,
            in_summary=self.in_summary * factor,
            approximate=True,
            total_estimated=True,
            sample_every=factor,
            newest_dates=self.newest_dates,
            rest_dates=self.rest_dates,
            title_dates=self.title_dates,
            summary_dates=self.summary_dates,
        )


def about(n: int) -> int:
    """n to two significant figures (and at least 10): how an estimate is shown."""
    if n < 100:
        return max(10, round(n, -1))
    return round(n, 2 - len(str(n)))


def counts_from_groups(
    rows: list[tuple], *, type_ids: set[int], years: set[int], audiences: set[str]
) -> Counts:
    """The hits and disjunctive facet counts summed from the rows of the PostgreSQL
    engine's GROUPING SETS: (by_topics, type, year, audiences, topic_ok, topic ids,
    others_ok, n). A facet's counts apply the other facets' filters, not its own;
    `type_ids`, `years` and `audiences` are those filters (empty: no filter)."""
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


def counts_estimated(*, count: Callable[..., Counts], exact_total: Callable[[], int]) -> Counts:
    """The hits and every facet's counts, from a sample when there are many.

    `count(every=n)` counts one entry in n (1: every entry); `exact_total()` counts the
    hits alone. The sparse sample is counted first, and answers when it holds enough
    matches and hits. Otherwise the finer sample is counted. When it promises that
    exact counting would visit more than EXACT_UP_TO entries (every match of the text,
    whatever the facets), its counts, scaled up, are the answer and say they are
    approximate: counting every match of a common word in a large library exactly
    would visit most of it on every search. Otherwise every hit is counted."""
    counts = count(every=SPARSE_SAMPLE_EVERY)
    if counts.matched >= SPARSE_ENOUGH and counts.total >= FEW_IN_SAMPLE:
        return counts.scaled(SPARSE_SAMPLE_EVERY)
    counts = count(every=SAMPLE_EVERY)
    if counts.matched * SAMPLE_EVERY <= EXACT_UP_TO:
        return count(every=1)
    few = counts.total < FEW_IN_SAMPLE
    counts = counts.scaled(SAMPLE_EVERY)
    if few:
        # Narrow filters on a broad search: the sample may hold none of the few hits,
        # and a page must never say none when there are some.
        counts.total = exact_total()
        counts.total_estimated = False
    return counts


def facets_build(
    params: SearchParams,
    counts: Counts,
    *,
    resource_types: list[ResourceType],
    topics: list[Topic],
) -> list[Facet]:
    """The facets' options with their counts. Options nothing matches are left out,
    unless the counts are estimates: an option missing from the sample may still have a
    few matches, so it is listed, without a count."""
    every_option = counts.approximate
    type_counts, topic_counts = counts.types, counts.topics
    audience_counts, year_counts = counts.audiences, counts.years
    return [
        Facet(
            "type",
            "Type",
            [
                FacetOption(t.slug, t.name, type_counts.get(t.pk, 0), t.slug in params.types)
                for t in resource_types
                if every_option or type_counts.get(t.pk) or t.slug in params.types
            ],
            approximate=counts.approximate,
        ),
        Facet(
            "topic",
            "Topic",
            [
                FacetOption(t.slug, t.name, topic_counts.get(t.pk, 0), t.slug in params.topics)
                for t in topics
                if every_option or topic_counts.get(t.pk) or t.slug in params.topics
            ],
            approximate=counts.approximate,
        ),
        Facet(
            "audience",
            "Audience",
            [
                FacetOption(value, label, audience_counts.get(value, 0), value in params.audiences)
                for value, label in MemberType.choices
                if every_option or audience_counts.get(value) or value in params.audiences
            ],
            approximate=counts.approximate,
        ),
        Facet(
            "year",
            "Year",
            [
                FacetOption(str(year), str(year), year_counts.get(year, 0), year in params.years)
                for year in sorted(set(year_counts) | set(params.years), reverse=True)
                if year is not None
            ],
            approximate=counts.approximate,
        ),
    ]
