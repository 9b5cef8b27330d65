"""Invitations to an organisation's seats: the signed links and every write an
organisation admin makes to them (create, send again, revoke) and the invited person's
acceptance. Seats are counted and given by members/organisations/seats.py, under the
same row lock.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from members import access
from members.models import Invitation, Organisation, Seat, User
from members.organisations.seats import (
    colleague_no_seat_message,
    invitation_is_expired,
    invitation_lifetime,
    no_seats_message,
    organisation_lock,
    seat_give,
    seat_is_free_for,
    seats_usage,
)
from members.organisations.seats_over import seats_over_check

# Part of every link's signature: changing it would break the links already sent.
INVITATION_SALT = "members.organisations.invitation"


def invitations_for(user: User) -> QuerySet[Invitation]:
    """Open, unexpired invitations sent to one of the person's verified addresses."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            email__in=access.verified_addresses(user),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            sent_at__gt=timezone.now() - invitation_lifetime(),
        )
        .exclude(organisation__seats__user=user)
        .select_related("organisation")
    )


# --- Invitation links ----------------------------------------------------------------


class InvitationProblem(Exception):
    """Why an invitation link cannot be used; `reason` picks the page's wording."""

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    WRONG_EMAIL = "wrong_email"
    NO_SEAT = "no_seat"

    def __init__(self, reason: str, invitation: Invitation | None = None, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason
        self.invitation = invitation
        self.message = message


def invitation_token(invitation: Invitation) -> str:
    """A signed token naming the invitation and when it was signed (links expire)."""
    return signing.TimestampSigner(salt=INVITATION_SALT).sign(str(invitation.pk))


def invitation_url(invitation: Invitation) -> str:
    path = reverse("members:invitation", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link names, if it can still be accepted; else InvitationProblem."""
    signer = signing.TimestampSigner(salt=INVITATION_SALT)
    try:
        pk = signer.unsign(token, max_age=invitation_lifetime())
    except signing.SignatureExpired:
        pk = None
        expired = True
    except signing.BadSignature:
        raise InvitationProblem(InvitationProblem.INVALID) from None
    else:
        expired = False
    if expired:
        # Name the organisation on the page when the signature itself is still genuine.
        pk = signer.unsign(token)
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=pk).first()
    )
    if invitation is None:
        raise InvitationProblem(InvitationProblem.INVALID)
    if invitation.accepted_at is not None:
        raise InvitationProblem(InvitationProblem.USED, invitation)
    if invitation.revoked_at is not None:
        raise InvitationProblem(InvitationProblem.REVOKED, invitation)
    if expired or invitation_is_expired(invitation):
        raise InvitationProblem(InvitationProblem.EXPIRED, invitation)
    return invitation


# --- Invitations ---------------------------------------------------------------------


def _send_later(invitation: Invitation) -> None:
    from members.organisations.tasks import invitation_send

    invitation_send.delay_on_commit(invitation.pk)


def invitation_create(*, organisation: Organisation, email: str, invited_by: User) -> Invitation:
    """Invite a colleague by email to take one of the organisation's seats.

    The invitation holds a seat until it is accepted, revoked or expires; inviting beyond
    the seat count is refused. An expired invitation to the same address is sent again.
    """
    email = email.strip().lower()
    validate_email(email)
    with transaction.atomic(durable=True):
        organisation = organisation_lock(organisation)
        # Any verified address of a seat holder, not only the one they sign in with: an
        # invitation they would never see would hold a second seat for them.
        seated = User.objects.filter(seats__organisation=organisation).filter(
            Q(email__iexact=email)
            | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
        )
        if seated.exists():
            raise ValidationError(
                f"{email} already holds a seat in {organisation.name}.", code="already_seated"
            )
        existing = organisation.invitations.filter(
            email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).first()
        if existing is not None and not invitation_is_expired(existing):
            raise ValidationError(
                f"{email} was already invited on {date_format(timezone.localtime(existing.sent_at), 'j F Y')}. Use "
                "'Send again' in the list of invitations if the email went astray.",
                code="already_invited",
            )
        usage = seats_usage(organisation)
        if usage.left < 1:
            raise ValidationError(no_seats_message(usage), code="no_seat")
        now = timezone.now()
        if existing is not None:
            invitation = existing
            invitation.sent_at = now
            invitation.invited_by = invited_by
            invitation.save(update_fields=["sent_at", "invited_by"])
        else:
            invitation = Invitation(
                organisation=organisation, email=email, invited_by=invited_by, sent_at=now
            )
            invitation.full_clean()
            try:
                with transaction.atomic():
                    invitation.save()
            except IntegrityError:
                # The same address was invited a moment ago (a double click where the row
                # lock is not enforced): the database kept one invitation.
                raise ValidationError(
                    f"{email} was invited a moment ago.", code="already_invited"
                ) from None
        _send_later(invitation)
    return invitation


# A colleague's inbox is not to be flooded by repeated clicks on "Send again".
RESEND_AFTER = timedelta(minutes=10)


def invitation_resend(*, invitation: Invitation, sent_by: User) -> Invitation:
    """Send an open invitation again with a fresh link (and a fresh expiry)."""
    with transaction.atomic(durable=True):
        organisation = organisation_lock(invitation.organisation)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise ValidationError("This invitation was already accepted or revoked.", code="closed")
        if invitation.sent_at > timezone.now() - RESEND_AFTER:
            raise ValidationError(
                f"The invitation to {invitation.email} was sent a few minutes ago. Email can "
                "take a while to arrive; you can send it again after ten minutes.",
                code="too_soon",
            )
        if invitation_is_expired(invitation):
            # An expired invitation held no seat; sending it again needs one free.
            usage = seats_usage(organisation)
            if usage.left < 1:
                raise ValidationError(no_seats_message(usage), code="no_seat")
        invitation.sent_at = timezone.now()
        # The email names whoever sent it now, and replies reach them: the first sender
        # may no longer manage the seats, or work there.
        invitation.invited_by = sent_by
        invitation.save(update_fields=["sent_at", "invited_by"])
        _send_later(invitation)
    return invitation


def invitation_revoke(*, invitation: Invitation, revoked_by: User) -> Invitation:
    """Withdraw an open invitation: its link stops working and its seat is free again."""
    with transaction.atomic(durable=True):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(
                "This invitation was already accepted; remove the person's seat instead.",
                code="closed",
            )
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
    seats_over_check(organisation=invitation.organisation)
    return invitation


def invitation_has_seat_for(invitation: Invitation, user: User) -> bool:
    """Could `user` take a seat with `invitation` now, or hold one there already? An
    invitation beyond the seats the organisation pays for cannot be accepted until its
    admins add seats or free one (access/seats_paid.py): its page says so up front."""
    organisation = invitation.organisation
    if organisation.seats.filter(user=user).exists():
        return True
    return seat_is_free_for(organisation=organisation, user=user, invitation=invitation)


def invitation_accept(*, invitation: Invitation, user: User) -> Seat:
    """The invited person takes their seat. Raises InvitationProblem when they cannot."""
    with transaction.atomic(durable=True):
        organisation = organisation_lock(invitation.organisation)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationProblem(InvitationProblem.USED, invitation)
        if invitation.revoked_at is not None:
            raise InvitationProblem(InvitationProblem.REVOKED, invitation)
        if invitation_is_expired(invitation):
            raise InvitationProblem(InvitationProblem.EXPIRED, invitation)
        if not access.invitation_is_for(user, invitation):
            raise InvitationProblem(InvitationProblem.WRONG_EMAIL, invitation)
        seat = organisation.seats.filter(user=user).first()
        if seat is None:
            try:
                seat = seat_give(
                    organisation=organisation,
                    user=user,
                    taken_through=Seat.TakenThrough.INVITATION,
                    exclude_invitation=invitation,
                )
            except ValidationError:
                # The invited person is not the admin the seat count's message speaks to.
                raise InvitationProblem(
                    InvitationProblem.NO_SEAT,
                    invitation,
                    message=colleague_no_seat_message(organisation),
                ) from None
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return seat
