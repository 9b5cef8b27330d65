"""Members: over time, by type, region and source; churn; seats used against bought."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from insight.dashboard.common import sample_days
from insight.models import MemberCount, Source
from insight.periods import Period
from insight.tables import Chart, Table, change, percent
from members import access
from members.models import (
    MemberType,
    Organisation,
    Region,
)
from network.text import counted


def members_over_time(period: Period) -> Table:
    days = sample_days(period)
    totals: dict = defaultdict(lambda: defaultdict(int))
    for day, source, members in (
        MemberCount.objects.filter(day__in=days)
        .values("day", "source")
        .annotate(n=Sum("members"))
        .values_list("day", "source", "n")
    ):
        totals[day][source] = members
    sources = list(Source)
    rows = [
        [f"{day:%-d %b %Y}", *[totals[day][s.value] for s in sources], sum(totals[day].values())]
        for day in days
    ]
    last = rows[-1][-1] if rows else 0
    first = rows[0][-1] if rows else 0
    return Table(
        slug="members-over-time",
        title="Members over time, by how they are members",
        headings=["Day", *[s.label for s in sources], "All members"],
        rows=rows,
        summary=f"Line chart of members by source, {period.describe()}: {first:,} on the "
        f"first day shown, {last:,} on the last.",
        chart=Chart(
            kind="line",
            categories=[row[0] for row in rows],
            series=[(s.label, [row[i + 1] for row in rows]) for i, s in enumerate(sources)],
        ),
        shown=400,
    )


def members_by(period: Period, field: str) -> Table:
    choices = dict(MemberType.choices if field == "member_type" else Region.choices)
    counts = dict(
        MemberCount.objects.filter(day=period.last)
        .values(field)
        .annotate(n=Sum("members"))
        .values_list(field, "n")
    )
    rows = sorted(
        ([choices.get(key, "Not stated"), n] for key, n in counts.items()),
        key=lambda row: -row[1],
    )
    what = "type" if field == "member_type" else "region"
    top = f" Most: {rows[0][0]}, {rows[0][1]:,}." if rows else " No members counted yet."
    return Table(
        slug=f"members-by-{what}",
        title=f"Members by {what} on {period.last:%-d %b %Y}",
        headings=["Member type" if what == "type" else "Region", "Members"],
        rows=rows,
        summary=f"Bar chart of members by {what}.{top}",
        chart=Chart(
            kind="bar",
            categories=[row[0] for row in rows],
            series=[("Members", [row[1] for row in rows])],
        ),
    )


def membership_churn(period: Period, compared: Period | None) -> Table:
    now = access.membership_changes(start=period.start, end=period.end)
    before = access.membership_changes(start=compared.start, end=compared.end) if compared else None
    rows = [
        ["Held at the start", now.at_start, change(now.at_start, before and before.at_start)],
        ["Joined", now.joined, change(now.joined, before and before.joined)],
        ["Lapsed", now.lapsed, change(now.lapsed, before and before.lapsed)],
        [
            "Churn rate",
            percent(now.churn_rate),
            "" if before is None else f"was {percent(before.churn_rate)}",
        ],
    ]
    return Table(
        slug="membership-churn",
        title="Joined, lapsed and churn",
        headings=["Memberships", period.label, "Against the period before"],
        rows=rows,
        summary=f"{counted(now.joined, 'membership')} started and {now.lapsed:,} ended; churn rate "
        f"{percent(now.churn_rate)}.",
        note="A membership is a person's or an organisation's subscription, or a staff grant.",
    )


def seats(period: Period) -> Table:
    use = access.seat_use()
    names = dict(
        Organisation.objects.filter(pk__in=[u.organisation_id for u in use]).values_list(
            "pk", "name"
        )
    )
    rows = sorted(
        (
            [names.get(u.organisation_id, "?"), u.used, u.bought, percent(u.used / u.bought)]
            if u.bought
            else [names.get(u.organisation_id, "?"), u.used, 0, "–"]
            for u in use
        ),
        key=lambda row: (row[2] == 0, row[1] / row[2] if row[2] else 0),
    )
    used, bought = sum(row[1] for row in rows), sum(row[2] for row in rows)
    return Table(
        slug="seats",
        title="Seats used and bought, per organisation (least used first)",
        headings=["Organisation", "Seats used", "Seats bought", "Used"],
        rows=rows,
        summary=f"{used:,} of {counted(bought, 'seat')} used across "
        f"{counted(len(rows), 'organisation')}.",
    )
