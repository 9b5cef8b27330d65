"""Staff add, change and delete seats in the admin (members/admin/seats.py, and a
person's page) by the rules an organisation's own admins follow (seats.py): no
organisation is left without an admin, someone made an admin is told, and someone whose
seat is taken back is told and recorded among the seats taken back.

Staff may do more than an organisation's admins: give a seat beyond those paid for, or
move a seat to another person or organisation. A seat moved away is taken back from
whoever held it. To change an organisation's only admin, staff make someone else its
admin first, then change or delete the old admin's seat.

The admin runs each page in a transaction of its own, so these join it (they are not
durable) and their emails wait for it to commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from members import access
from members.models import Organisation, Seat, User
from members.organisations.seats import (
    admin_role_given,
    organisation_lock,
    seat_removal_record,
)
from members.organisations.tasks import seats_over_check

ANOTHER_ADMIN_FIRST = (
    "make someone else its admin first: tick “Is admin” on their seat (or add a seat for "
    "them with it ticked) and save"
)


@dataclass(frozen=True)
class Holding:
    """Who held a seat where, and as what, before staff changed it."""

    organisation_id: int
    user_id: int
    is_admin: bool

    @classmethod
    def of(cls, seat: Seat) -> "Holding | None":
        """The seat as read, before a form changes it (None for a seat not saved yet)."""
        if seat.pk is None:
            return None
        return cls(seat.organisation_id, seat.user_id, seat.is_admin)


def _only_admin_message(person: User, organisation: Organisation, then: str) -> str:
    return (
        f"{person} is the only admin of {organisation.name}, and an organisation needs at "
        f"least one admin to manage its seats. To {then}, {ANOTHER_ADMIN_FIRST}."
    )


def seat_change_check(*, seat: Seat, before: Holding | None) -> None:
    """Refuse a change that leaves the organisation the seat was at without an admin:
    its only admin's role taken back, or their seat moved to another person or
    organisation."""
    if before is None or not before.is_admin:
        return
    still_admin_here = seat.organisation_id == before.organisation_id and seat.is_admin
    if still_admin_here:
        return
    others = Seat.objects.filter(organisation_id=before.organisation_id, is_admin=True)
    if others.exclude(pk=seat.pk).exists():
        return
    organisation = Organisation.objects.get(pk=before.organisation_id)
    person = User.objects.get(pk=before.user_id)
    if seat.organisation_id == before.organisation_id and seat.user_id == before.user_id:
        then = "take the role back from them"
    else:
        then = "give this seat to someone else"
    raise ValidationError(_only_admin_message(person, organisation, then), code="last_admin")


def seats_delete_check(seats: Iterable[Seat]) -> None:
    """Refuse deleting seats that would leave an organisation without an admin: its only
    admin's seat, or every admin's seat at once."""
    seats = list(seats)
    chosen = {seat.pk for seat in seats}
    admin_at = {seat.organisation_id for seat in seats if seat.is_admin}
    kept = set(
        Seat.objects.filter(organisation_id__in=admin_at, is_admin=True)
        .exclude(pk__in=chosen)
        .values_list("organisation_id", flat=True)
    )
    messages = []
    for organisation_id in sorted(admin_at - kept):
        admins = [s for s in seats if s.organisation_id == organisation_id and s.is_admin]
        organisation = admins[0].organisation
        if len(admins) == 1:
            messages.append(_only_admin_message(admins[0].user, organisation, "delete their seat"))
        else:
            names = " and ".join(str(seat.user) for seat in admins)
            messages.append(
                f"{names} are all the admins of {organisation.name}, and an organisation "
                "needs at least one admin to manage its seats. Leave one of them out, or "
                f"{ANOTHER_ADMIN_FIRST}."
            )
    if messages:
        raise ValidationError(messages, code="last_admin")


def _lock(*organisation_ids: int | None) -> None:
    # In the order of their keys, so two pages locking the same two cannot deadlock.
    for pk in sorted({pk for pk in organisation_ids if pk is not None}):
        organisation_lock(Organisation(pk=pk))


def _seats_over_check(*organisation_ids: int | None) -> None:
    # A seat added, moved or deleted may bring the seats in use over those paid for, or
    # within them again (members/organisations/seats_over.py).
    for pk in {pk for pk in organisation_ids if pk is not None}:
        seats_over_check.delay_on_commit(pk)


def seat_staff_save(*, seat: Seat, before: Holding | None, changed_by: User) -> Seat:
    """Save a seat staff added or changed (`before`: as it was stored). Whoever it was
    taken from is told, as is whoever it makes an admin."""
    with transaction.atomic():
        _lock(seat.organisation_id, before and before.organisation_id)
        seat_change_check(seat=seat, before=before)
        moved = before is not None and (before.organisation_id, before.user_id) != (
            seat.organisation_id,
            seat.user_id,
        )
        seat.save()
        if moved:
            seat_removal_record(
                organisation=Organisation.objects.get(pk=before.organisation_id),
                person=User.objects.get(pk=before.user_id),
                removed_by=changed_by,
                by_staff=True,
            )
        if seat.is_admin and (before is None or moved or not before.is_admin):
            seat.save(update_fields=admin_role_given(seat=seat, given_by=changed_by))
    access.forget(seat.user)
    _seats_over_check(seat.organisation_id, before and before.organisation_id)
    return seat


def seats_staff_delete(*, seats: Iterable[Seat], deleted_by: User) -> int:
    """Take back seats staff deleted; each person is told and the seat recorded among
    those taken back. Refused (ValidationError) if it leaves an organisation without an
    admin. Returns how many were deleted."""
    pks = [seat.pk for seat in seats]
    with transaction.atomic():
        held = Seat.objects.select_related("user", "organisation").filter(pk__in=pks)
        _lock(*held.values_list("organisation_id", flat=True))
        held = list(held)  # read again under the locks
        seats_delete_check(held)
        Seat.objects.filter(pk__in=[seat.pk for seat in held]).delete()
        for seat in held:
            seat_removal_record(
                organisation=seat.organisation,
                person=seat.user,
                removed_by=deleted_by,
                by_staff=True,
            )
    for seat in held:
        access.forget(seat.user)
    _seats_over_check(*(seat.organisation_id for seat in held))
    return len(held)
