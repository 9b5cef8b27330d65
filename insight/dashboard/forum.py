"""Forum: posts and active members per room, the moderation queue's waiting times,
reports by reason."""

from __future__ import annotations

import statistics
from datetime import timedelta

from django.db.models import Count, Min
from django.utils import timezone

from forum.models import Category, Post, Report, ReportReason, ReviewItem
from insight.periods import Period
from insight.tables import Chart, Table
from network.text import counted


def forum_rooms(period: Period) -> Table:
    rooms = dict(Category.objects.values_list("pk", "name"))
    groups = (
        Post.objects.visible()
        .filter(created_at__gte=period.start, created_at__lt=period.end)
        .values("thread__category_id")
        .annotate(posts=Count("pk"), people=Count("author", distinct=True))
        .order_by("-posts")
    )
    rows = [[rooms.get(g["thread__category_id"], "?"), g["posts"], g["people"]] for g in groups]
    return Table(
        slug="forum-rooms",
        title="Posts and active members per room",
        headings=["Room", "Posts", "Members who posted"],
        rows=rows,
        summary=f"{counted(sum(r[1] for r in rows), 'post')} in {counted(len(rows), 'room')}.",
        chart=Chart(
            kind="bar",
            categories=[row[0] for row in rows],
            series=[("Posts", [row[1] for row in rows])],
        )
        if rows
        else None,
    )


def _hours(delta: timedelta | None) -> str:
    if delta is None:
        return "–"
    return f"{delta.total_seconds() / 3600:.1f} hours"


def forum_moderation(period: Period) -> list[Table]:
    resolved = ReviewItem.objects.filter(resolved_at__gte=period.start, resolved_at__lt=period.end)
    waits = [
        resolved_at - created_at
        for created_at, resolved_at in resolved.values_list("created_at", "resolved_at")
    ]
    waiting = ReviewItem.objects.filter(resolved_at__isnull=True).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    now = timezone.now()
    rows = [
        ["Items decided", len(waits)],
        ["Median wait before a decision", _hours(statistics.median(waits) if waits else None)],
        ["Longest wait before a decision", _hours(max(waits) if waits else None)],
        ["Waiting now", waiting["n"]],
        ["Waiting longest now", _hours(now - waiting["oldest"] if waiting["oldest"] else None)],
    ]
    reasons = dict(ReportReason.choices)
    reports = [
        [reasons.get(reason, reason), n]
        for reason, n in Report.objects.filter(
            created_at__gte=period.start, created_at__lt=period.end
        )
        .values("reason")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("reason", "n")
    ]
    return [
        Table(
            slug="moderation",
            title="Moderation queue waiting times",
            headings=["", period.label],
            rows=rows,
            summary=f"{counted(len(waits), 'item')} decided; median wait {rows[1][1]}, longest {rows[2][1]}.",
        ),
        Table(
            slug="reports",
            title="Reports by reason",
            headings=["Reason", "Reports"],
            rows=reports,
            summary=f"{counted(sum(r[1] for r in reports), 'report')}.",
        ),
    ]
