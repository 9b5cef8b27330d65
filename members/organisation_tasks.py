"""Celery tasks for organisation memberships (thin: load, call, own the retry policy).

Imported by MembersConfig.ready() so that workers register them.
"""

import logging
import smtplib

from celery import shared_task
from django.utils import timezone

from members import organisations
from members.models import Invitation
from network.mail import build_email

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=10,
)
def invitation_send(invitation_id: int) -> None:
    """Email an invitation's link, once per sending (a redelivered task sends nothing)."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return  # revoked or accepted before the email went out
    if invitation.emailed_at is not None and invitation.emailed_at >= invitation.sent_at:
        return  # this sending was emailed by an earlier delivery of the task
    inviter = invitation.invited_by
    email = build_email(
        template="members/organisation/emails/invitation",
        context={
            "invitation": invitation,
            "organisation": invitation.organisation,
            "inviter": inviter,
            "accept_url": organisations.invitation_url(invitation),
            "expires_at": organisations.invitation_expires_at(invitation),
        },
        subject=f"Join {invitation.organisation.name} on the English Residential Network",
        to=[invitation.email],
        reply_to=[inviter.email] if inviter is not None else None,
    )
    email.send()
    Invitation.objects.filter(pk=invitation.pk).update(emailed_at=timezone.now())
    logger.info("invitation emailed invitation=%s", invitation.pk)
