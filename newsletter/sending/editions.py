"""Sending an edition: render once, freeze the audience, hand the chunks to Celery;
schedule, pause, resume, cancel and retry what failed; a test copy to the editor.

Each outermost operation runs in one durable transaction; chunk tasks are enqueued when
it commits. The chunks themselves are sent by newsletter/sending/chunks.py.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from newsletter import access as newsletter_access
from newsletter import selectors
from newsletter.audience import audience_freeze
from newsletter.messages import MessageTemplate
from newsletter.models import Delivery, Edition, Subscriber
from newsletter.rendering import edition_render, personal_for
from newsletter.sending.chunks import new_message_id

logger = logging.getLogger(__name__)


def _freeze_audience(edition: Edition) -> int:
    """One Delivery per subscriber in the edition's audience, added once."""
    return audience_freeze(
        model=Delivery,
        parent="edition",
        parent_id=edition.pk,
        audience=selectors.edition_audience(edition),
        copied=["email"],
        values={
            "state": Delivery.State.PENDING,
            "attempts": 0,
            "claim": "",
            "message_id": "",
            "error": "",
        },
    )


def _refuse_unless_sendable(edition: Edition) -> None:
    if edition.status in (Edition.Status.SENDING, Edition.Status.PAUSED):
        raise ValidationError("This edition is already being sent.")
    if edition.status == Edition.Status.SENT:
        raise ValidationError("This edition has already been sent; it cannot be sent twice.")
    if edition.status == Edition.Status.CANCELLED:
        raise ValidationError("This edition was cancelled; copy it to send it again.")
    too_private = newsletter_access.threads_too_private(edition)
    if too_private:
        raise ValidationError(newsletter_access.thread_too_private_text(too_private[0]))
    if selectors.edition_audience_count(edition) == 0:
        raise ValidationError(
            "No one would receive this edition: nobody subscribed to the newsletter matches "
            "its audience. Change the audience or wait for subscribers."
        )


def _nudge(edition_id: int, times: int) -> None:
    from newsletter.tasks import edition_send_chunk

    for _ in range(times):
        edition_send_chunk.delay_on_commit(edition_id)


def edition_send(*, edition: Edition) -> int:
    """Start sending now: render once, freeze the audience, hand the chunks to Celery.
    Returns the number of recipients. Refused if already sent or nobody would get it."""
    with transaction.atomic(durable=True):
        edition = (
            Edition.objects.select_for_update().select_related("newsletter").get(pk=edition.pk)
        )
        _refuse_unless_sendable(edition)
        edition.rendered_html, edition.rendered_text = edition_render(edition)
        edition.status = Edition.Status.SENDING
        edition.started_at = timezone.now()
        edition.pause_reason = ""
        edition.save(
            update_fields=["rendered_html", "rendered_text", "status", "started_at", "pause_reason"]
        )
        recipients = _freeze_audience(edition)
        chunks = -(-recipients // settings.NEWSLETTER_CHUNK_SIZE)
        _nudge(edition.pk, min(settings.NEWSLETTER_PARALLEL_CHUNKS, max(chunks, 1)))
    logger.info("edition %s sending to %s recipients", edition.pk, recipients)
    return recipients


def edition_schedule(*, edition: Edition, when: datetime) -> Edition:
    with transaction.atomic(durable=True):
        edition = (
            Edition.objects.select_for_update().select_related("newsletter").get(pk=edition.pk)
        )
        _refuse_unless_sendable(edition)
        if when <= timezone.now():
            raise ValidationError("Choose a time in the future, or send it now.")
        edition.status = Edition.Status.SCHEDULED
        edition.scheduled_at = when
        edition.save(update_fields=["status", "scheduled_at"])
    return edition


def edition_unschedule(*, edition: Edition) -> None:
    Edition.objects.filter(pk=edition.pk, status=Edition.Status.SCHEDULED).update(
        status=Edition.Status.DRAFT
    )


def editions_send_due(*, now: datetime | None = None) -> list[int]:
    """Start every scheduled edition whose time has come (run by beat every minute)."""
    now = now or timezone.now()
    started = []
    due = Edition.objects.filter(status=Edition.Status.SCHEDULED, scheduled_at__lte=now)
    for edition in due:
        try:
            edition_send(edition=edition)
            started.append(edition.pk)
        except ValidationError as error:
            reason = " ".join(error.messages)[:300]
            Edition.objects.filter(pk=edition.pk, status=Edition.Status.SCHEDULED).update(
                status=Edition.Status.DRAFT, pause_reason=f"Not sent at its time: {reason}"
            )
            logger.error("scheduled edition %s not sent: %s", edition.pk, reason)
    return started


def edition_pause(*, edition: Edition, reason: str = "Paused by an editor.") -> bool:
    return bool(
        Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING).update(
            status=Edition.Status.PAUSED, pause_reason=reason[:300]
        )
    )


def edition_resume(*, edition: Edition) -> bool:
    with transaction.atomic(durable=True):
        resumed = Edition.objects.filter(pk=edition.pk, status=Edition.Status.PAUSED).update(
            status=Edition.Status.SENDING, pause_reason=""
        )
        if resumed:
            _nudge(edition.pk, settings.NEWSLETTER_PARALLEL_CHUNKS)
    return bool(resumed)


def edition_cancel(*, edition: Edition) -> int:
    """Stop for good: what has not gone out is cancelled. Returns how many were cancelled."""
    with transaction.atomic(durable=True):
        stopped = Edition.objects.filter(
            pk=edition.pk,
            status__in=[Edition.Status.SENDING, Edition.Status.PAUSED, Edition.Status.SCHEDULED],
        ).update(status=Edition.Status.CANCELLED, finished_at=timezone.now())
        if not stopped:
            return 0
        return Delivery.objects.filter(edition=edition, state=Delivery.State.PENDING).update(
            state=Delivery.State.CANCELLED
        )


def edition_retry_failed(*, edition: Edition) -> int:
    """Send the failed deliveries again (only those), to whoever is still in the audience."""
    with transaction.atomic(durable=True):
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        if edition.status not in (Edition.Status.SENT, Edition.Status.SENDING):
            raise ValidationError("Only an edition that is sending or sent can retry failures.")
        retried = Delivery.objects.filter(edition=edition, state=Delivery.State.FAILED).update(
            state=Delivery.State.PENDING, attempts=0, not_before=None, error=""
        )
        if retried:
            edition.status = Edition.Status.SENDING
            edition.finished_at = None
            edition.save(update_fields=["status", "finished_at"])
            _nudge(edition.pk, settings.NEWSLETTER_PARALLEL_CHUNKS)
    return retried


def edition_send_test(*, edition: Edition, to_user) -> None:
    """Send the edition, exactly as subscribers will get it, to the editor alone."""
    html, text = edition_render(edition)
    subscriber = Subscriber.objects.filter(email=to_user.email.lower()).first()
    edition.subject = f"[Test] {edition.subject}"  # this copy only; never saved
    message = MessageTemplate(edition=edition, html=html, text=text).copy(
        to=to_user.email,
        personal=personal_for(subscriber),
        message_id=new_message_id(edition.pk, 0),
    )
    message.send()
