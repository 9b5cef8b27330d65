"""Celery tasks for organisation memberships (thin: load, call, own the retry policy).

Imported by MembersConfig.ready() so that workers register them.
"""

import logging

from celery import shared_task
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from members import access
from members.models import Invitation, Seat, SeatRemoval, User
from members.organisations import invitations, seats
from network.celery import EMAIL_RETRY
from network.mail import build_email, send_once, site_url

logger = logging.getLogger(__name__)


# The name it had in members/organisation_tasks.py, for messages already queued.
@shared_task(name="members.organisation_tasks.invitation_send", **EMAIL_RETRY)
def invitation_send(invitation_id: int) -> None:
    """Email an invitation's link, once per sending (a redelivered task sends nothing)."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return  # revoked or accepted before the email went out
    inviter = invitation.invited_by

    def build():
        return build_email(
            template="members/organisation/emails/invitation",
            context={
                "invitation": invitation,
                "organisation": invitation.organisation,
                "inviter": inviter,
                "accept_url": invitations.invitation_url(invitation),
                "expires_at": seats.invitation_expires_at(invitation),
            },
            subject=f"Join {invitation.organisation.name} on the English Residential Network",
            to=[invitation.email],
            reply_to=[inviter.email] if inviter is not None else None,
        )

    # This sending not yet emailed (by an earlier delivery of the task, or one running
    # beside this one): claimed before sending, so the invitee gets it once.
    not_emailed = Q(emailed_at__isnull=True) | Q(emailed_at__lt=F("sent_at"))
    if not send_once(
        model=Invitation,
        pk=invitation.pk,
        claim=not_emailed,
        field="emailed_at",
        value=timezone.now(),
        build=build,
    ):
        return
    logger.info("invitation emailed invitation=%s", invitation.pk)


@shared_task(**EMAIL_RETRY)
def seat_removal_send(removal_id: int) -> None:
    """Tell a colleague an admin took their seat back, once (a redelivered task sends
    nothing)."""
    removal = (
        SeatRemoval.objects.select_related("organisation", "user", "removed_by")
        .filter(pk=removal_id, emailed_at__isnull=True)
        .first()
    )
    if removal is None or removal.user.is_erased:
        return

    def build():
        return build_email(
            template="members/organisation/emails/seat_removed",
            context={
                "removal": removal,
                "organisation": removal.organisation,
                "person": removal.user,
                "remover": removal.removed_by,
                # A membership of their own (or another seat) still open: not told to join.
                "still_member": access.is_member(removal.user),
                "membership_url": site_url(reverse("membership")),
            },
            subject=f"Your seat in {removal.organisation.name}'s membership has ended",
            to=[removal.user.email],
            reply_to=[removal.removed_by.email] if removal.removed_by else None,
        )

    if not send_once(
        model=SeatRemoval,
        pk=removal.pk,
        claim=Q(emailed_at__isnull=True),
        field="emailed_at",
        value=timezone.now(),
        build=build,
    ):
        return
    logger.info("seat removal emailed removal=%s", removal.pk)


@shared_task(**EMAIL_RETRY)
def made_admin_send(seat_id: int, made_by_id: int | None = None) -> None:
    """Tell a colleague they were made an admin of their organisation's membership, once
    each time (a redelivered task sends nothing; nor does a role taken back since)."""
    seat = Seat.objects.select_related("organisation", "user").filter(pk=seat_id).first()
    if seat is None or seat.user.is_erased:
        return
    organisation = seat.organisation
    made_by = User.objects.filter(pk=made_by_id).first() if made_by_id else None

    def build():
        return build_email(
            template="members/organisation/emails/made_admin",
            context={
                "organisation": organisation,
                "person": seat.user,
                "made_by": made_by,
                "organisation_url": site_url(
                    reverse("members:organisation", kwargs={"slug": organisation.slug})
                ),
            },
            subject=f"You are now an admin of {organisation.name}'s membership",
            to=[seat.user.email],
            reply_to=[made_by.email] if made_by is not None else None,
        )

    # Not yet told of the latest time they were made one, and still an admin.
    untold = Q(made_admin_emailed_at__isnull=True) | Q(made_admin_emailed_at__lt=F("made_admin_at"))
    if send_once(
        model=Seat,
        pk=seat.pk,
        claim=Q(is_admin=True, made_admin_at__isnull=False) & untold,
        field="made_admin_emailed_at",
        value=timezone.now(),
        build=build,
    ):
        logger.info("made admin emailed seat=%s", seat.pk)
