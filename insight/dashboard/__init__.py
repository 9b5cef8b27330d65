"""The staff dashboard's panels, a module for each (members, revenue, newsletter,
library, forum). Each reads the daily counts (or one aggregate query of
the table that is the record, such as invoices) with a fixed number of queries,
whatever the number of days, members or events.

Definitions (the numbers the tests compute by hand):
- members: the MemberCount of a day (membership() for every person, counted nightly);
- churn rate: memberships (a person's or an organisation's subscription, or a staff
  grant) that ended during the period, over those held at its start;
- monthly recurring revenue (MRR): for each subscription that bills now (active or
  past due; a trial has not paid yet), its plan's price per seat (the price over the
  seats it includes) times the seats paid for (what Stripe charges), divided by 12 for
  annual plans; invoice plans count the same way;
- overdue invoices: open or uncollectible, not marked paid by staff, past their due date;
- bounces and complaints of an edition: recipients whose address bounced or complained
  within 7 days after it was sent.
"""

from __future__ import annotations

from insight.dashboard.forum import forum_moderation, forum_rooms
from insight.dashboard.library import library_empty_searches, library_review_due, library_top
from insight.dashboard.members import members_by, members_over_time, membership_churn, seats
from insight.dashboard.newsletter import newsletter_editions, newsletter_subscribers
from insight.dashboard.revenue import (
    monthly_recurring_revenue_pence,
    revenue_invoices,
    revenue_mrr,
)
from insight.models import Kind
from insight.periods import Period
from insight.tables import Table

# What other modules and the tests use, besides panels().
__all__ = [
    "PANELS",
    "library_top",
    "membership_churn",
    "monthly_recurring_revenue_pence",
    "panels",
    "revenue_invoices",
    "revenue_mrr",
    "seats",
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
