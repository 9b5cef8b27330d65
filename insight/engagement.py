"""An organisation's engagement: what its people, together, did with the membership.

Only counts for the organisation, never what a named colleague did: any group of fewer
than 3 people shows "fewer than 3" instead of its numbers, and a resource read by fewer
than 3 is not listed at all (FEWEST). Activity counts come from the daily rollup; the
number of different people in a group comes from the raw events while they are kept
(RAW_EVENT_DAYS), and for longer periods from the busiest day's count, which can only be
lower than the truth, so the rule errs on the side of showing less.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from insight.models import RAW_EVENT_DAYS, ActivityEvent, DailyActivity, Kind
from insight.periods import Period
from insight.tables import Table, change
from members.models import Organisation
from members.organisations.seats import seats_usage
from practice_library.models import Resource

FEWEST = 3
FEWER = "fewer than 3"
TOP = 10

# What the organisation's report counts, in its order.
KINDS = [
    (Kind.RESOURCE_VIEW, "Resources read"),
    (Kind.RESOURCE_DOWNLOAD, "Resources downloaded"),
    (Kind.EVENT_REGISTRATION, "Event registrations"),
    (Kind.EVENT_ATTENDANCE, "Events attended"),
    (Kind.FORUM_THREAD, "Forum threads started"),
    (Kind.FORUM_REPLY, "Forum replies"),
    (Kind.SIGN_IN, "Sign-ins"),
]


def people_text(people: int) -> str:
    """How many people, or "fewer than 3" for one or two (none is none)."""
    if 0 < people < FEWEST:
        return FEWER
    return f"{people:,}"


def count_text(count: int, people: int) -> str:
    """A count of things people did, hidden when fewer than 3 people did them."""
    if 0 < people < FEWEST:
        return FEWER + " people"
    return f"{count:,}"


def _summary_part(row: list[str]) -> str:
    """The row in words: “resources read: 12”, or “resources read by fewer than 3 people”."""
    label, count = row[0].lower(), row[1]
    return f"{label} by {count}" if count.startswith(FEWER) else f"{label}: {count}"


@dataclass
class Engagement:
    organisation: Organisation
    period: Period
    seats_used: int
    seats_total: int
    # Seats kept for colleagues invited but not yet joined: the organisation's page counts
    # them in use, and so does the report.
    seats_invited: int
    active_30: int
    active_90: int
    activity: Table
    top_read: Table
    top_downloaded: Table

    @property
    def tables(self) -> list[Table]:
        return [self.activity, self.top_read, self.top_downloaded]

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables if t.slug == slug), None)


def _people_by(organisation, period: Period, group: str, **filters) -> dict:
    """Different people per `group` value over the period (see the module's note)."""
    if period.first >= timezone.localdate() - timedelta(days=RAW_EVENT_DAYS - 1):
        return dict(
            ActivityEvent.objects.filter(
                organisation=organisation, at__gte=period.start, at__lt=period.end, **filters
            )
            .values(group)
            .annotate(n=Count("user", distinct=True))
            .order_by()
            .values_list(group, "n")
        )
    return dict(
        DailyActivity.objects.filter(
            organisation=organisation, day__gte=period.first, day__lte=period.last, **filters
        )
        .values(group)
        .annotate(n=Max("people"))
        .order_by()
        .values_list(group, "n")
    )


def _counts_by_kind(organisation, period: Period) -> dict:
    return dict(
        DailyActivity.objects.filter(
            organisation=organisation, day__gte=period.first, day__lte=period.last
        )
        .values("kind")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("kind", "n")
    )


def _top(organisation, period: Period, kind: str) -> Table:
    """The resources the organisation's people read (or downloaded) most, among those at
    least FEWEST of them did: in an organisation of two or three, a title read by one or
    two people tells the others what a named colleague read, so it is left out, not only
    its numbers."""
    counts = dict(
        DailyActivity.objects.filter(
            organisation=organisation, kind=kind, day__gte=period.first, day__lte=period.last
        )
        .values("subject_id")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("subject_id", "n")
    )
    people = _people_by(organisation, period, "subject_id", kind=kind)
    shown = sorted(
        ((n, pk) for pk, n in counts.items() if people.get(pk, 0) >= FEWEST),
        key=lambda row: (-row[0], row[1]),
    )[:TOP]
    left_out = len(shown) < len(counts)
    titles = dict(
        Resource.objects.filter(pk__in=[pk for _, pk in shown]).values_list("pk", "title")
    )
    verb = "read" if kind == Kind.RESOURCE_VIEW else "downloaded"
    rows = [
        [titles.get(pk, "(no longer in the library)"), f"{n:,}", f"{people[pk]:,}"]
        for n, pk in shown
    ]
    if len(rows) == 1:
        summary = f"The one resource {FEWEST} or more of your people {verb} in the period."
    elif rows:
        summary = f"The {len(rows)} resources your people {verb} most in the period."
    elif left_out:
        summary = f"No resource was {verb} by {FEWEST} or more of your people in the period."
    else:
        summary = f"Nothing {verb} in the period."
    note = (
        f"Resources {verb} by fewer than {FEWEST} of your people are not listed, so that no"
        " one's own reading can be told apart."
        if left_out
        else ""
    )
    return Table(
        slug=f"top-{verb}",
        title=f"Resources your people {verb} most",
        headings=["Resource", f"Times {verb}", "People"],
        rows=rows,
        summary=summary,
        note=note,
        # There were figures, withheld: the page says so instead of "no figures yet".
        extra={"withheld": left_out and not rows},
    )


def organisation_engagement(
    organisation: Organisation, period: Period, compared: Period | None
) -> Engagement:
    """The organisation's report: about ten queries, whatever its size or the period."""
    usage = seats_usage(organisation)
    now = timezone.now()
    active = ActivityEvent.objects.filter(
        organisation=organisation, at__gte=now - timedelta(days=90), user__isnull=False
    ).aggregate(
        d30=Count("user", distinct=True, filter=Q(at__gte=now - timedelta(days=30))),
        d90=Count("user", distinct=True),
    )
    counts = _counts_by_kind(organisation, period)
    before = _counts_by_kind(organisation, compared) if compared else None
    people = _people_by(organisation, period, "kind")
    # The change gives away the earlier count (now minus change), so it is hidden when
    # fewer than 3 people did the thing in either period.
    people_before = _people_by(organisation, compared, "kind") if compared else {}
    rows = []
    for kind, label in KINDS:
        n, who = counts.get(kind, 0), people.get(kind, 0)
        hidden = 0 < who < FEWEST
        hidden_before = 0 < people_before.get(kind, 0) < FEWEST
        rows.append(
            [
                label,
                count_text(n, who),
                people_text(who),
                "" if before is None or hidden or hidden_before else change(n, before.get(kind, 0)),
            ]
        )
    activity = Table(
        slug="use",
        title="What your people did",
        headings=["", period.label, "People", "Against the period before"],
        rows=rows,
        summary=f"Use by people of {organisation.name}, {period.describe()}: "
        + "; ".join(_summary_part(row) for row in rows[:4])
        + ".",
    )
    return Engagement(
        organisation=organisation,
        period=period,
        seats_used=usage.taken,
        seats_total=usage.total,
        seats_invited=usage.held,
        active_30=active["d30"],
        active_90=active["d90"],
        activity=activity,
        top_read=_top(organisation, period, Kind.RESOURCE_VIEW),
        top_downloaded=_top(organisation, period, Kind.RESOURCE_DOWNLOAD),
    )
