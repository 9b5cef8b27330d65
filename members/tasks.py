"""Celery tasks for billing: thin wrappers that take ids and call one service each."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from members import billing, billing_notices, stripe_sync
from members.models import MemberTypeChangeRequest
from members.type_changes import type_change_request_admin_url
from network.mail import build_email, site_url

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5)
def stripe_event_apply(self, event_id: int) -> str:
    """Apply one stored webhook event. Every failure is recorded on the event row; when
    Stripe was unreachable a worker tries again with backoff, and stripe_events_retry
    picks up whatever is still failed (tasks run in-process retry only that way)."""
    try:
        return stripe_sync.stripe_event_apply(event_id=event_id)
    except billing.StripeUnavailable as error:
        if self.request.is_eager:
            return "failed"
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 1800)) from error
    except Exception:
        logger.exception("stripe event row %s failed", event_id)
        return "failed"


@shared_task
def stripe_events_retry() -> int:
    """Every few minutes: re-apply events that failed, wait for their person or
    organisation, or were never picked up."""
    event_ids = stripe_sync.stripe_events_to_retry()
    for event_id in event_ids:
        stripe_event_apply.delay(event_id)
    return len(event_ids)


@shared_task
def subscriptions_reconcile() -> int:
    return stripe_sync.subscriptions_reconcile()


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=60, max_retries=5)
def payment_failed_notice_send(invoice_id: int) -> bool:
    return billing_notices.payment_failed_notice_send(invoice_id=invoice_id)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=60, max_retries=5)
def ending_soon_notice_send(subscription_id: int) -> bool:
    return billing_notices.ending_soon_notice_send(subscription_id=subscription_id)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=60, max_retries=5)
def membership_ended_notice_send(subscription_id: int) -> bool:
    return billing_notices.membership_ended_notice_send(subscription_id=subscription_id)


@shared_task
def membership_reminders_send() -> int:
    """Daily: 'ending soon' for non-renewing memberships, and any 'ended' notice that the
    moment of ending did not send (a worker was down)."""
    due = billing_notices.ending_soon_due()
    for subscription_id in due:
        ending_soon_notice_send.delay(subscription_id)
    ended = billing_notices.ended_notices_due()
    for subscription_id in ended:
        membership_ended_notice_send.delay(subscription_id)
    return len(due) + len(ended)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=10,
)
def type_change_request_notify_staff(change_request_id: int) -> None:
    """Email the membership team about a request to change member type, once."""
    change_request = (
        MemberTypeChangeRequest.objects.select_related("user").filter(pk=change_request_id).first()
    )
    if change_request is None or change_request.staff_notified_at is not None:
        return  # deleted, or emailed by an earlier delivery of this task
    email = build_email(
        template="members/emails/type_change_request",
        context={
            "change_request": change_request,
            "admin_url": site_url(type_change_request_admin_url(change_request)),
        },
        subject=f"Member type change requested by {change_request.user}",
        to=settings.STAFF_NOTIFICATION_EMAILS,
        reply_to=[change_request.user.email],
    )
    email.send()
    MemberTypeChangeRequest.objects.filter(pk=change_request.pk).update(
        staff_notified_at=timezone.now()
    )
    logger.info("member type change request emailed request=%s", change_request.pk)
