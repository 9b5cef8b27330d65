"""Organisation memberships: seats and admins (verified email domains: domains.py).

Every write an organisation admin (or a colleague taking a seat) makes to seats goes
through one function here. How many seats an organisation may fill, and who may do what,
is asked of members/access/; this module counts what is used and keeps the rules that no
organisation is left without an admin and no seat is given twice.

Seats are guarded twice against two people taking the last one at the same moment: the
organisation's row is locked (select_for_update) while seats are counted and given, and
each seat takes a numbered slot (1..seats) that is unique per organisation in the
database, so even without row locks (SQLite) only one of two racing seats is saved.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from members import access
from members.access.subscriptions import access_giving_subscriptions, current_grants
from members.models import Invitation, Organisation, Seat, SeatRemoval, Subscription, User
from network.text import counted

# --- Reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatsUsage:
    """How an organisation's seats are used."""

    total: int  # seats the membership allows (access.organisation_seats)
    taken: int  # people holding a seat
    held: int  # invitations not yet accepted, revoked or expired

    @property
    def used(self) -> int:
        return self.taken + self.held

    @property
    def left(self) -> int:
        return max(0, self.total - self.used)

    @property
    def over(self) -> int:
        """Seats in use beyond what the membership allows (after a plan got smaller)."""
        return max(0, self.used - self.total)


def invitation_lifetime() -> timedelta:
    return timedelta(days=settings.ORGANISATION_INVITATION_DAYS)


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.sent_at + invitation_lifetime()


def invitation_is_expired(invitation: Invitation, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= invitation_expires_at(invitation)


def holding_a_seat() -> Q:
    """Invitations open and not expired: each holds a seat."""
    return Q(
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        sent_at__gt=timezone.now() - invitation_lifetime(),
    )


def invitations_holding_seats(organisation: Organisation) -> QuerySet[Invitation]:
    """Open invitations that have not expired: each holds a seat."""
    return organisation.invitations.filter(holding_a_seat())


def seats_usage(organisation: Organisation, *, total: int | None = None) -> SeatsUsage:
    """Count seats taken and held; pass `total` when the caller already asked access.py."""
    if total is None:
        total = access.organisation_seats(organisation)
    return SeatsUsage(
        total=total,
        taken=organisation.seats.count(),
        held=invitations_holding_seats(organisation).count(),
    )


# --- Seats ---------------------------------------------------------------------------


def organisation_lock(organisation: Organisation) -> Organisation:
    """Lock the organisation's row until the transaction ends: seat counting and giving
    for one organisation happen one at a time."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def no_seats_message(usage: SeatsUsage) -> str:
    if usage.total == 0:
        return (
            "Your organisation has no active membership at the moment, so there are no "
            "seats to fill. Renew the membership first."
        )
    if usage.over:
        return (
            f"Your membership pays for {counted(usage.total, 'seat')} and {usage.used} are "
            "in use, so no one can be invited. Remove people or revoke invitations, or add "
            "seats to your membership."
        )
    if usage.total == 1:
        taken = "Your organisation's one seat is taken or held by an invitation."
    else:
        taken = f"All {usage.total} seats are taken or held by invitations."
    return (
        f"{taken} To invite someone, remove a person, revoke an invitation, or add seats to "
        "your membership."
    )


def colleague_no_seat_message(organisation: Organisation) -> str:
    """Why a colleague (not an admin) cannot take a seat now: they can do nothing about
    it but ask an admin, so no_seats_message's advice to invite or revoke is not for them."""
    if access.organisation_seats(organisation) == 0:
        return (
            f"{organisation.name} has no active membership at the moment. Ask one of its "
            "admins to renew it."
        )
    return (
        f"No seat is free at {organisation.name} at the moment. Ask one of its admins to "
        "free a seat or add seats to its membership."
    )


def _seat_for(
    organisation: Organisation, user: User, exclude_invitation: Invitation | None
) -> tuple[SeatsUsage, int | None]:
    """The seats as `user` would find them, and the numbered slot they would take (None:
    none is free). seat_give asks under the row lock; seat_is_free_for, to say so first."""
    total = access.organisation_seats(organisation)
    held = invitations_holding_seats(organisation).exclude(
        email__in=access.verified_addresses(user)
    )
    if exclude_invitation is not None:
        # Only invitations sent before it come first: those after it are beyond the paid
        # seats before it is (access/seats_paid.py), when the seats became fewer.
        held = access.invitations_held_before(held, exclude_invitation)
    taken_slots = set(organisation.seats.exclude(slot__isnull=True).values_list("slot", flat=True))
    usage = SeatsUsage(total=total, taken=organisation.seats.count(), held=held.count())
    return usage, next((n for n in range(1, total + 1) if n not in taken_slots), None)


def seat_is_free_for(
    *, organisation: Organisation, user: User, invitation: Invitation | None = None
) -> bool:
    """Would seat_give find `user` a seat now (taking `invitation`'s)? For a page to say
    up front that there is none, rather than offer a button that then says so; giving
    the seat decides again, under the lock."""
    usage, slot = _seat_for(organisation, user, invitation)
    return usage.left >= 1 and slot is not None


def with_seat_free(invitations: QuerySet[Invitation], user: User) -> QuerySet[Invitation]:
    """The invitations, each with `seats_paid` and `seat_free`: seat_is_free_for for many
    at once, in the one query that lists them (the account page shows every invitation
    waiting for a person). Accepting decides again, under the lock."""
    now = timezone.now()
    organisation = OuterRef("organisation_id")
    bought = (
        Subscription.objects.filter(access_giving_subscriptions(now), organisation=organisation)
        .order_by("-quantity")
        .values("quantity")[:1]
    )
    granted = (
        current_grants(timezone.localdate(now))
        .filter(organisation=organisation)
        .order_by("-seats")
        .values("seats")[:1]
    )
    taken = (
        Seat.objects.filter(organisation=organisation)
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Held by others' invitations sent before this one, as _seat_for counts them.
    held = (
        Invitation.objects.filter(holding_a_seat(), organisation=organisation)
        .exclude(email__in=access.verified_addresses(user))
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return invitations.annotate(
        seats_paid=Greatest(Coalesce(Subquery(bought), 0), Coalesce(Subquery(granted), 0)),
        seats_taken=Coalesce(Subquery(taken), 0),
        seats_held_before=Coalesce(Subquery(held), 0),
    )


def seat_give(
    *,
    organisation: Organisation,
    user: User,
    taken_through: Seat.TakenThrough,
    exclude_invitation: Invitation | None = None,
) -> Seat:
    """Give `user` a seat if one is free. Call inside a transaction holding organisation_lock().
    A seat claimed by domain records the organisation's verified domain it was claimed with.

    Invitations to the person's own verified addresses hold the seat they take, whether
    they accept one (`exclude_invitation`) or claim by domain: those are not counted as
    held by someone else, and are closed as accepted, so they hold no second seat."""
    own_invitations = invitations_holding_seats(organisation).filter(
        email__in=access.verified_addresses(user)
    )
    usage, slot = _seat_for(organisation, user, exclude_invitation)
    if usage.left < 1 or slot is None:
        raise ValidationError(no_seats_message(usage), code="no_seat")
    try:
        with transaction.atomic():
            seat = Seat.objects.create(
                organisation=organisation,
                user=user,
                slot=slot,
                taken_through=taken_through,
                claimed_domain=organisation.verified_domain
                if taken_through == Seat.TakenThrough.DOMAIN
                else "",
            )
    except IntegrityError:
        # Someone took the same numbered seat a moment ago (only possible where the row
        # lock is not enforced): the database refused the second one.
        raise ValidationError(
            "Someone took the last seat a moment ago. There is no seat left.", code="no_seat"
        ) from None
    if exclude_invitation is not None:
        own_invitations = own_invitations.exclude(pk=exclude_invitation.pk)
    own_invitations.update(accepted_at=timezone.now(), accepted_by=user)
    access.forget(user)
    return seat


def seat_claim(*, organisation: Organisation, user: User) -> Seat:
    """A colleague with a verified address at the organisation's verified domain takes a
    free seat. Its admins are told who came in that way (once the seat is saved)."""
    from members.organisations.tasks import seat_claimed_admins_send

    with transaction.atomic(durable=True):
        organisation = organisation_lock(organisation)
        if not access.can_claim_seat(user, organisation):
            raise ValidationError(
                "Your verified email address is not at this organisation's domain.",
                code="wrong_domain",
            )
        if organisation.seats.filter(user=user).exists():
            raise ValidationError("You already hold a seat here.", code="already_seated")
        try:
            seat = seat_give(
                organisation=organisation, user=user, taken_through=Seat.TakenThrough.DOMAIN
            )
        except ValidationError as error:
            # seat_give's message tells an admin what to do; this is a colleague, who
            # can do none of it (the last seat went between the page and the click).
            if error.code != "no_seat":
                raise
            raise ValidationError(
                colleague_no_seat_message(organisation), code="no_seat"
            ) from error
        seat_claimed_admins_send.delay_on_commit(seat.pk)
    return seat


def other_admins(seat: Seat) -> QuerySet[Seat]:
    return Seat.objects.filter(organisation_id=seat.organisation_id, is_admin=True).exclude(
        pk=seat.pk
    )


def organisations_only_admin_of(user: User) -> list[Organisation]:
    """Organisations whose only admin is this person: they must hand over before leaving."""
    seats = Seat.objects.filter(user=user, is_admin=True).select_related("organisation")
    return [seat.organisation for seat in seats if not other_admins(seat).exists()]


def seat_remove(*, seat: Seat, removed_by: User | None, left_domain: str = "") -> None:
    """Take a seat back. The last admin cannot be removed: someone must manage the seats.

    A colleague removed by an admin is told by email (their access ends at once, and
    nothing on the site would otherwise say why); someone who gives up their own seat is
    not. With no `removed_by`, the seat ends because the person's address left
    `left_domain`, the one it was claimed with (domains.py): they and the admins are told."""
    with transaction.atomic(durable=True):
        organisation_lock(seat.organisation)
        held = Seat.objects.select_related("user").filter(pk=seat.pk).first()
        if held is None:
            # Removed a moment ago by the same click sent twice, or by another admin.
            raise ValidationError(
                f"{seat.user}'s seat was already taken back; it is free.", code="gone"
            )
        seat = held
        if seat.is_admin and not other_admins(seat).exists():
            raise ValidationError(
                "This is the organisation's only admin. Make someone else an admin first.",
                code="last_admin",
            )
        if left_domain and seat.is_admin:
            # Made an admin since the caller looked: admins keep their seat (domains.py).
            raise ValidationError("Admins keep their seat.", code="admin")
        seat.delete()
        seat_removal_record(
            organisation=seat.organisation,
            person=seat.user,
            removed_by=removed_by,
            left_domain=left_domain,
        )
    access.forget(seat.user)
    _seats_over_check(seat.organisation)


def seat_removal_record(
    *,
    organisation: Organisation,
    person: User,
    removed_by: User | None,
    by_staff: bool = False,
    left_domain: str = "",
) -> SeatRemoval | None:
    """Record that `removed_by` took `person`'s seat back (or that it ended as their
    address left `left_domain`) and tell them once the transaction commits; nothing for
    someone who gave up their own seat. The organisation's admins (seat_remove), staff in
    the admin (staff_seats.py) and an address leaving its domain (domains.py) call it.
    Only of the last are the admins told: in the other cases one of them, or staff, acted."""
    from members.organisations.tasks import seat_left_domain_admins_send, seat_removal_send

    if removed_by is not None and person.pk == removed_by.pk:
        return None
    removal = SeatRemoval.objects.create(
        organisation=organisation,
        user=person,
        removed_by=removed_by,
        by_staff=by_staff,
        left_domain=left_domain,
    )
    seat_removal_send.delay_on_commit(removal.pk)
    if left_domain:
        seat_left_domain_admins_send.delay_on_commit(removal.pk)
    return removal


def _seats_over_check(organisation: Organisation) -> None:
    # A seat or invitation freed may bring the seats in use within those paid for.
    from members.organisations.seats_over import seats_over_check

    seats_over_check(organisation=organisation)


def seat_set_admin(*, seat: Seat, is_admin: bool, changed_by: User) -> Seat:
    """Make a seat holder an admin, or take the role back (never from the last admin)."""
    with transaction.atomic(durable=True):
        organisation_lock(seat.organisation)
        held = Seat.objects.select_for_update().filter(pk=seat.pk).first()
        if held is None:
            # Taken back a moment ago, by another admin or in another tab.
            raise ValidationError(
                f"{seat.user}'s seat was taken back a moment ago; there is no one to change.",
                code="gone",
            )
        seat = held
        if not is_admin and seat.is_admin and not other_admins(seat).exists():
            raise ValidationError(
                "An organisation needs at least one admin. Make someone else an admin "
                "before you step down.",
                code="last_admin",
            )
        if seat.is_admin != is_admin:
            seat.is_admin = is_admin
            update_fields = ["is_admin"]
            if is_admin:
                update_fields += admin_role_given(seat=seat, given_by=changed_by)
            seat.save(update_fields=update_fields)
    return seat


def admin_role_given(*, seat: Seat, given_by: User) -> list[str]:
    """Note that `given_by` made the seat's holder an admin, and tell them once the
    transaction commits: they now answer for the seats and the bill. Nothing for someone
    who made themselves one. Returns the fields to save; the seat must have been saved
    before (the email names it). Both the organisation's admins (seat_set_admin) and
    staff in the admin (staff_seats.py) call it."""
    from members.organisations.tasks import made_admin_send

    if seat.user_id == given_by.pk:
        return []
    seat.made_admin_at = timezone.now()
    made_admin_send.delay_on_commit(seat.pk, given_by.pk)
    return ["made_admin_at"]
