"""members/organisations/ (seats.py, invitations.py): seats, invitations, admins and verified domains."""

import threading
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from members import access
from members.models import Invitation, Seat, SeatRemoval, User
from members.organisations import domains, invitations, seats
from members.organisations import tasks as organisation_tasks
from members.organisations.invitations import InvitationProblem
from members.organisations.tasks import seat_removal_send
from tests.members.factories import (
    InvitationFactory,
    SeatFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


def invite(organisation, admin, email):
    return invitations.invitation_create(organisation=organisation, email=email, invited_by=admin)


def test_invitation_is_emailed_with_a_signed_link(django_capture_on_commit_callbacks):
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(organisation, admin, "Kim.Lowe@northmoor.example.org")

    assert invitation.email == "kim.lowe@northmoor.example.org"
    message = mail.outbox[-1]
    assert message.to == ["kim.lowe@northmoor.example.org"]
    assert "Northmoor Council" in message.subject
    assert invitations.invitation_url(invitation).split("/invitations/")[0] in message.body
    assert Invitation.objects.get().emailed_at is not None


def test_invitation_email_is_not_sent_twice_for_one_sending(django_capture_on_commit_callbacks):
    from members.organisations.tasks import invitation_send

    organisation, admin = organisation_with_seats()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(organisation, admin, "kim@example.org")

    invitation_send(invitation.pk)  # a redelivered task

    assert len(mail.outbox) == 1


def test_invitation_holds_a_seat():
    organisation, admin = organisation_with_seats(seats=3)
    invite(organisation, admin, "a@example.org")

    usage = seats.seats_usage(organisation)

    assert (usage.total, usage.taken, usage.held, usage.left) == (3, 1, 1, 1)


def test_inviting_beyond_the_seat_count_is_refused_with_a_clear_message():
    organisation, admin = organisation_with_seats(seats=2)
    invite(organisation, admin, "a@example.org")

    with pytest.raises(ValidationError, match="All 2 seats are taken or held by invitations"):
        invite(organisation, admin, "b@example.org")
    assert organisation.invitations.count() == 1


def test_an_organisation_with_one_seat_is_told_its_one_seat_is_taken():
    organisation, admin = organisation_with_seats(seats=1)

    with pytest.raises(ValidationError, match="Your organisation's one seat is taken or held"):
        invite(organisation, admin, "a@example.org")


def test_organisation_without_membership_cannot_invite():
    organisation, admin = organisation_with_seats(seats=5)
    organisation.subscriptions.update(status="canceled")

    with pytest.raises(ValidationError, match="no active membership"):
        invite(organisation, admin, "a@example.org")


def test_inviting_the_same_address_twice_is_refused():
    organisation, admin = organisation_with_seats(seats=5)
    invite(organisation, admin, "a@example.org")

    with pytest.raises(ValidationError, match="already invited"):
        invite(organisation, admin, "A@example.org")


def test_a_repeated_invitation_names_the_day_of_the_first_as_the_site_writes_dates():
    organisation, admin = organisation_with_seats(seats=5)
    invite(organisation, admin, "a@example.org")
    Invitation.objects.update(sent_at=timezone.make_aware(timezone.datetime(2026, 12, 5, 23, 30)))

    with pytest.raises(ValidationError, match="already invited on 5 December 2026"):
        invite(organisation, admin, "a@example.org")


def test_inviting_someone_who_holds_a_seat_is_refused():
    organisation, admin = organisation_with_seats(seats=5)

    with pytest.raises(ValidationError, match="already holds a seat"):
        invite(organisation, admin, admin.email)


def test_inviting_another_verified_address_of_a_seat_holder_is_refused():
    organisation, admin = organisation_with_seats(seats=5)
    colleague = UserFactory(email="dev@brightpath.example.org")
    SeatFactory(organisation=organisation, user=colleague, slot=2)
    EmailAddress.objects.create(
        user=colleague, email="dev.patel@northmoor.example.org", verified=True, primary=False
    )

    with pytest.raises(ValidationError, match="already holds a seat"):
        invite(organisation, admin, "Dev.Patel@northmoor.example.org")


def test_expired_invitation_frees_its_seat(settings):
    organisation, admin = organisation_with_seats(seats=2)
    InvitationFactory(
        organisation=organisation,
        sent_at=timezone.now() - timedelta(days=settings.ORGANISATION_INVITATION_DAYS + 1),
    )

    assert seats.seats_usage(organisation).left == 1


def test_inviting_an_address_whose_invitation_expired_sends_it_again(
    settings, django_capture_on_commit_callbacks
):
    organisation, admin = organisation_with_seats(seats=2)
    old = InvitationFactory(
        organisation=organisation,
        email="a@example.org",
        sent_at=timezone.now() - timedelta(days=settings.ORGANISATION_INVITATION_DAYS + 1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        again = invite(organisation, admin, "a@example.org")

    assert again.pk == old.pk
    assert not seats.invitation_is_expired(again)
    assert len(mail.outbox) == 1


def test_resending_gives_a_fresh_expiry_and_a_new_email(django_capture_on_commit_callbacks):
    organisation, admin = organisation_with_seats()
    invitation = InvitationFactory(
        organisation=organisation, sent_at=timezone.now() - timedelta(days=10)
    )

    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_resend(invitation=invitation, sent_by=admin)

    invitation.refresh_from_db()
    assert invitation.sent_at > timezone.now() - timedelta(minutes=1)
    assert mail.outbox[-1].to == [invitation.email]


def test_resending_an_expired_invitation_needs_a_free_seat(settings):
    organisation, admin = organisation_with_seats(seats=2)
    expired = InvitationFactory(
        organisation=organisation,
        sent_at=timezone.now() - timedelta(days=settings.ORGANISATION_INVITATION_DAYS + 1),
    )
    SeatFactory(organisation=organisation)

    with pytest.raises(ValidationError, match="All 2 seats"):
        invitations.invitation_resend(invitation=expired, sent_by=admin)


def test_sending_again_within_minutes_is_refused():
    organisation, admin = organisation_with_seats()
    invitation = invite(organisation, admin, "kim@example.org")

    with pytest.raises(ValidationError, match="sent a few minutes ago"):
        invitations.invitation_resend(invitation=invitation, sent_by=admin)


def test_revoking_an_invitation_frees_its_seat_and_kills_its_link():
    organisation, admin = organisation_with_seats(seats=2)
    invitation = invite(organisation, admin, "a@example.org")
    token = invitations.invitation_token(invitation)

    invitations.invitation_revoke(invitation=invitation, revoked_by=admin)

    assert seats.seats_usage(organisation).left == 1
    with pytest.raises(InvitationProblem) as problem:
        invitations.invitation_from_token(token)
    assert problem.value.reason == InvitationProblem.REVOKED


def test_accepting_an_invitation_takes_its_seat():
    organisation, admin = organisation_with_seats(seats=2)
    invitation = invite(organisation, admin, "kim@example.org")
    kim = UserFactory(email="kim@example.org")

    seat = invitations.invitation_accept(invitation=invitation, user=kim)

    assert seat.organisation == organisation
    assert seat.slot == 2
    assert access.is_member(User.objects.get(pk=kim.pk))
    invitation.refresh_from_db()
    assert invitation.accepted_by == kim
    assert seats.seats_usage(organisation).used == 2


def test_accepting_the_invitation_for_the_last_seat_works_when_it_holds_that_seat():
    organisation, admin = organisation_with_seats(seats=2)
    invitation = invite(organisation, admin, "kim@example.org")

    invitations.invitation_accept(invitation=invitation, user=UserFactory(email="kim@example.org"))

    assert seats.seats_usage(organisation).left == 0


def test_an_invited_colleague_refused_a_seat_is_told_to_ask_an_admin_not_to_invite_someone():
    organisation, admin = organisation_with_seats(seats=3)
    invite(organisation, admin, "kim@example.org")
    later = invite(organisation, admin, "lee@example.org")
    organisation.subscriptions.update(quantity=2)  # the plan got smaller

    with pytest.raises(InvitationProblem) as problem:
        invitations.invitation_accept(invitation=later, user=UserFactory(email="lee@example.org"))

    assert problem.value.reason == InvitationProblem.NO_SEAT
    assert "Ask one of its admins" in problem.value.message
    assert "To invite someone" not in problem.value.message


def test_an_invited_colleague_of_a_lapsed_organisation_is_told_to_ask_for_renewal():
    organisation, admin = organisation_with_seats(seats=3)
    invitation = invite(organisation, admin, "kim@example.org")
    organisation.subscriptions.update(status="canceled")

    with pytest.raises(InvitationProblem) as problem:
        invitations.invitation_accept(
            invitation=invitation, user=UserFactory(email="kim@example.org")
        )

    assert "Ask one of its admins to renew it" in problem.value.message


def test_invitation_for_another_email_takes_no_seat():
    organisation, admin = organisation_with_seats()
    invitation = invite(organisation, admin, "kim@example.org")

    with pytest.raises(InvitationProblem) as problem:
        invitations.invitation_accept(invitation=invitation, user=UserFactory())

    assert problem.value.reason == InvitationProblem.WRONG_EMAIL
    assert organisation.seats.count() == 1


def test_used_invitation_cannot_be_accepted_again():
    organisation, admin = organisation_with_seats()
    invitation = invite(organisation, admin, "kim@example.org")
    token = invitations.invitation_token(invitation)
    invitations.invitation_accept(invitation=invitation, user=UserFactory(email="kim@example.org"))

    with pytest.raises(InvitationProblem) as problem:
        invitations.invitation_from_token(token)

    assert problem.value.reason == InvitationProblem.USED


def test_expired_invitation_link_is_refused(settings, time_machine):
    organisation, admin = organisation_with_seats()
    invitation = invite(organisation, admin, "kim@example.org")
    token = invitations.invitation_token(invitation)

    time_machine.move_to(timezone.now() + timedelta(days=settings.ORGANISATION_INVITATION_DAYS + 1))

    with pytest.raises(InvitationProblem) as problem:
        invitations.invitation_from_token(token)
    assert problem.value.reason == InvitationProblem.EXPIRED
    assert problem.value.invitation == invitation


def test_tampered_invitation_link_is_refused():
    organisation, admin = organisation_with_seats()
    token = invitations.invitation_token(invite(organisation, admin, "kim@example.org"))

    invitation_id, signed_part = token.split(":", 1)
    another_invitation = f"{int(invitation_id) + 1}:{signed_part}"

    with pytest.raises(InvitationProblem) as problem:
        invitations.invitation_from_token(another_invitation)

    assert problem.value.reason == InvitationProblem.INVALID


def test_the_database_refuses_a_second_seat_with_the_same_number():
    organisation, admin = organisation_with_seats(seats=2)
    SeatFactory(organisation=organisation, slot=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(organisation=organisation, user=UserFactory(), slot=2)


def test_removing_a_person_frees_their_seat_and_ends_their_access():
    organisation, admin = organisation_with_seats(seats=2)
    seat = SeatFactory(organisation=organisation)

    seats.seat_remove(seat=seat, removed_by=admin)

    assert not access.is_member(User.objects.get(pk=seat.user_id))
    assert seats.seats_usage(organisation).left == 1


def test_a_colleague_removed_by_an_admin_is_told_once(django_capture_on_commit_callbacks):
    organisation, admin = organisation_with_seats(seats=2)
    seat = SeatFactory(organisation=organisation)

    with django_capture_on_commit_callbacks(execute=True):
        seats.seat_remove(seat=seat, removed_by=admin)
    removal = SeatRemoval.objects.get()
    seat_removal_send(removal.pk)  # delivered again: nothing more is sent

    (message,) = mail.outbox
    assert message.to == [seat.user.email]
    assert f"Your seat in {organisation.name}'s membership has ended" == message.subject
    assert "took back your seat" in message.body
    assert (removal.user, removal.removed_by) == (seat.user, admin)
    removal.refresh_from_db()
    assert removal.emailed_at is not None


def test_a_seat_removed_twice_at_once_is_removed_once_and_the_second_is_told_so(
    django_capture_on_commit_callbacks,
):
    organisation, admin = organisation_with_seats(seats=2)
    seat = SeatFactory(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        seats.seat_remove(seat=seat, removed_by=admin)

    # The second request (a double click, another admin) loaded the seat before the
    # first removed it.
    with pytest.raises(ValidationError, match="already taken back"):
        seats.seat_remove(seat=seat, removed_by=admin)
    assert SeatRemoval.objects.count() == 1
    assert len(mail.outbox) == 1


def test_making_an_admin_of_a_seat_just_taken_back_says_so(django_capture_on_commit_callbacks):
    organisation, admin = organisation_with_seats(seats=2)
    seat = SeatFactory(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        seats.seat_remove(seat=seat, removed_by=admin)

    # Another admin's page still showed the seat.
    with pytest.raises(ValidationError, match="taken back a moment ago"):
        seats.seat_set_admin(seat=seat, is_admin=True, changed_by=admin)


def test_someone_giving_up_their_own_seat_gets_no_email(django_capture_on_commit_callbacks):
    organisation, admin = organisation_with_seats(seats=2)
    second_admin = SeatFactory(organisation=organisation, is_admin=True)

    with django_capture_on_commit_callbacks(execute=True):
        seats.seat_remove(seat=second_admin, removed_by=second_admin.user)

    assert mail.outbox == []
    assert not SeatRemoval.objects.exists()


def test_the_only_admin_cannot_be_removed():
    organisation, admin = organisation_with_seats()

    with pytest.raises(ValidationError, match="only admin"):
        seats.seat_remove(seat=admin.seats.get(), removed_by=admin)


def test_the_only_admin_cannot_step_down():
    organisation, admin = organisation_with_seats()

    with pytest.raises(ValidationError, match="at least one admin"):
        seats.seat_set_admin(seat=admin.seats.get(), is_admin=False, changed_by=admin)


def test_admin_role_is_passed_on_by_making_another_admin_then_stepping_down():
    organisation, admin = organisation_with_seats()
    colleague_seat = SeatFactory(organisation=organisation)

    seats.seat_set_admin(seat=colleague_seat, is_admin=True, changed_by=admin)
    seats.seat_set_admin(seat=admin.seats.get(), is_admin=False, changed_by=admin)

    assert list(access.organisations_managed_by(colleague_seat.user)) == [organisation]
    assert not access.organisations_managed_by(admin).exists()


def test_colleague_at_the_verified_domain_claims_a_free_seat():
    organisation, admin = organisation_with_seats(seats=2, verified_domain="northmoor.example.org")
    colleague = UserFactory(email="lee@northmoor.example.org")

    seat = seats.seat_claim(organisation=organisation, user=colleague)

    assert seat.user == colleague
    assert access.is_member(User.objects.get(pk=colleague.pk))


def test_claiming_a_seat_closes_the_invitation_that_held_one_for_the_same_person():
    organisation, admin = organisation_with_seats(seats=3, verified_domain="northmoor.example.org")
    invite(organisation, admin, "lee@northmoor.example.org")
    colleague = UserFactory(email="lee@northmoor.example.org")

    seats.seat_claim(organisation=organisation, user=colleague)

    assert seats.seats_usage(organisation) == seats.SeatsUsage(total=3, taken=2, held=0)
    assert Invitation.objects.get().accepted_by == colleague


def test_a_colleague_invited_to_the_last_seat_may_claim_it_by_domain_instead():
    organisation, admin = organisation_with_seats(seats=2, verified_domain="northmoor.example.org")
    invite(organisation, admin, "lee@northmoor.example.org")
    colleague = UserFactory(email="lee@northmoor.example.org")

    seat = seats.seat_claim(organisation=organisation, user=colleague)

    assert seat.user == colleague


def test_claiming_a_seat_when_none_is_left_is_refused():
    organisation, admin = organisation_with_seats(seats=1, verified_domain="northmoor.example.org")

    with pytest.raises(ValidationError, match="No seat is free"):
        seats.seat_claim(
            organisation=organisation, user=UserFactory(email="lee@northmoor.example.org")
        )


def test_a_colleague_refused_the_last_seat_is_told_to_ask_an_admin_not_to_invite_someone():
    organisation, admin = organisation_with_seats(seats=1, verified_domain="northmoor.example.org")

    with pytest.raises(ValidationError) as refused:
        seats.seat_claim(
            organisation=organisation, user=UserFactory(email="lee@northmoor.example.org")
        )

    assert "Ask one of its admins" in refused.value.messages[0]
    assert "To invite someone" not in refused.value.messages[0]


def test_claiming_a_seat_from_another_domain_is_refused():
    organisation, admin = organisation_with_seats(verified_domain="northmoor.example.org")

    with pytest.raises(ValidationError, match="not at this organisation's domain"):
        seats.seat_claim(organisation=organisation, user=UserFactory())


def test_admin_verifies_the_domain_of_their_own_verified_address():
    organisation, admin = organisation_with_seats(
        admin=UserFactory(email="ruth@northmoor.example.org")
    )

    domains.domain_verify(
        organisation=organisation, domain="northmoor.example.org", verified_by=admin
    )

    organisation.refresh_from_db()
    assert organisation.verified_domain == "northmoor.example.org"


def test_admin_cannot_verify_a_domain_they_have_no_address_at():
    organisation, admin = organisation_with_seats()

    with pytest.raises(ValidationError, match="your own verified email"):
        domains.domain_verify(
            organisation=organisation, domain="council.example.org", verified_by=admin
        )


def test_public_email_domains_cannot_be_verified():
    organisation, admin = organisation_with_seats(admin=UserFactory(email="ruth@gmail.com"))

    with pytest.raises(ValidationError, match="public email service"):
        domains.domain_verify(organisation=organisation, domain="gmail.com", verified_by=admin)


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_the_last_seat_at_once_only_one_gets_it(monkeypatch):
    """Run in two threads with two database connections (row lock on PostgreSQL, the
    numbered slot constraint and SQLite's single writer elsewhere)."""
    # The admins' email about a claim runs in-process after the commit here; on the test's
    # in-memory SQLite it could meet the other thread's lock and read as a refusal.
    monkeypatch.setattr(
        organisation_tasks.seat_claimed_admins_send, "delay_on_commit", lambda *args: None
    )
    organisation, admin = organisation_with_seats(seats=2, verified_domain="northmoor.example.org")
    people = [UserFactory(email=f"p{n}@northmoor.example.org") for n in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim(person):
        try:
            barrier.wait(timeout=5)
            seats.seat_claim(organisation=organisation, user=person)
            outcomes.append("seat")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001 - SQLite may refuse the second writer
            outcomes.append("refused" if "locked" in str(error) else repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "seat"]
    assert organisation.seats.count() == 2
