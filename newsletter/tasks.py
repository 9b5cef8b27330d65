"""Celery tasks: thin wrappers that take ids and call one service each.

acks_late and task_reject_on_worker_lost are on for every task (settings), so a task whose
worker dies is delivered again; the Delivery rows make running a chunk twice harmless.
"""

import logging
from datetime import datetime

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from network.celery import EMAIL_RETRY
from network.mail import send_once
from newsletter import confirmations, services, suppressions
from newsletter.digests import periods as digest_periods
from newsletter.digests import sending as digest_sending
from newsletter.models import Subscriber
from newsletter.sending import chunks, claims, editions

logger = logging.getLogger(__name__)


@shared_task
def edition_send_chunk(edition_id: int) -> int:
    """Send one chunk; while more is ready, queue the next (the sweeper restarts a chain
    that breaks, e.g. when the broker is unreachable at that moment)."""
    result = chunks.edition_send_chunk(edition_id=edition_id)
    if result.more:
        try:
            edition_send_chunk.delay(edition_id)
        except Exception as error:  # noqa: BLE001 - the sweeper will queue it again
            logger.warning("could not queue the next chunk of edition %s: %s", edition_id, error)
    return result.sent


@shared_task
def deliveries_sweep() -> int:
    """Return expired leases of editions and digests, and restart broken chains."""
    ready = claims.deliveries_sweep()
    for edition_id in ready:
        edition_send_chunk.delay(edition_id)
    ready_digests = digest_sending.digests_sweep()
    for period_id in ready_digests:
        digest_send_chunk.delay(period_id)
    return len(ready) + len(ready_digests)


@shared_task
def digest_start(kind: str) -> int:
    return digest_periods.digest_start(kind=kind).pk


@shared_task
def digest_send_chunk(period_id: int) -> None:
    if digest_sending.digest_send_chunk(period_id=period_id):
        try:
            digest_send_chunk.delay(period_id)
        except Exception as error:  # noqa: BLE001 - the sweeper will queue it again
            logger.warning("could not queue the next chunk of digest %s: %s", period_id, error)


@shared_task
def editions_send_due() -> list[int]:
    return editions.editions_send_due()


@shared_task
def subscribers_expire_unconfirmed() -> int:
    return services.subscribers_expire_unconfirmed()


@shared_task(**EMAIL_RETRY)
def subscriber_confirmation_send(subscriber_id: int, asked_at: str = "") -> None:
    """Email the link that confirms a sign-up, once for the sign-up made at `asked_at`:
    the "confirmation sent at" mark is claimed before sending, so a second delivery of
    this task sends nothing, while signing up again later sends a new link. An address
    that bounced may have it (confirming is how it comes back); one that complained, or
    whose owner asked staff never to be emailed, never."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, state=Subscriber.State.PENDING).first()
    if subscriber is None:
        return
    if suppressions.objection_for(subscriber.email):
        return
    not_sent_since = Q()  # queued before the time of asking was passed: as it was
    if asked_at:
        not_sent_since = Q(confirmation_sent_at__isnull=True) | Q(
            confirmation_sent_at__lte=datetime.fromisoformat(asked_at)
        )
    send_once(
        model=Subscriber,
        pk=subscriber.pk,
        claim=not_sent_since,
        field="confirmation_sent_at",
        value=timezone.now(),
        build=lambda: services.subscriber_confirmation_email(subscriber),
    )


@shared_task(**EMAIL_RETRY)
def subscriber_confirmation_send_again(subscriber_id: int) -> bool:
    return confirmations.subscriber_confirmation_send_again(subscriber_id=subscriber_id)


@shared_task(**EMAIL_RETRY)
def subscriber_already_subscribed_send(subscriber_id: int) -> None:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is not None and not suppressions.reason_for(subscriber.email):
        services.subscriber_already_subscribed_email(subscriber).send()
