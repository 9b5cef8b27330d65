"""Revenue: monthly recurring revenue, invoices issued, paid and overdue, income by plan."""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from insight.dashboard.common import BILLING_STATUSES
from insight.periods import Period
from insight.tables import Chart, Table, change, pounds
from members.models import (
    Invoice,
    Plan,
    Subscription,
)
from network.text import counted


def monthly_recurring_revenue_pence() -> tuple[float, list[list]]:
    """MRR in pence, and its rows by plan (see the module's definition)."""
    groups = (
        Subscription.objects.filter(status__in=BILLING_STATUSES)
        .values(
            "plan__name",
            "plan__interval",
            "plan__price_pence",
            "plan__seats",
            "collection_method",
        )
        .annotate(subscriptions=Count("pk"), quantity=Sum("quantity"))
        .order_by("plan__name", "collection_method")
    )
    rows, total = [], 0.0
    for group in groups:
        months = 12 if group["plan__interval"] == Plan.Interval.YEAR else 1
        # A plan's price is for the seats it includes (the membership page shows it so),
        # and its Stripe Price is per seat: each seat paid for is that price's share.
        mrr = group["plan__price_pence"] * group["quantity"] / group["plan__seats"] / months
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
        summary=f"Monthly recurring revenue now {pounds(total)} from {counted(len(rows), 'plan')}.",
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
        # The day it was due in London (stored in UTC, 23:30 on 30 June is 1 July here).
        [
            holder or person or "?",
            number,
            pounds(amount),
            f"{timezone.localtime(due):%-d %b %Y}",
            (now - due).days,
        ]
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
            summary=f"{counted(counts['issued'], 'invoice')} issued, {counts['paid']:,} paid.",
        ),
        Table(
            slug="overdue-invoices",
            title=f"Overdue invoices: {len(overdue_rows)} ({pounds(owed)})",
            headings=["Organisation or person", "Invoice", "Amount", "Due", "Days overdue"],
            rows=overdue_rows,
            summary=(
                f"{counted(len(overdue_rows), 'invoice')} past "
                f"{'its' if len(overdue_rows) == 1 else 'their'} due date, {pounds(owed)} owed."
            ),
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
