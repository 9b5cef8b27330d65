"""Library: most read and downloaded, searches that found nothing, resources past review."""

from __future__ import annotations

from django.db.models import Sum

from insight.dashboard.common import TOP
from insight.models import DailyActivity, Kind
from insight.periods import Period
from insight.tables import Chart, Table, counted
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


def library_empty_searches(period: Period) -> Table:
    rows = [
        list(row)
        for row in DailyActivity.objects.filter(
            kind=Kind.LIBRARY_SEARCH_EMPTY, day__gte=period.first, day__lte=period.last
        )
        .values("term")
        .annotate(n=Sum("count"))
        .order_by("-n", "term")
        .values_list("term", "n")[:50]
    ]
    return Table(
        slug="empty-searches",
        title="Searches that found nothing",
        headings=["Words searched", "Times"],
        rows=rows,
        summary=f"{counted(len(rows), 'different search', 'different searches')} found nothing."
        + (f" Most often: “{rows[0][0]}”." if rows else ""),
        note="What members look for and the library lacks. Only the words are kept.",
    )


def library_review_due(period: Period) -> Table:
    due = Resource.objects.review_due().order_by("review_due").values_list("title", "review_due")
    rows = [[title, f"{day:%-d %b %Y}"] for title, day in due[:200]]
    return Table(
        slug="review-due",
        title="Resources past their review date",
        headings=["Resource", "Review was due"],
        rows=rows,
        summary=(
            "1 resource is past its review date."
            if len(rows) == 1
            else f"{len(rows):,} resources are past their review date."
        ),
    )
