"""Celery tasks of member accounts (billing's are in members/billing/tasks.py)."""

import logging

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from members.models import MemberTypeChangeRequest
from members.type_changes import type_change_request_admin_url
from network.celery import EMAIL_RETRY
from network.mail import build_email, send_once, site_url

logger = logging.getLogger(__name__)


@shared_task(**EMAIL_RETRY)
def type_change_request_notify_staff(change_request_id: int) -> None:
    """Email the membership team about a request to change member type, once: its
    "staff emailed at" mark is claimed before sending, so a second delivery of this task
    (a worker lost after sending) does not send it again."""
    change_request = (
        MemberTypeChangeRequest.objects.select_related("user").filter(pk=change_request_id).first()
    )
    if change_request is None:
        return
    sent = send_once(
        model=MemberTypeChangeRequest,
        pk=change_request.pk,
        claim=Q(staff_notified_at__isnull=True),
        field="staff_notified_at",
        value=timezone.now(),
        build=lambda: build_email(
            template="members/emails/type_change_request",
            context={
                "change_request": change_request,
                "admin_url": site_url(type_change_request_admin_url(change_request)),
            },
            subject=f"Member type change requested by {change_request.user}",
            to=settings.STAFF_NOTIFICATION_EMAILS,
            reply_to=[change_request.user.email],
        ),
    )
    if sent:
        logger.info("member type change request emailed request=%s", change_request.pk)


@shared_task(**EMAIL_RETRY)
def type_change_decision_send(change_request_id: int) -> None:
    """Email a member the decision on their request to change member type, once (its
    "member emailed at" mark is claimed before sending)."""
    change_request = (
        MemberTypeChangeRequest.objects.select_related("user")
        .filter(pk=change_request_id)
        .exclude(status=MemberTypeChangeRequest.Status.PENDING)
        .first()
    )
    if change_request is None or change_request.user.is_erased:
        return  # nothing decided, or nobody to tell
    approved = change_request.status == MemberTypeChangeRequest.Status.APPROVED
    sent = send_once(
        model=MemberTypeChangeRequest,
        pk=change_request.pk,
        claim=Q(decision_notified_at__isnull=True),
        field="decision_notified_at",
        value=timezone.now(),
        build=lambda: build_email(
            template="members/emails/type_change_decision",
            context={
                "change_request": change_request,
                "approved": approved,
                "account_url": site_url(reverse("members:account")),
            },
            subject="Your member type has changed"
            if approved
            else "Your request to change member type",
            to=[change_request.user.email],
        ),
    )
    if sent:
        logger.info("member type change decision emailed request=%s", change_request.pk)


@shared_task
def data_export_build(data_request_id: int) -> None:
    """Prepare one person's download (their data request) and email its link."""
    from members import data_rights
    from members.models import DataRequest

    data_request = (
        DataRequest.objects.select_related("user")
        .filter(pk=data_request_id, kind=DataRequest.Kind.ACCESS)
        .first()
    )
    if data_request is None:
        return
    data_rights.data_export_build(data_request=data_request)


def _tell_once(data_request, build) -> bool:
    """A data request's email goes to its person once (its "person emailed at" mark)."""
    from members.models import DataRequest

    return send_once(
        model=DataRequest,
        pk=data_request.pk,
        claim=Q(notified_at__isnull=True),
        field="notified_at",
        value=timezone.now(),
        build=build,
    )


@shared_task(**EMAIL_RETRY)
def data_export_notify(data_request_id: int) -> None:
    """Email the person the single-use link to their download."""
    from members import data_rights
    from members.models import DataRequest

    data_request = DataRequest.objects.select_related("user").filter(pk=data_request_id).first()
    if data_request is None or not data_request.export_file or data_request.user.is_erased:
        return
    _tell_once(
        data_request,
        lambda: build_email(
            template="members/emails/data_export_ready",
            context={
                "user": data_request.user,
                "link": data_rights.data_export_link(data_request),
                "expires_at": data_request.export_expires_at,
            },
            subject="Your data is ready to download",
            to=[data_request.user.email],
        ),
    )


@shared_task(**EMAIL_RETRY)
def account_deletion_notify(data_request_id: int) -> None:
    """Tell the person when their account will be deleted, and how to stop it."""
    from members.models import DataRequest

    data_request = (
        DataRequest.objects.select_related("user")
        .filter(pk=data_request_id, state=DataRequest.State.SCHEDULED)
        .first()
    )
    if data_request is None:
        return  # cancelled or done meanwhile
    renewals_stopped = list(data_request.renewals_stopped.select_related("plan"))
    _tell_once(
        data_request,
        lambda: build_email(
            template="members/emails/account_deletion_scheduled",
            context={
                "data_request": data_request,
                "renewals_stopped": renewals_stopped,
                # Ending before the erasure: they end on that date for good.
                "ending_in_grace": [
                    subscription
                    for subscription in renewals_stopped
                    if subscription.current_period_end
                    and subscription.current_period_end <= data_request.erase_after
                ],
                "membership_url": site_url(reverse("membership")),
                "login_url": site_url(reverse("account_login")),
                "contact_url": site_url(reverse("contact")),
            },
            subject="Your account will be deleted",
            to=[data_request.user.email],
        ),
    )


@shared_task(**EMAIL_RETRY)
def account_erasure_confirm(data_request_id: int, address: str) -> None:
    """Tell a person whom staff erased that it was done, at the address they had (the
    account no longer holds it: only this task's arguments do, until it has run), with
    what went and what was kept. Once: its own mark, since the request's other one may
    hold the grace period's email."""
    from members.models import DataRequest

    data_request = (
        DataRequest.objects.filter(
            pk=data_request_id, kind=DataRequest.Kind.ERASURE, state=DataRequest.State.DONE
        )
        .only("pk", "source", "keep_post_text")
        .first()
    )
    if data_request is None:
        return
    sent = send_once(
        model=DataRequest,
        pk=data_request.pk,
        claim=Q(erasure_notified_at__isnull=True),
        field="erasure_notified_at",
        value=timezone.now(),
        build=lambda: build_email(
            template="members/emails/account_erased",
            context={
                "at_their_request": data_request.source != DataRequest.Source.OTHER,
                "keep_post_text": data_request.keep_post_text,
                "contact_url": site_url(reverse("contact")),
            },
            subject="Your account has been deleted",
            to=[address],
        ),
    )
    if sent:
        logger.info("erasure confirmed to the person request=%s", data_request.pk)


def _stripe_retry(task, error):
    """Stripe could not be reached: try again later, backing off (as webhook events do).
    Tasks run in-process do not retry; the nightly erasure run picks up what is left."""
    if task.request.is_eager:
        return
    raise task.retry(exc=error, countdown=min(30 * 2**task.request.retries, 1800)) from error


@shared_task(bind=True, max_retries=10)
def account_deletion_renewals_stop(self, data_request_id: int) -> None:
    """Turn off the renewal of a scheduled deletion's personal memberships."""
    from members import data_rights
    from members.billing.gateway import StripeUnavailable
    from members.models import DataRequest

    data_request = DataRequest.objects.filter(pk=data_request_id).first()
    if data_request is None or not data_request.renewals_stop_pending:
        return
    try:
        data_rights.account_deletion_renewals_stop(data_request=data_request)
    except StripeUnavailable as error:
        _stripe_retry(self, error)


@shared_task(bind=True, max_retries=10)
def account_deletion_renewals_restore(self, data_request_id: int) -> None:
    """Turn renewal back on where a deletion closed without erasing anyone had turned it
    off (the person signed in again, or staff closed the request)."""
    from members import data_rights
    from members.billing.gateway import StripeUnavailable
    from members.models import DataRequest

    data_request = DataRequest.objects.filter(
        pk=data_request_id, state__in=data_rights.CLOSED_WITHOUT_ERASURE
    ).first()
    if data_request is None:
        return
    try:
        data_rights.account_deletion_renewals_restore(data_request=data_request)
    except StripeUnavailable as error:
        _stripe_retry(self, error)


@shared_task
def account_deletions_complete() -> int:
    """Nightly: erase the accounts whose deletion grace period has run out."""
    from members import data_rights

    return data_rights.account_deletions_complete()
