"""Sending a digest period: claim a chunk of recipients, ask the sections for each
reader's items, skip anyone with nothing new, send the rest on one connection."""

import logging
import secrets
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from network.mail import inline_css
from newsletter import suppressions
from newsletter.digests.periods import WANTS
from newsletter.digests.sections import DigestSection, Reader, sections_for
from newsletter.models import DigestDelivery, DigestPeriod, Subscriber
from newsletter.ratelimit import SendBucket
from newsletter.rendering import personal_from
from newsletter.sending.claims import LeaseKeeper
from newsletter.sending.failures import (
    SEND_ERRORS,
    backoff,
    refuses_the_address,
    smtp_code,
    subscriber_suppress_hard_bounce,
    valid_address,
)

logger = logging.getLogger(__name__)

State = DigestDelivery.State


def _claimable(period_id: int, now: datetime):
    return DigestDelivery.objects.filter(period_id=period_id, state=State.PENDING).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)
    )


def _claim(period_id: int, claim: str, limit: int) -> list[int]:
    now = timezone.now()
    lease = now + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            _claimable(period_id, now)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            DigestDelivery.objects.filter(pk__in=ids).update(
                state=State.SENDING, claim=claim, leased_until=lease, attempts=F("attempts") + 1
            )
    return ids


def digest_message(*, reader: Reader, period: DigestPeriod, sections: list[DigestSection]):
    subscriber = reader.subscriber
    personal = personal_from(key=subscriber.key, name=subscriber.display_name)
    label = f"{settings.SITE_NAME}: your {period.get_kind_display().lower()} digest"
    context = {
        "period": period,
        "sections": sections,
        "greeting": personal.greeting,
        "preferences_url": personal.preferences_url,
        "unsubscribe_url": personal.unsubscribe_url,
        "label": label,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    text = render_to_string("newsletter/emails/digest.txt", context)
    html = inline_css(render_to_string("newsletter/emails/digest.html", context))
    domain = settings.NEWSLETTER_LIST_DOMAIN
    mailto = (
        f"mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}"
        f"?subject=unsubscribe%20{personal.unsubscribe_token}"
    )
    message_id = f"<digest.{period.pk}.{subscriber.pk}.{secrets.token_hex(6)}@{domain}>"
    headers = {
        "List-Id": f"{period.get_kind_display()} digest <{period.kind}-digest.{domain}>",
        "List-Unsubscribe": f"<{personal.unsubscribe_url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": message_id,
    }
    message = EmailMultiAlternatives(
        subject=label,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _mark(pk: int, claim: str, **fields) -> None:
    fields.setdefault("claim", "")
    fields.setdefault("leased_until", None)
    DigestDelivery.objects.filter(pk=pk, claim=claim).update(**fields)


def _retry_later(row: DigestDelivery, claim: str, description: str) -> None:
    """Back off and try this one again later, or give up once out of attempts."""
    if row.attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        _mark(row.pk, claim, state=State.FAILED, error=description[:500])
        return
    _mark(
        row.pk,
        claim,
        state=State.PENDING,
        not_before=timezone.now() + backoff(row.attempts),
        error=description[:500],
    )


def digest_send_chunk(*, period_id: int) -> bool:
    """Claim a chunk of the period's recipients and send each their digest. Returns True
    while more is ready."""
    period = DigestPeriod.objects.filter(pk=period_id).first()
    if period is None:
        return False
    claim = secrets.token_hex(8)
    ids = _claim(period_id, claim, settings.NEWSLETTER_CHUNK_SIZE)
    if not ids:
        _finish_if_done(period)
        return False
    rows = list(
        DigestDelivery.objects.filter(claim=claim, state=State.SENDING)
        .select_related("subscriber__user")
        .prefetch_related("subscriber__topics")
        .order_by("pk")
    )
    suppressed = suppressions.suppressed_among(row.subscriber.email for row in rows)
    bucket = SendBucket()
    mail = get_connection()
    errors_in_row = 0
    held = DigestDelivery.objects.filter(claim=claim, state=State.SENDING)
    with LeaseKeeper(held):
        try:
            for row in rows:
                subscriber = row.subscriber
                # Re-read at send time, as editions are: an unsubscribe, or the digest
                # turned off, since the recipients froze is honoured.
                if subscriber.state != Subscriber.State.SUBSCRIBED or not getattr(
                    subscriber, WANTS[period.kind]
                ):
                    _mark(row.pk, claim, state=State.SKIPPED, error="Not subscribed at send time.")
                    continue
                if subscriber.email in suppressed:
                    _mark(row.pk, claim, state=State.SKIPPED, error="Suppressed address.")
                    continue
                reader = Reader(subscriber, frozenset(t.pk for t in subscriber.topics.all()))
                try:
                    sections = sections_for(reader, period)
                    message = (
                        digest_message(reader=reader, period=period, sections=sections)
                        if sections
                        else None
                    )
                except Exception as error:
                    # Each reader's digest is built from every app's sections; one that
                    # fails for this reader would otherwise fail the chunk again at every
                    # retry, and nobody after them in it would get theirs.
                    logger.exception("digest %s for subscriber %s", period_id, subscriber.pk)
                    _retry_later(row, claim, f"Could not build the digest: {error}")
                    continue
                if not sections:
                    _mark(row.pk, claim, state=State.EMPTY)
                    continue
                if not valid_address(subscriber.email):
                    _mark(row.pk, claim, state=State.FAILED, error="Malformed email address.")
                    continue
                bucket.acquire()
                try:
                    mail.send_messages([message])
                except SoftTimeLimitExceeded:
                    raise  # the worker's own limit: the lease returns the rows
                except Exception as error:
                    if not isinstance(error, SEND_ERRORS):
                        # Not a refusal: still this reader's copy alone, tried again later,
                        # so that the readers after them still get theirs.
                        logger.exception("digest %s: subscriber %s", period_id, subscriber.pk)
                    errors_in_row += 1
                    mail.close()
                    code = smtp_code(error)
                    description = f"{code or ''} {error}".strip()[:500]
                    permanent = code is not None and 500 <= code < 600
                    if permanent:
                        _mark(row.pk, claim, state=State.FAILED, error=description)
                        if refuses_the_address(error):
                            subscriber_suppress_hard_bounce(subscriber_id=subscriber.pk)
                    else:
                        _retry_later(row, claim, description)
                    if errors_in_row >= settings.NEWSLETTER_ERROR_BURST:
                        logger.error(
                            "digest %s: %s errors in a row, stopping", period_id, errors_in_row
                        )
                        break
                    continue
                errors_in_row = 0
                _mark(
                    row.pk,
                    claim,
                    state=State.SENT,
                    sent_at=timezone.now(),
                    message_id=message.extra_headers["Message-ID"],
                    error="",
                )
        finally:
            mail.close()
            held.update(
                state=State.PENDING, claim="", leased_until=None, attempts=F("attempts") - 1
            )
    more = _claimable(period_id, timezone.now()).exists()
    if not more:
        _finish_if_done(period)
    return more


def _finish_if_done(period: DigestPeriod) -> None:
    unfinished = DigestDelivery.objects.filter(
        period=period, state__in=[State.PENDING, State.SENDING]
    )
    if period.finished_at is None and not unfinished.exists():
        DigestPeriod.objects.filter(pk=period.pk, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )


def digests_sweep(*, now: datetime | None = None) -> list[int]:
    """Return expired leases (a worker died); give up rows out of attempts. Returns the
    periods with work ready, to be nudged."""
    now = now or timezone.now()
    expired = DigestDelivery.objects.filter(state=State.SENDING, leased_until__lt=now)
    expired.filter(attempts__gte=settings.NEWSLETTER_MAX_ATTEMPTS).update(
        state=State.FAILED, claim="", leased_until=None, error="Gave up: the worker stopped."
    )
    expired.update(state=State.PENDING, claim="", leased_until=None)
    ready = []
    for period in DigestPeriod.objects.filter(finished_at__isnull=True):
        if _claimable(period.pk, now).exists():
            ready.append(period.pk)
        else:
            _finish_if_done(period)
    return ready
