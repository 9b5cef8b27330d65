"""What the dashboard's panels share: the days a chart samples, the statuses that bill."""

from __future__ import annotations

from datetime import timedelta

from insight.periods import Period
from members.models import (
    SubscriptionStatus,
)

BILLING_STATUSES = [SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE]
BOUNCE_WINDOW = timedelta(days=7)
TOP = 10


def sample_days(period: Period) -> list:
    """The days a line chart plots: every day for a month, every seventh day beyond."""
    step = 1 if period.days <= 31 else 7
    days = [period.last - timedelta(days=offset) for offset in range(0, period.days, step)]
    return sorted(days)
