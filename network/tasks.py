import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from network.celery import EMAIL_RETRY
from network.mail import build_email, send_once
from network.models import ContactMessage

logger = logging.getLogger(__name__)


@shared_task(**EMAIL_RETRY)
def contact_message_notify_staff(contact_message_id: int) -> None:
    """Email a contact message to staff, once: its "staff emailed at" mark is claimed
    before sending (send_once), so a second delivery of this task does not send it
    again. Every attempt and error is recorded on the row."""
    contact_message = ContactMessage.objects.get(pk=contact_message_id)
    if contact_message.notified_at is not None:
        return  # already sent by an earlier delivery of this task
    ContactMessage.objects.filter(pk=contact_message.pk).update(
        notify_attempts=F("notify_attempts") + 1
    )
    try:
        sent = send_once(
            model=ContactMessage,
            pk=contact_message.pk,
            claim=Q(notified_at__isnull=True),
            field="notified_at",
            value=timezone.now(),
            build=lambda: build_email(
                template="emails/contact_message",
                context={"contact_message": contact_message},
                subject=f"Contact form: {contact_message.subject}",
                to=settings.STAFF_NOTIFICATION_EMAILS,
                reply_to=[contact_message.email],
            ),
        )
    except (smtplib.SMTPException, OSError) as error:
        ContactMessage.objects.filter(pk=contact_message.pk).update(notify_error=str(error)[:2000])
        logger.warning("contact message %s not sent yet: %s", contact_message.pk, error)
        raise
    if sent:
        ContactMessage.objects.filter(pk=contact_message.pk).update(notify_error="")


@shared_task
def sessions_clear_expired() -> None:
    call_command("clearsessions")


@shared_task
def personal_data_retention_enforce() -> dict[str, int]:
    """Nightly: delete what each table keeps past its stated period (each app's
    personal_data.RETENTION, as the privacy notice lists them), in batches."""
    from network.data_rights import retention_enforce

    changed = retention_enforce()
    logger.info(
        "retention: %s", ", ".join(f"{key}={count}" for key, count in changed.items() if count)
    )
    return changed
