"""Newsletter: subscribers over time, confirmations, unsubscribes, and each edition's
bounces, complaints and clicks."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Q
from django.utils import timezone

from insight.dashboard.common import BOUNCE_WINDOW, sample_days
from insight.models import SubscriberCount
from insight.periods import Period
from insight.tables import Chart, Table, change
from network.text import counted
from newsletter.models import Delivery, Edition, LinkClick, Subscriber


def newsletter_subscribers(period: Period, compared: Period | None) -> list[Table]:
    days = sample_days(period)
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
        [
            e.subject,
            f"{timezone.localtime(e.started_at):%-d %b %Y}",
            e.sent,
            e.bounces,
            e.complaints,
            clicks[e.pk],
        ]
        for e in editions
    ]
    return [
        Table(
            slug="editions",
            title="Editions sent",
            headings=["Edition", "Sent on", "Sent to", "Bounces", "Complaints", "Clicks"],
            rows=rows,
            summary=f"{counted(len(rows), 'edition')} sent; "
            f"{counted(sum(r[5] for r in rows), 'click')} in all.",
            note="Bounces and complaints within 7 days of sending. Clicks count each "
            "redirect through the site once; nobody's opening of an email is tracked.",
        ),
        Table(
            slug="edition-links",
            title="Clicks per link",
            headings=["Edition", "Link", "Clicks"],
            rows=link_rows,
            summary=f"{counted(len(link_rows), 'link')} clicked.",
        ),
    ]
