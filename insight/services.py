"""Insight's writes: the buffer flushed into raw events, and the daily rollup.

Both are idempotent (a flush stores each event once by its uid; a rollup replaces the
day's rows), so beat may run them again after a crash. A flush also applies what was
taken back (an attendance unticked): the event counted is deleted, and a day already
rolled up for good loses it from its counts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from insight.buffer import get_buffer
from insight.models import (
    ActivityEvent,
    DailyActivity,
    Kind,
    MemberCount,
    SubscriberCount,
)
from members import access
from members.models import Organisation, User
from newsletter.models import Delivery, Subscriber

FLUSH_BATCH = 1000


def activity_flush() -> int:
    """Move buffered events into ActivityEvent rows; returns how many were read."""
    buffer = get_buffer()
    read = 0
    with buffer.flushing() as ours:
        if not ours:
            return 0
        while items := buffer.head(FLUSH_BATCH):
            with transaction.atomic():
                added = [item for item in items if not item.get("withdrawn")]
                ActivityEvent.objects.bulk_create(_events(added), ignore_conflicts=True)
                for item in items:
                    if item.get("withdrawn"):
                        _withdraw(item)
            buffer.drop(len(items))
            read += len(items)
    return read


def _events(items: list[dict]) -> list[ActivityEvent]:
    """Rows for buffered items, each person counted as who they are now (member type,
    organisation, region): three to six queries for the whole batch."""
    user_ids = {item["user_id"] for item in items if item.get("user_id")}
    regions = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "region"))
    memberships = access.memberships_now(user_ids=regions) if regions else {}
    organisation_ids = {m.organisation_id for m in memberships.values() if m.organisation_id}
    organisation_regions = dict(
        Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "region")
    )
    rows = []
    for item in items:
        user_id = item.get("user_id")
        if user_id not in regions:
            user_id = None  # anonymous, or deleted since
        membership = memberships.get(user_id)
        organisation_id = membership.organisation_id if membership else None
        rows.append(
            ActivityEvent(
                uid=item["uid"],
                kind=item["kind"],
                at=parse_datetime(item["at"]),
                user_id=user_id,
                organisation_id=organisation_id,
                member_type=membership.member_type if membership else "",
                region=regions.get(user_id) or organisation_regions.get(organisation_id) or "",
                subject_id=item.get("subject_id"),
                term=(item.get("term") or "")[:200],
                count=item.get("count") or 1,
            )
        )
    return rows


def _withdraw(item: dict) -> None:
    """Delete the latest event of this kind by this person about this subject recorded
    before the withdrawal. Today's and yesterday's counts are made again from the raw
    events every hour; an earlier day's were final, so its row loses the event here.
    An event no longer kept (RAW_EVENT_DAYS) cannot be placed in its row and stays."""
    if not item.get("user_id"):
        return
    event = (
        ActivityEvent.objects.filter(
            kind=item["kind"],
            user_id=item["user_id"],
            subject_id=item.get("subject_id"),
            at__lte=parse_datetime(item["at"]),
        )
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return
    event.delete()
    day = timezone.localdate(event.at)
    if day >= timezone.localdate() - timedelta(days=1):
        return
    group = {
        "kind": event.kind,
        "organisation_id": event.organisation_id,
        "member_type": event.member_type,
        "region": event.region,
        "subject_id": event.subject_id,
        "term": event.term,
    }
    start, end = day_bounds(day)
    still_there = ActivityEvent.objects.filter(
        **group, user_id=event.user_id, at__gte=start, at__lt=end
    ).exists()
    rows = DailyActivity.objects.filter(day=day, **group)
    rows.update(
        count=Greatest(F("count") - event.count, 0),
        people=F("people") if still_there else Greatest(F("people") - 1, 0),
    )
    rows.filter(count=0).delete()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day as [start, end) aware datetimes."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@transaction.atomic
def activity_rollup(*, day: date) -> int:
    """Replace one day's counts with what the raw events, deliveries, memberships and
    subscribers say; returns the number of DailyActivity rows written."""
    start, end = day_bounds(day)
    DailyActivity.objects.filter(day=day).delete()
    grouped = (
        ActivityEvent.objects.filter(at__gte=start, at__lt=end)
        .values("kind", "organisation_id", "member_type", "region", "subject_id", "term")
        .annotate(total=Sum("count"), people=Count("user", distinct=True))
        .order_by()
    )
    rows = [
        DailyActivity(
            day=day,
            kind=group["kind"],
            organisation_id=group["organisation_id"],
            member_type=group["member_type"],
            region=group["region"],
            subject_id=group["subject_id"],
            term=group["term"],
            count=group["total"],
            people=group["people"],
        )
        for group in grouped
    ]
    # Newsletter sends are recorded per recipient by the newsletter itself (Delivery).
    sends = (
        Delivery.objects.filter(sent_at__gte=start, sent_at__lt=end, state=Delivery.State.SENT)
        .values("edition_id")
        .annotate(total=Count("pk"))
        .order_by()
    )
    rows += [
        DailyActivity(
            day=day, kind=Kind.NEWSLETTER_SEND, subject_id=send["edition_id"], count=send["total"]
        )
        for send in sends
    ]
    DailyActivity.objects.bulk_create(rows, batch_size=1000)
    _members_count(day=day, at=end - timedelta(microseconds=1))
    _subscribers_count(day=day, end=end)
    return len(rows)


def _members_count(*, day: date, at: datetime) -> None:
    """Members at the end of the day (or now, for today), by type, region and source.

    memberships_now() reads subscriptions as they stand now, not as they stood on a past
    day: recounted after midnight, a finished day would take in the next day's joins and
    cancellations. So a day keeps the last count taken while it was current (hourly);
    only a day never counted is counted afterwards, as well as it can be.
    """
    now = timezone.now()
    if at < now and MemberCount.objects.filter(day=day).exists():
        return
    at = min(at, now)
    memberships = access.memberships_now(now=at)
    regions = dict(User.objects.filter(pk__in=memberships).values_list("pk", "region"))
    organisation_regions = dict(Organisation.objects.values_list("pk", "region"))
    counts: dict[tuple[str, str, str], int] = {}
    for user_id, membership in memberships.items():
        region = regions.get(user_id) or organisation_regions.get(membership.organisation_id) or ""
        key = (membership.member_type, region, membership.source)
        counts[key] = counts.get(key, 0) + 1
    MemberCount.objects.filter(day=day).delete()
    MemberCount.objects.bulk_create(
        MemberCount(day=day, member_type=t, region=r, source=s, members=n)
        for (t, r, s), n in counts.items()
    )


def _subscribers_count(*, day: date, end: datetime) -> None:
    # An unsubscribe or a bounce ends the subscription it came after, not one confirmed
    # again since: someone who left and came back is a subscriber (the dates of a past
    # unsubscribe or bounce stay on the row for what they mean elsewhere).
    subscribed = Subscriber.objects.filter(confirmed_at__lt=end).exclude(
        Q(unsubscribed_at__lt=end, unsubscribed_at__gte=F("confirmed_at"))
        | Q(bounced_at__lt=end, bounced_at__gte=F("confirmed_at"))
    )
    SubscriberCount.objects.update_or_create(day=day, defaults={"subscribers": subscribed.count()})


def activity_rollup_recent(*, now: datetime | None = None) -> None:
    """Yesterday (final once past midnight) and today so far: what beat runs hourly."""
    today = timezone.localdate(now)
    activity_flush()
    activity_rollup(day=today - timedelta(days=1))
    activity_rollup(day=today)
