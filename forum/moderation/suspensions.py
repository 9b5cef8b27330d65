"""Suspending members from the forum and lifting suspensions."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from forum import access, tasks
from forum.models import (
    ModerationActionKind,
    Suspension,
)
from forum.moderation.checks import clean_reason
from forum.services.audit import audit_record

# --- Members ---------------------------------------------------------------------------------


def member_suspend(*, actor, member, until: datetime | None, reason: str) -> Suspension:
    """Stop a member posting (and reporting, reacting, editing) until `until`, or until
    a moderator lifts it when `until` is None. The reason is shown to the member."""
    if not access.can_suspend_from_forum(actor):
        raise PermissionDenied("Only forum moderators may suspend members.")
    reason = clean_reason(
        reason, required=True, what="Give a reason: the member sees it while suspended."
    )
    now = timezone.now()
    if member.pk == actor.pk:
        raise ValidationError("You cannot suspend yourself.", code="self")
    if not access.can_suspend_member(actor, member):
        raise ValidationError(
            "Moderators and staff are suspended by the network's staff, not by another moderator.",
            code="peer",
        )
    if until is not None and until <= now:
        raise ValidationError("The end of the suspension must be in the future.", code="until")
    with transaction.atomic(durable=True):
        current = Suspension.objects.in_force(now=now).filter(member=member).first()
        if current is not None:
            raise ValidationError(
                "This member is already suspended. Lift that suspension first to set "
                "a different one.",
                code="already",
            )
        suspension = Suspension.objects.create(
            member=member, starts_at=now, until=until, reason=reason, created_by=actor
        )
        entry = audit_record(
            actor=actor,
            action=ModerationActionKind.SUSPEND,
            member=member,
            reason=reason,
            details={
                "suspension": suspension.pk,
                "until": until.isoformat() if until else None,
            },
        )
        tasks.moderation_notice_send.delay_on_commit(entry.pk)
    access.forget_forum(member)
    return suspension


def suspension_lift(*, actor, suspension: Suspension, reason: str = "") -> Suspension:
    """End a suspension now. Whoever may not suspend the member may not lift it either:
    a moderator's suspension is the staff's to lift, and nobody lifts their own."""
    if not access.can_suspend_from_forum(actor):
        raise PermissionDenied("Only forum moderators may lift suspensions.")
    if suspension.member_id == actor.pk:
        raise ValidationError("You cannot lift your own suspension.", code="self")
    if not access.can_suspend_member(actor, suspension.member):
        raise ValidationError(
            "A moderator's or staff member's suspension is lifted by the network's staff.",
            code="peer",
        )
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        suspension = (
            Suspension.objects.select_for_update().select_related("member").get(pk=suspension.pk)
        )
        if not Suspension.objects.in_force().filter(pk=suspension.pk).exists():
            raise ValidationError("This suspension is not in force.", code="state")
        suspension.lifted_at = timezone.now()
        suspension.lifted_by = actor
        suspension.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(
            actor=actor,
            action=ModerationActionKind.LIFT_SUSPENSION,
            member=suspension.member,
            reason=reason,
            details={"suspension": suspension.pk},
        )
    access.forget_forum(suspension.member)
    return suspension
