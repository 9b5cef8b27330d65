"""Celery tasks for organisation memberships (thin: load, call, own the retry policy).

Imported by MembersConfig.ready() so that workers register them.
"""

import logging

from celery import shared_task
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from members import access
from members.billing.gateway import StripeUnavailable
from members.models import (
    Invitation,
    Organisation,
    OrganisationDetailsChange,
    Seat,
    SeatRemoval,
    User,
)
from members.organisations import details, domains, invitations, membership_ended, seats
from members.organisations import seats_over as seats_over_service
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
    """Tell a colleague an admin took their seat back, or that it ended as their address
    left the domain it was claimed with, once (a redelivered task sends nothing)."""
    removal = (
        SeatRemoval.objects.select_related("organisation", "user", "removed_by")
        .filter(pk=removal_id, emailed_at__isnull=True)
        .first()
    )
    if removal is None or removal.user.is_erased:
        return
    admins = access.organisation_admins(removal.organisation) if removal.left_domain else []
    if removal.removed_by is not None:
        reply_to = [removal.removed_by.email]
    else:
        reply_to = [admin.email for admin in admins] or None

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
                # Whom to ask for an invitation, when the seat ended as their address left
                # the domain it was claimed with.
                "admins": admins,
            },
            subject=f"Your seat in {removal.organisation.name}'s membership has ended",
            to=[removal.user.email],
            reply_to=reply_to,
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
def seat_claimed_admins_send(seat_id: int) -> bool:
    return domains.seat_claimed_admins_send(seat_id=seat_id)


@shared_task(**EMAIL_RETRY)
def seat_left_domain_admins_send(removal_id: int) -> bool:
    return domains.seat_left_domain_admins_send(removal_id=removal_id)


@shared_task(**EMAIL_RETRY)
def seat_left_domain_kept_send(seat_id: int) -> bool:
    return domains.seat_left_domain_kept_send(seat_id=seat_id)


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


@shared_task
def seats_over_check(organisation_id: int) -> None:
    """Begin or end the notice for seats beyond those paid for (after a change of seats
    paid for, written by billing)."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is not None:
        seats_over_service.seats_over_check(organisation=organisation)


@shared_task
def seats_over_sweep() -> None:
    """Hourly: begin or end notices the changes above did not (a staff grant ending, an
    invitation expiring), and tell people whose seat's notice has ended."""
    handed = seats_over_service.seats_over_sweep()
    if handed:
        logger.info("seats beyond paid to tell: %s", len(handed))


def _admin_emails(organisation: Organisation) -> list[str]:
    return list(
        organisation.seats.filter(is_admin=True, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


@shared_task(**EMAIL_RETRY)
def seats_over_admin_send(organisation_id: int) -> None:
    """Tell an organisation's admins, once each time it begins, that more seats are in
    use than are paid for, by when to put it right, and who loses access otherwise."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or organisation.seats_over_since is None:
        return  # the seats fit again before the email went out
    since = organisation.seats_over_since
    beyond = seats_over_service.seats_over(organisation)
    recipients = _admin_emails(organisation)
    if beyond is None or not recipients:
        return

    def build():
        return build_email(
            template="members/organisation/emails/seats_over",
            context={
                "organisation": organisation,
                "beyond": beyond,
                # How seats are added depends on how the organisation pays.
                "membership": access.organisation_membership(organisation),
                "organisation_url": site_url(
                    reverse("members:organisation", kwargs={"slug": organisation.slug})
                ),
                "account_url": site_url(reverse("members:account")),
                "contact_url": site_url(reverse("contact")),
            },
            subject=f"{organisation.name} pays for fewer seats than are in use",
            to=recipients,
        )

    untold = Q(seats_over_emailed_for__isnull=True) | ~Q(seats_over_emailed_for=since)
    if send_once(
        model=Organisation,
        pk=organisation.pk,
        claim=Q(seats_over_since=since) & untold,
        field="seats_over_emailed_for",
        value=since,
        build=build,
    ):
        logger.info("seats over emailed organisation=%s", organisation.pk)


@shared_task
def seats_over_warnings_send(organisation_id: int) -> None:
    """When the notice begins: hand each person whose seat is beyond the paid ones to
    the email below (one task each, so a failed email is retried alone)."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or organisation.seats_over_since is None:
        return
    beyond = seats_over_service.seats_over(organisation)
    for seat_id in seats_over_service.seats_to_warn(organisation, beyond):
        seat_beyond_paid_warning_send.delay(seat_id)


@shared_task(**EMAIL_RETRY)
def seat_beyond_paid_warning_send(seat_id: int) -> None:
    """Tell a person, once each time a notice begins, that their seat is beyond the seats
    their organisation pays for: until when it gives access, and what their admins can
    do (checked again: the admin may have put it right since)."""
    seat = Seat.objects.select_related("organisation", "user").filter(pk=seat_id).first()
    if seat is None or seat.is_admin or seat.user.is_erased or not seat.user.is_active:
        return
    organisation = seat.organisation
    since = organisation.seats_over_since
    ends_at = access.seats_notice_end(organisation)
    if ends_at is None or ends_at <= timezone.now():
        return  # no notice running, or it has ended: the email above says so instead
    beyond = seats_over_service.seats_over(organisation)
    if beyond is None or seat.pk not in {s.pk for s in beyond.seats}:
        return
    # Their own membership (or another seat) gives access first: they lose nothing.
    losing = access.seat_beyond_paid(seat.user)
    if losing is None or losing.organisation.pk != organisation.pk:
        return
    admins = list(access.organisation_admins(organisation))

    def build():
        return build_email(
            template="members/organisation/emails/seat_beyond_paid_warning",
            context={
                "organisation": organisation,
                "person": seat.user,
                "beyond": beyond,
                "admins": admins,
                "ends_at": ends_at,
                "account_url": site_url(reverse("members:account")),
                "membership_url": site_url(reverse("membership")),
            },
            subject=(
                f"Your seat at {organisation.name} may stop giving access on "
                f"{timezone.localtime(ends_at):%-d %B %Y}"
            ),
            to=[seat.user.email],
            reply_to=[admin.email for admin in admins] or None,
        )

    untold = Q(beyond_paid_warned_for__isnull=True) | ~Q(beyond_paid_warned_for=since)
    if send_once(
        model=Seat,
        pk=seat.pk,
        claim=Q(organisation__seats_over_since=since, is_admin=False) & untold,
        field="beyond_paid_warned_for",
        value=since,
        build=build,
    ):
        logger.info("seat beyond paid warned seat=%s", seat.pk)


@shared_task(**EMAIL_RETRY)
def seat_beyond_paid_send(seat_id: int) -> None:
    """Tell a person, once each time, that their seat stopped giving access because it is
    beyond the seats their organisation pays for (checked again: the admin may have put
    it right since)."""
    seat = Seat.objects.select_related("organisation", "user").filter(pk=seat_id).first()
    if seat is None or seat.user.is_erased:
        return
    organisation = seat.organisation
    since = organisation.seats_over_since
    ends_at = access.seats_notice_end(organisation)
    if ends_at is None or ends_at > timezone.now():
        return
    beyond = seats_over_service.seats_over(organisation)
    if beyond is None or seat.pk not in {s.pk for s in beyond.seats}:
        return
    admins = _admin_emails(organisation)

    def build():
        return build_email(
            template="members/organisation/emails/seat_beyond_paid",
            context={
                "organisation": organisation,
                "person": seat.user,
                "beyond": beyond,
                "admins": admins,
                # A membership of their own (or another seat) still open: not told to join.
                "still_member": access.is_member(seat.user),
                "membership_url": site_url(reverse("membership")),
            },
            subject=f"Your seat at {organisation.name} no longer gives access",
            to=[seat.user.email],
            reply_to=admins or None,
        )

    untold = Q(beyond_paid_emailed_for__isnull=True) | ~Q(beyond_paid_emailed_for=since)
    if send_once(
        model=Seat,
        pk=seat.pk,
        claim=Q(organisation__seats_over_since=since) & untold,
        field="beyond_paid_emailed_for",
        value=since,
        build=build,
    ):
        logger.info("seat beyond paid emailed seat=%s", seat.pk)


@shared_task(**EMAIL_RETRY)
def grant_ended_admins_send(grant_id: int) -> bool:
    """Tell an organisation's admins its staff grant ran out, once; then hand on the other
    people in its seats (the daily reminders hand them on if this could not)."""
    handed_on = membership_ended.grant_ended_admins_send(grant_id=grant_id)
    if handed_on:
        membership_ended_seat_holders_send.delay(grant_id=grant_id)
    return handed_on


@shared_task
def membership_ended_seat_holders_send(
    subscription_id: int | None = None, grant_id: int | None = None
) -> int:
    """After an organisation's membership ended (a subscription whose admins were told,
    or a staff grant run out): hand the other people in its seats to the email task, a
    chunk at a time."""
    found = membership_ended.ending(subscription_id=subscription_id, grant_id=grant_id)
    chunks = 0
    for seat_ids in membership_ended.seat_holders_to_tell(found):
        membership_ended_seats_send.delay(subscription_id, seat_ids, grant_id=grant_id)
        chunks += 1
    return chunks


@shared_task(**EMAIL_RETRY)
def membership_ended_seats_send(
    subscription_id: int | None, seat_ids: list[int], grant_id: int | None = None
) -> int:
    """Tell a chunk of seat holders their organisation's membership ended (a retry, or a
    redelivered task, skips those already told)."""
    found = membership_ended.ending(subscription_id=subscription_id, grant_id=grant_id)
    return membership_ended.membership_ended_seats_send(found=found, seat_ids=seat_ids)


@shared_task(**EMAIL_RETRY)
def organisation_renamed_staff_notice_send(change_id: int) -> bool:
    return details.organisation_renamed_staff_notice_send(change_id=change_id)


@shared_task(**EMAIL_RETRY)
def organisation_stripe_refused_staff_notice_send(change_id: int) -> bool:
    return details.organisation_stripe_refused_staff_notice_send(change_id=change_id)


@shared_task(bind=True, max_retries=10)
def organisation_customer_update(self, change_id: int) -> None:
    """Bring an organisation's Stripe customer up to date with the details its admin
    changed while Stripe could not be reached. Backs off as webhook events do (30 s,
    doubling, at most 30 min between tries); tasks run in-process do not retry."""
    change = OrganisationDetailsChange.objects.filter(pk=change_id).first()
    if change is None:
        return
    try:
        details.organisation_customer_update_apply(change=change)
    except StripeUnavailable as error:
        if self.request.is_eager:
            return
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 1800)) from error
