"""Digest periods: the last day or week, made once, its recipients frozen once, and its
sending queued."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsletter import selectors
from newsletter.audience import audience_freeze
from newsletter.models import DigestDelivery, DigestPeriod, Subscriber

logger = logging.getLogger(__name__)

Kind = DigestPeriod.Kind
State = DigestDelivery.State


PERIOD_LENGTH = {Kind.DAILY: timedelta(days=1), Kind.WEEKLY: timedelta(days=7)}
# The subscriber's choice that asks for each kind of digest.
WANTS = {Kind.DAILY: "daily_digest", Kind.WEEKLY: "weekly_digest"}


def period_bounds(kind: str, now: datetime) -> tuple[datetime, datetime]:
    """The period that ended most recently: the last local day (daily), or the last week
    from Monday to Monday (weekly). The same for every run on the same day."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == Kind.WEEKLY:
        midnight -= timedelta(days=midnight.weekday())
    end = midnight
    return end - PERIOD_LENGTH[kind], end


def _period_get_or_create(kind: str, now: datetime) -> DigestPeriod:
    start, end = period_bounds(kind, now)
    try:
        with transaction.atomic():
            period, _ = DigestPeriod.objects.get_or_create(
                kind=kind, period_start=start, defaults={"period_end": end}
            )
    except IntegrityError:  # beat fired twice at once: the other run made it
        period = DigestPeriod.objects.get(kind=kind, period_start=start)
    return period


def _freeze_recipients(period: DigestPeriod) -> int:
    """One DigestDelivery per subscriber who asked for this kind of digest, added once."""
    wants = WANTS[period.kind]
    return audience_freeze(
        model=DigestDelivery,
        parent="period",
        parent_id=period.pk,
        audience=selectors.mailable(
            Subscriber.objects.filter(state=Subscriber.State.SUBSCRIBED, **{wants: True})
        ),
        values={
            "state": State.PENDING,
            "attempts": 0,
            "claim": "",
            "message_id": "",
            "error": "",
            "created_at": timezone.now(),
        },
    )


def digest_start(*, kind: str, now: datetime | None = None) -> DigestPeriod:
    """Make the period (once) and its recipients (once each), and queue the sending."""
    from newsletter.tasks import digest_send_chunk

    now = now or timezone.now()
    period = _period_get_or_create(kind, now)
    with transaction.atomic(durable=True):
        added = _freeze_recipients(period)
        if added:
            for _ in range(settings.NEWSLETTER_PARALLEL_CHUNKS):
                digest_send_chunk.delay_on_commit(period.pk)
    logger.info("digest %s %s: %s recipients added", kind, period.period_start, added)
    return period
