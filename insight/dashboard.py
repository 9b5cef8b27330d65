"""The staff dashboard's panels. Each reads the daily counts (or one aggregate query of
the table that is the record, such as invoices) with a fixed number of queries,
whatever the number of days, members or events.

Definitions (the numbers the tests compute by hand):
- members: the MemberCount of a day (membership() for every person, counted nightly);
- churn rate: memberships (a person's or an organisation's subscription, or a staff
  grant) that ended during the period, over those held at its start;
- monthly recurring revenue (MRR): for each subscription that bills now (active or
  past due; a trial has not paid yet), its plan's price times its quantity (what Stripe
  charges), divided by 12 for annual plans; invoice plans count the same way;
- overdue invoices: open or uncollectible, not marked paid by staff, past their due date;
- bounces and complaints of an edition: recipients whose address bounced or complained
  within 7 days after it was sent.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from forum.models import Category, Post, Report, ReportReason, ReviewItem
from insight.models import DailyActivity, Kind, MemberCount, Source, SubscriberCount
from insight.periods import Period
from insight.tables import Chart, Table, change, percent, pounds
from members import access
from members.models import (
    Invoice,
    MemberType,
    Organisation,
    Plan,
    Region,
    Subscription,
    SubscriptionStatus,
)
from newsletter.models import Delivery, Edition, LinkClick, Subscriber
from practice_library.models import Resource

BILLING_STATUSES = [SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE]
BOUNCE_WINDOW = timedelta(days=7)
TOP = 10


def _sample_days(period: Period) -> list:
    """The days a line chart plots: every day for a month, every seventh day beyond."""
    step = 1 if period.days <= 31 else 7
    days = [period.last - timedelta(days=offset) for offset in range(0, period.days, step)]
    return sorted(days)


# --- Members ---------------------------------------------------------------------------


def members_over_time(period: Period) -> Table:
    days = _sample_days(period)
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
        summary=f"{now.joined:,} memberships started and {now.lapsed:,} ended; churn rate "
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
        summary=f"{used:,} of {bought:,} seats used across {len(rows):,} organisations.",
    )


# --- Revenue ---------------------------------------------------------------------------


def monthly_recurring_revenue_pence() -> tuple[float, list[list]]:
    """MRR in pence, and its rows by plan (see the module's definition)."""
    groups = (
        Subscription.objects.filter(status__in=BILLING_STATUSES)
        .values("plan__name", "plan__interval", "plan__price_pence", "collection_method")
        .annotate(subscriptions=Count("pk"), quantity=Sum("quantity"))
        .order_by("plan__name", "collection_method")
    )
    rows, total = [], 0.0
    for group in groups:
        months = 12 if group["plan__interval"] == Plan.Interval.YEAR else 1
        mrr = group["plan__price_pence"] * group["quantity"] / months
        total += mrr
        rows.append(
            [
                group["plan__name"],
                Plan.Interval(group["plan__interval"]).label,
                Subscription.CollectionMethod(group["collection_method"]).label,
                group["subscriptions"],
                group["quantity"],
                pounds(mrr),
            ]
        )
    return total, rows


def revenue_mrr(period: Period) -> Table:
    total, rows = monthly_recurring_revenue_pence()
    return Table(
        slug="mrr",
        title=f"Monthly recurring revenue: {pounds(total)}",
        headings=["Plan", "Billed", "Paid by", "Subscriptions", "Seats", "MRR"],
        rows=rows,
        summary=f"Monthly recurring revenue now {pounds(total)} from {len(rows)} plans.",
        note="Active and past-due subscriptions; annual prices divided by 12.",
    )


def _invoice_counts(period: Period, now) -> dict:
    issued = Invoice.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    return issued.exclude(status__in=[Invoice.Status.DRAFT, Invoice.Status.VOID]).aggregate(
        issued=Count("pk"),
        issued_pence=Sum("amount_due_pence", default=0),
        paid=Count("pk", filter=Q(status=Invoice.Status.PAID) | Q(paid_out_of_band=True)),
        paid_pence=Sum(
            "amount_due_pence",
            filter=Q(status=Invoice.Status.PAID) | Q(paid_out_of_band=True),
            default=0,
        ),
    )


def overdue_invoices_q(now) -> Q:
    return Q(
        status__in=[Invoice.Status.OPEN, Invoice.Status.UNCOLLECTIBLE],
        paid_out_of_band=False,
        due_date__lt=now,
    )


def revenue_invoices(period: Period, compared: Period | None) -> list[Table]:
    now = timezone.now()
    counts = _invoice_counts(period, now)
    before = _invoice_counts(compared, now) if compared else None
    rows = [
        [
            "Invoices issued",
            counts["issued"],
            pounds(counts["issued_pence"]),
            change(counts["issued"], before and before["issued"]),
        ],
        [
            "Of which paid",
            counts["paid"],
            pounds(counts["paid_pence"]),
            change(counts["paid"], before and before["paid"]),
        ],
    ]
    overdue = list(
        Invoice.objects.filter(overdue_invoices_q(now))
        .annotate(
            holder=F("subscription__organisation__name"),
            person=F("subscription__user__name"),
        )
        .order_by("due_date")
        .values_list("holder", "person", "number", "amount_due_pence", "due_date")
    )
    overdue_rows = [
        [holder or person or "?", number, pounds(amount), f"{due:%-d %b %Y}", (now - due).days]
        for holder, person, number, amount, due in overdue
    ]
    income = (
        Invoice.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        .filter(Q(status=Invoice.Status.PAID) | Q(paid_out_of_band=True))
        .values("subscription__plan__name")
        .annotate(pence=Sum("amount_due_pence"), n=Count("pk"))
        .order_by("-pence")
    )
    income_rows = [[g["subscription__plan__name"], g["n"], pounds(g["pence"])] for g in income]
    owed = sum(row[3] for row in overdue)
    return [
        Table(
            slug="invoices",
            title="Invoices",
            headings=["", "Number", "Amount", "Against the period before"],
            rows=rows,
            summary=f"{counts['issued']:,} invoices issued, {counts['paid']:,} paid.",
        ),
        Table(
            slug="overdue-invoices",
            title=f"Overdue invoices: {len(overdue_rows)} ({pounds(owed)})",
            headings=["Organisation or person", "Invoice", "Amount", "Due", "Days overdue"],
            rows=overdue_rows,
            summary=f"{len(overdue_rows)} invoices past their due date, {pounds(owed)} owed.",
        ),
        Table(
            slug="income-by-plan",
            title="Income by plan (paid invoices issued in the period)",
            headings=["Plan", "Invoices paid", "Income"],
            rows=income_rows,
            summary="Income by plan: "
            + (", ".join(f"{r[0]} {r[2]}" for r in income_rows[:3]) or "none")
            + ".",
            chart=Chart(
                kind="bar",
                categories=[row[0] for row in income_rows],
                series=[("Income (£)", [g["pence"] / 100 for g in income])],
            )
            if income_rows
            else None,
        ),
    ]


# --- Newsletter --------------------------------------------------------------------------


def newsletter_subscribers(period: Period, compared: Period | None) -> list[Table]:
    days = _sample_days(period)
    counts = dict(SubscriberCount.objects.filter(day__in=days).values_list("day", "subscribers"))
    rows = [[f"{day:%-d %b %Y}", counts.get(day, 0)] for day in days]

    def moves(p: Period) -> dict:
        return Subscriber.objects.aggregate(
            confirmations=Count("pk", filter=Q(confirmed_at__gte=p.start, confirmed_at__lt=p.end)),
            unsubscribes=Count(
                "pk", filter=Q(unsubscribed_at__gte=p.start, unsubscribed_at__lt=p.end)
            ),
        )

    now, before = moves(period), (moves(compared) if compared else None)
    return [
        Table(
            slug="subscribers",
            title="Newsletter subscribers over time",
            headings=["Day", "Subscribers"],
            rows=rows,
            summary=f"Line chart of subscribers, {period.describe()}: "
            f"{rows[0][1]:,} on the first day shown, {rows[-1][1]:,} on the last.",
            chart=Chart(
                kind="line",
                categories=[row[0] for row in rows],
                series=[("Subscribers", [row[1] for row in rows])],
            ),
            shown=400,
        ),
        Table(
            slug="subscriptions",
            title="Confirmations and unsubscribes",
            headings=["", period.label, "Against the period before"],
            rows=[
                [
                    "Confirmed",
                    now["confirmations"],
                    change(now["confirmations"], before and before["confirmations"]),
                ],
                [
                    "Unsubscribed",
                    now["unsubscribes"],
                    change(now["unsubscribes"], before and before["unsubscribes"]),
                ],
            ],
            summary=f"{now['confirmations']:,} confirmed and {now['unsubscribes']:,} unsubscribed.",
        ),
    ]


def newsletter_editions(period: Period) -> list[Table]:
    editions = list(
        Edition.objects.filter(started_at__gte=period.start, started_at__lt=period.end)
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__state=Delivery.State.SENT)),
            bounces=Count(
                "deliveries",
                filter=Q(
                    deliveries__subscriber__bounced_at__gte=F("started_at"),
                    deliveries__subscriber__bounced_at__lt=F("started_at") + BOUNCE_WINDOW,
                ),
            ),
            complaints=Count(
                "deliveries",
                filter=Q(
                    deliveries__subscriber__state=Subscriber.State.COMPLAINED,
                    deliveries__subscriber__unsubscribed_at__gte=F("started_at"),
                    deliveries__subscriber__unsubscribed_at__lt=F("started_at") + BOUNCE_WINDOW,
                ),
            ),
        )
        .order_by("-started_at")
    )
    clicks = defaultdict(int)
    link_rows = []
    for edition_id, subject, url, n in (
        LinkClick.objects.filter(edition__in=[e.pk for e in editions])
        .order_by("edition_id", "-clicks")
        .values_list("edition_id", "edition__subject", "url", "clicks")
    ):
        clicks[edition_id] += n
        link_rows.append([subject, url, n])
    rows = [
        [e.subject, f"{e.started_at:%-d %b %Y}", e.sent, e.bounces, e.complaints, clicks[e.pk]]
        for e in editions
    ]
    return [
        Table(
            slug="editions",
            title="Editions sent",
            headings=["Edition", "Sent on", "Sent to", "Bounces", "Complaints", "Clicks"],
            rows=rows,
            summary=f"{len(rows)} editions sent; {sum(r[5] for r in rows):,} clicks in all.",
            note="Bounces and complaints within 7 days of sending. Clicks count each "
            "redirect through the site once; nobody's opening of an email is tracked.",
        ),
        Table(
            slug="edition-links",
            title="Clicks per link",
            headings=["Edition", "Link", "Clicks"],
            rows=link_rows,
            summary=f"{len(link_rows)} links clicked.",
        ),
    ]


# --- Library --------------------------------------------------------------------------


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
        summary=f"Bar chart of the {len(rows)} most {verb} resources.{lead}",
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
        summary=f"{len(rows)} different searches found nothing."
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
        summary=f"{len(rows)} resources are past their review date.",
    )


# --- Forum --------------------------------------------------------------------------


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
        summary=f"{sum(r[1] for r in rows):,} posts in {len(rows)} rooms.",
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
            summary=f"{len(waits)} items decided; median wait {rows[1][1]}, longest {rows[2][1]}.",
        ),
        Table(
            slug="reports",
            title="Reports by reason",
            headings=["Reason", "Reports"],
            rows=reports,
            summary=f"{sum(r[1] for r in reports):,} reports.",
        ),
    ]


PANELS = ["members", "revenue", "newsletter", "library", "forum"]


def panels(period: Period, compared: Period | None) -> list[tuple[str, list[Table]]]:
    """Every panel's tables, in the order the page shows them."""
    return [
        (
            "Members",
            [
                members_over_time(period),
                members_by(period, "member_type"),
                members_by(period, "region"),
                membership_churn(period, compared),
                seats(period),
            ],
        ),
        ("Revenue", [revenue_mrr(period), *revenue_invoices(period, compared)]),
        (
            "Newsletter",
            [*newsletter_subscribers(period, compared), *newsletter_editions(period)],
        ),
        (
            "Library",
            [
                library_top(period, Kind.RESOURCE_VIEW),
                library_top(period, Kind.RESOURCE_DOWNLOAD),
                library_empty_searches(period),
                library_review_due(period),
            ],
        ),
        ("Forum", [forum_rooms(period), *forum_moderation(period)]),
    ]
