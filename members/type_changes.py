"""Members asking for a change of member type, and staff deciding.

The member type decides which rooms and newsletters open to a member, so it comes from
where the membership comes from (the plan, the organisation, the staff grant) and only
staff change it. A member asks here; the membership team gets an email with a link to
the request in the admin, and approves or rejects it there. Approving changes the
person's own staff grant; a type that comes from a plan or an organisation is not the
person's alone to change, so staff change that plan or organisation themselves (or the
member moves plan) and the request is closed with a note.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from members import access
from members.models import MembershipGrant, MemberTypeChangeRequest, User

logger = logging.getLogger(__name__)

PENDING = MemberTypeChangeRequest.Status.PENDING


def type_change_request_open(user: User) -> MemberTypeChangeRequest | None:
    """The person's request still waiting for staff, if any."""
    return MemberTypeChangeRequest.objects.filter(user=user, status=PENDING).first()


def type_change_request_latest(user: User) -> MemberTypeChangeRequest | None:
    """The person's most recent request (for their account page)."""
    return MemberTypeChangeRequest.objects.filter(user=user).order_by("-created_at").first()


def type_change_request_admin_url(change_request: MemberTypeChangeRequest) -> str:
    return reverse("admin:members_membertypechangerequest_change", args=[change_request.pk])


def type_change_request_create(
    *, user: User, requested_type: str, reason: str
) -> MemberTypeChangeRequest:
    """Record a member's request and tell the membership team (after commit)."""
    from members.tasks import type_change_request_notify_staff

    current = access.membership(user)
    if current is None:
        raise ValidationError("Only members have a member type to change.")
    if requested_type == current.member_type:
        raise ValidationError("That is already your member type.", code="same_type")
    change_request = MemberTypeChangeRequest(
        user=user,
        current_type=current.member_type,
        requested_type=requested_type,
        reason=reason.strip(),
    )
    change_request.full_clean(validate_constraints=False)
    try:
        with transaction.atomic(durable=True):
            change_request.save()
            type_change_request_notify_staff.delay_on_commit(change_request.pk)
    except IntegrityError as error:
        # The partial unique index: a request is already waiting (a double submit).
        raise ValidationError(
            "You already have a request waiting for the membership team.", code="open"
        ) from error
    logger.info("member type change requested request=%s user=%s", change_request.pk, user.pk)
    return change_request


def _lock_pending(change_request: MemberTypeChangeRequest) -> MemberTypeChangeRequest:
    locked = MemberTypeChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if locked.status != PENDING:
        raise ValidationError("This request has already been decided.")
    return locked


def _grant_to_change(user: User) -> MembershipGrant:
    """The person's own staff grant giving them access now, or a clear refusal."""
    current = access.membership(user)
    if current is None:
        raise ValidationError(
            "They are no longer a member: there is no type to change. Reject the request."
        )
    if current.source == access.Source.GRANT:
        return current.grant
    if current.source == access.Source.PERSONAL:
        where = f"the plan {current.subscription.plan}"
    else:
        where = f"their organisation, {current.organisation}"
    raise ValidationError(
        f"Their member type comes from {where}, not from a grant of their own. Change that "
        "(or give them a grant), then reject this request with a note saying so."
    )


def _tell_the_member(change_request: MemberTypeChangeRequest) -> None:
    """The member hears of the decision by email, once it is committed: the account page
    says it too, but they asked and may not look there for days."""
    from members.tasks import type_change_decision_send

    type_change_decision_send.delay_on_commit(change_request.pk)


def type_change_request_approve(
    *, change_request: MemberTypeChangeRequest, approved_by: User
) -> MemberTypeChangeRequest:
    """Approve: the person's own staff grant takes the requested type."""
    with transaction.atomic(durable=True):
        locked = _lock_pending(change_request)
        access.forget(locked.user)
        grant = _grant_to_change(locked.user)
        grant.member_type = locked.requested_type
        grant.full_clean()
        grant.save(update_fields=["member_type"])
        locked.status = MemberTypeChangeRequest.Status.APPROVED
        locked.decided_by = approved_by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        _tell_the_member(locked)
    access.forget(locked.user)
    logger.info("member type change approved request=%s grant=%s", locked.pk, grant.pk)
    return locked


def type_change_request_reject(
    *, change_request: MemberTypeChangeRequest, rejected_by: User, note: str = ""
) -> MemberTypeChangeRequest:
    """Reject: nothing changes; the note (if any) is shown to the member."""
    with transaction.atomic(durable=True):
        locked = _lock_pending(change_request)
        locked.status = MemberTypeChangeRequest.Status.REJECTED
        locked.decided_by = rejected_by
        locked.decided_at = timezone.now()
        fields = ["status", "decided_by", "decided_at"]
        if note:
            locked.decision_note = note
            fields.append("decision_note")
        locked.save(update_fields=fields)
        _tell_the_member(locked)
    logger.info("member type change rejected request=%s", locked.pk)
    return locked
