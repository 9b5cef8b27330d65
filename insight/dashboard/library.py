"""Library: most read and downloaded, searches that found nothing, resources past review."""

from __future__ import annotations

from django.db.models import Sum

from insight.dashboard.common import TOP
from insight.models import DailyActivity, Kind
from insight.periods import Period
from insight.tables import Chart, Table
from network.text import counted
from practice_library.models import Resource


def _top_subjects(period: Period, kind: str, limit: int = TOP) -> list[tuple[int, int]]:
    return list(
        DailyActivity.objects.filter(kind=kind, day__gte=period.first, day__lte=period.last)
        .values("subject_id")
        .annotate(n=Sum("count"))
        .order_by("-n", "subject_id")
        .values_list("subject_id", "n")[:limit]
    )


def library_top(period: Period, kind: str) -> Table:
    top = _top_subjects(period, kind)
    titles = dict(Resource.objects.filter(pk__in=[pk for pk, _ in top]).values_list("pk", "title"))
    rows = [[titles.get(pk, "(deleted)"), n] for pk, n in top]
    verb = "read" if kind == Kind.RESOURCE_VIEW else "downloaded"
    lead = f" Top: {rows[0][0]}, {rows[0][1]:,} times." if rows else " Nothing yet."
    return Table(
        slug=f"most-{verb}",
        title=f"Most {verb} resources",
        headings=["Resource", "Times " + verb],
        rows=rows,
        summary=f"Bar chart of the {counted(len(rows), f'most {verb} resource')}.{lead}",
        chart=Chart(
            kind="bar",
            categories=[row[0] for row in rows],
            series=[(f"Times {verb}", [row[1] for row in rows])],
        )
        if rows
        else None,
    )


# The longest lists the dashboard lists, most frequent or most overdue first; the
# summaries count them all.
EMPTY_SEARCHES_LISTED = 50
REVIEW_DUE_LISTED = 200


def library_empty_searches(period: Period) -> Table:
    searches = (
        DailyActivity.objects.filter(
            kind=Kind.LIBRARY_SEARCH_EMPTY, day__gte=period.first, day__lte=period.last
        )
        .values("term")
        .annotate(n=Sum("count"))
    )
    rows = [
        list(row)
        for row in searches.order_by("-n", "term").values_list("term", "n")[:EMPTY_SEARCHES_LISTED]
    ]
    total = searches.count() if len(rows) == EMPTY_SEARCHES_LISTED else len(rows)
    return Table(
        slug="empty-searches",
        title="Searches that found nothing",
        headings=["Words searched", "Times"],
        rows=rows,
        listed_of=total,
        summary=f"{counted(total, 'different search', 'different searches')} found nothing."
        + (f" Most often: “{rows[0][0]}”." if rows else "")
        + (f" The {len(rows)} most frequent are listed." if total > len(rows) else ""),
        note="What members look for and the library lacks. Only the words are kept.",
    )


def library_review_due(period: Period) -> Table:
    due = Resource.objects.review_due()
    listed = due.order_by("review_due").values_list("title", "review_due")[:REVIEW_DUE_LISTED]
    rows = [[title, f"{day:%-d %b %Y}"] for title, day in listed]
    total = due.count() if len(rows) == REVIEW_DUE_LISTED else len(rows)
    return Table(
        slug="review-due",
        title="Resources past their review date",
        headings=["Resource", "Review was due"],
        rows=rows,
        listed_of=total,
        summary=(
            "1 resource is past its review date."
            if total == 1
            else f"{total:,} resources are past their review date."
        )
        + (f" The {len(rows)} longest overdue are listed." if total > len(rows) else ""),
    )
