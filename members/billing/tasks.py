"""Celery tasks for billing: thin wrappers that take ids and call one service each.

They kept the names they had when they lived in members/tasks.py, so that beat's
schedule (network/settings.py) and messages already queued keep finding them.
"""

import logging

from celery import shared_task

from members.billing import gateway, grant_ended, notices, reconcile, staff_notices, sync
from network.celery import EMAIL_RETRY

logger = logging.getLogger(__name__)


@shared_task(name="members.tasks.stripe_event_apply", bind=True, max_retries=5)
def stripe_event_apply(self, event_id: int) -> str:
    """Apply one stored webhook event. Every failure is recorded on the event row; when
    Stripe was unreachable a worker tries again with backoff, and stripe_events_retry
    picks up whatever is still failed (tasks run in-process retry only that way)."""
    try:
        return sync.stripe_event_apply(event_id=event_id)
    except gateway.StripeUnavailable as error:
        if self.request.is_eager:
            return "failed"
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 1800)) from error
    except Exception:
        logger.exception("stripe event row %s failed", event_id)
        return "failed"


@shared_task(name="members.tasks.stripe_events_retry")
def stripe_events_retry() -> int:
    """Every few minutes: re-apply events that failed, wait for their person or
    organisation, or were never picked up."""
    event_ids = sync.stripe_events_to_retry()
    for event_id in event_ids:
        stripe_event_apply.delay(event_id)
    return len(event_ids)


@shared_task(name="members.tasks.subscriptions_reconcile")
def subscriptions_reconcile() -> int:
    return reconcile.subscriptions_reconcile()


@shared_task(name="members.tasks.payment_failed_notice_send", **EMAIL_RETRY)
def payment_failed_notice_send(invoice_id: int) -> bool:
    return notices.payment_failed_notice_send(invoice_id=invoice_id)


@shared_task(**EMAIL_RETRY)
def invoice_overdue_notice_send(subscription_id: int) -> bool:
    return notices.invoice_overdue_notice_send(subscription_id=subscription_id)


@shared_task(name="members.tasks.ending_soon_notice_send", **EMAIL_RETRY)
def ending_soon_notice_send(subscription_id: int) -> bool:
    return notices.ending_soon_notice_send(subscription_id=subscription_id)


@shared_task(name="members.tasks.membership_ended_notice_send", **EMAIL_RETRY)
def membership_ended_notice_send(subscription_id: int) -> bool:
    return notices.membership_ended_notice_send(subscription_id=subscription_id)


@shared_task(**EMAIL_RETRY)
def dispute_staff_notice_send(dispute: dict, invoice_id: int | None = None) -> bool:
    return staff_notices.dispute_staff_notice_send(dispute=dispute, invoice_id=invoice_id)


@shared_task(**EMAIL_RETRY)
def paid_after_end_staff_notice_send(invoice_id: int) -> bool:
    return staff_notices.paid_after_end_staff_notice_send(invoice_id=invoice_id)


@shared_task(**EMAIL_RETRY)
def grant_ending_soon_notice_send(grant_id: int) -> bool:
    return notices.grant_ending_soon_notice_send(grant_id=grant_id)


@shared_task(**EMAIL_RETRY)
def personal_grant_ended_send(grant_id: int) -> bool:
    return grant_ended.personal_grant_ended_send(grant_id=grant_id)


@shared_task(**EMAIL_RETRY)
def invoice_request_received_notice_send(invoice_request_id: int) -> bool:
    return notices.invoice_request_received_notice_send(invoice_request_id=invoice_request_id)


@shared_task(**EMAIL_RETRY)
def invoice_request_staff_notice_send(invoice_request_id: int) -> bool:
    return notices.invoice_request_staff_notice_send(invoice_request_id=invoice_request_id)


@shared_task(**EMAIL_RETRY)
def invoice_request_decision_notice_send(invoice_request_id: int) -> bool:
    return notices.invoice_request_decision_notice_send(invoice_request_id=invoice_request_id)


@shared_task(name="members.tasks.membership_reminders_send")
def membership_reminders_send() -> int:
    """Daily: 'ending soon' for non-renewing memberships and for staff grants, any
    'ended' notice that the moment of ending did not send (a worker was down), 'ended'
    for organisations' and people's staff grants that ran out, and the seat holders of any ended
    organisation membership not all told (the task handing them on was never queued)."""
    due = notices.ending_soon_due()
    for subscription_id in due:
        ending_soon_notice_send.delay(subscription_id)
    ended = notices.ended_notices_due()
    for subscription_id in ended:
        membership_ended_notice_send.delay(subscription_id)
    granted = notices.grant_ending_soon_due()
    for grant_id in granted:
        grant_ending_soon_notice_send.delay(grant_id)
    from members.organisations import membership_ended
    from members.organisations.tasks import (
        grant_ended_admins_send,
        membership_ended_seat_holders_send,
    )

    # Looked for before the grants' admins are told below: those hand their seats on.
    untold = membership_ended.seat_holders_untold_due()
    for subscription_id, grant_id in untold:
        membership_ended_seat_holders_send.delay(subscription_id, grant_id=grant_id)
    grants_ended = membership_ended.ended_grants_due()
    for grant_id in grants_ended:
        grant_ended_admins_send.delay(grant_id)
    personal_ended = grant_ended.personal_grants_ended_due()
    for grant_id in personal_ended:
        personal_grant_ended_send.delay(grant_id)
    return (
        len(due) + len(ended) + len(granted) + len(untold) + len(grants_ended) + len(personal_ended)
    )
