"""Seats beyond what an organisation pays for: the notice, who loses access and in what
order, invitations beyond the paid seats, and everything coming back at once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members import access
from members.models import Organisation, Seat, User
from members.organisations import invitations, seats
from members.organisations.invitations import InvitationProblem
from members.organisations.seats_over import seats_over_check, seats_over_sweep
from tests.members.factories import (
    GrantFactory,
    InvitationFactory,
    OrganisationFactory,
    SeatFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


def _seated(organisation, count: int, *, start_days_ago: int = 30) -> list[User]:
    """`count` colleagues, each seated a day after the one before."""
    people = []
    for n in range(count):
        seat = SeatFactory(organisation=organisation)
        Seat.objects.filter(pk=seat.pk).update(
            created_at=timezone.now() - timedelta(days=start_days_ago - n)
        )
        people.append(seat.user)
    return people


def _lower_to(organisation, quantity: int) -> Organisation:
    organisation.subscriptions.update(quantity=quantity)
    return seats_over_check(organisation=organisation)


def _notice_ended(organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(
        seats_over_since=timezone.now() - timedelta(days=15)
    )


def _is_member(user) -> bool:
    return access.is_member(User.objects.get(pk=user.pk))


# --- Access ----------------------------------------------------------------------------


def test_a_seat_beyond_the_paid_seats_keeps_access_during_the_notice():
    organisation, _ = organisation_with_seats(seats=4)
    *_, newest = _seated(organisation, 3)

    _lower_to(organisation, 3)

    assert _is_member(newest)


def test_a_seat_beyond_the_paid_seats_gives_no_access_once_the_notice_ends():
    organisation, _ = organisation_with_seats(seats=4)
    *_, newest = _seated(organisation, 3)
    _lower_to(organisation, 3)

    _notice_ended(organisation)

    assert not _is_member(newest)


def test_the_notice_lasts_the_days_the_setting_gives(settings):
    settings.ORGANISATION_SEATS_NOTICE_DAYS = 3
    organisation, _ = organisation_with_seats(seats=2)
    _seated(organisation, 1)

    organisation = _lower_to(organisation, 1)

    assert access.seats_notice_end(organisation) == organisation.seats_over_since + timedelta(
        days=3
    )


def test_the_most_recently_filled_seats_go_first_and_admins_keep_theirs():
    organisation, admin = organisation_with_seats(seats=4)
    oldest, middle, newest = _seated(organisation, 3)
    # The admin took their seat last of all, and still keeps it.
    Seat.objects.filter(user=admin).update(created_at=timezone.now())
    _lower_to(organisation, 2)
    _notice_ended(organisation)

    assert [_is_member(p) for p in (admin, oldest, middle, newest)] == [True, True, False, False]


def test_seats_within_the_paid_seats_keep_access_after_the_notice():
    organisation, admin = organisation_with_seats(seats=3)
    oldest, newest = _seated(organisation, 2)
    _lower_to(organisation, 2)
    _notice_ended(organisation)

    assert _is_member(admin)
    assert _is_member(oldest)


def test_adding_seats_gives_access_back_at_once():
    organisation, _ = organisation_with_seats(seats=3)
    *_, newest = _seated(organisation, 2)
    _lower_to(organisation, 2)
    _notice_ended(organisation)

    organisation.subscriptions.update(quantity=3)

    assert _is_member(newest)


def test_removing_a_person_gives_the_next_seat_access_back_at_once():
    organisation, admin = organisation_with_seats(seats=3)
    oldest, newest = _seated(organisation, 2)
    _lower_to(organisation, 2)
    _notice_ended(organisation)

    seats.seat_remove(seat=Seat.objects.get(user=oldest), removed_by=admin)

    assert _is_member(newest)
    assert Organisation.objects.get(pk=organisation.pk).seats_over_since is None


def test_a_staff_grant_with_fewer_seats_than_in_use_gives_the_same_notice():
    organisation = OrganisationFactory()
    GrantFactory(user=None, organisation=organisation, seats=1)
    SeatFactory(organisation=organisation, is_admin=True)
    (newest,) = _seated(organisation, 1, start_days_ago=1)
    seats_over_check(organisation=organisation)
    assert _is_member(newest)

    _notice_ended(organisation)

    assert not _is_member(newest)


def test_a_larger_staff_grant_covers_seats_beyond_a_smaller_subscription():
    organisation, _ = organisation_with_seats(seats=3)
    *_, newest = _seated(organisation, 2)
    GrantFactory(user=None, organisation=organisation, seats=5)
    organisation.subscriptions.update(quantity=1)
    _notice_ended(organisation)

    assert _is_member(newest)


def test_a_seat_beyond_the_paid_seats_costs_no_more_queries(django_assert_num_queries):
    organisation, _ = organisation_with_seats(seats=3)
    *_, newest = _seated(organisation, 2)
    _lower_to(organisation, 1)
    _notice_ended(organisation)
    person = User.objects.get(pk=newest.pk)

    # The subscriptions' statement, then the grants'.
    with django_assert_num_queries(2):
        assert access.seat_beyond_paid(person).organisation == organisation
        assert not access.is_member(person)


def test_the_people_beyond_the_paid_seats_are_no_audience_for_members_once_the_notice_ends():
    organisation, admin = organisation_with_seats(seats=3)
    oldest, newest = _seated(organisation, 2)
    _lower_to(organisation, 2)
    during = set(User.objects.filter(access.members_now_q()).values_list("pk", flat=True))
    _notice_ended(organisation)

    after = set(User.objects.filter(access.members_now_q()).values_list("pk", flat=True))
    counted = set(access.memberships_now())

    assert {admin.pk, oldest.pk, newest.pk} <= during
    assert {admin.pk, oldest.pk} <= after and newest.pk not in after
    assert {admin.pk, oldest.pk} <= counted and newest.pk not in counted


# --- Invitations -----------------------------------------------------------------------


def test_an_invitation_beyond_the_paid_seats_cannot_be_accepted():
    organisation, admin = organisation_with_seats(seats=3)
    InvitationFactory(organisation=organisation, email="first@example.org", invited_by=admin)
    later = InvitationFactory(
        organisation=organisation, email="later@example.org", invited_by=admin
    )
    organisation.subscriptions.update(quantity=2)

    with pytest.raises(InvitationProblem) as problem:
        invitations.invitation_accept(invitation=later, user=UserFactory(email="later@example.org"))

    assert problem.value.reason == InvitationProblem.NO_SEAT


def test_an_earlier_invitation_within_the_paid_seats_can_still_be_accepted():
    organisation, admin = organisation_with_seats(seats=3)
    first = InvitationFactory(
        organisation=organisation, email="first@example.org", invited_by=admin
    )
    InvitationFactory(organisation=organisation, email="later@example.org", invited_by=admin)
    organisation.subscriptions.update(quantity=2)

    invitations.invitation_accept(invitation=first, user=UserFactory(email="first@example.org"))

    assert organisation.seats.count() == 2


def test_inviting_while_more_seats_are_in_use_than_paid_for_is_refused_plainly():
    organisation, admin = organisation_with_seats(seats=3)
    _seated(organisation, 2)
    organisation.subscriptions.update(quantity=2)

    with pytest.raises(ValidationError) as refused:
        invitations.invitation_create(
            organisation=organisation, email="new@example.org", invited_by=admin
        )

    assert refused.value.messages == [
        "Your membership pays for 2 seats and 3 are in use, so no one can be invited. "
        "Remove people or revoke invitations, or add seats to your membership."
    ]


# --- The notice and the emails -----------------------------------------------------------


def test_the_notice_begins_when_more_seats_are_in_use_than_paid_for(
    mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin = organisation_with_seats(seats=3)
    _seated(organisation, 2)

    with django_capture_on_commit_callbacks(execute=True):
        organisation = _lower_to(organisation, 2)

    assert organisation.seats_over_since is not None
    admins_emails = [m for m in mailoutbox if m.subject.endswith("fewer seats than are in use")]
    assert [message.to for message in admins_emails] == [[admin.email]]


def test_the_admins_are_emailed_once_with_whom_and_by_when(
    mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin = organisation_with_seats(seats=3)
    oldest, newest = _seated(organisation, 2)
    with django_capture_on_commit_callbacks(execute=True):
        organisation = _lower_to(organisation, 2)
        seats_over_check(organisation=organisation)
        seats_over_sweep()

    (message,) = [m for m in mailoutbox if m.to == [admin.email]]
    ends_at = access.seats_notice_end(organisation)
    assert message.subject == f"{organisation.name} pays for fewer seats than are in use"
    assert "now pays for 2 seats, and 3 are in use" in message.body
    assert f"Nothing changes for anyone until {timezone.localtime(ends_at):%-d %B %Y}" in (
        message.body
    )
    assert newest.email in message.body
    assert oldest.email not in message.body


def test_invitations_alone_beyond_the_paid_seats_start_the_notice_and_are_named(
    mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin = organisation_with_seats(seats=2)
    InvitationFactory(organisation=organisation, email="waiting@example.org", invited_by=admin)

    with django_capture_on_commit_callbacks(execute=True):
        _lower_to(organisation, 1)

    assert "waiting@example.org" in mailoutbox[0].body


def test_the_notice_ends_when_the_seats_fit_again():
    organisation, _ = organisation_with_seats(seats=3)
    _seated(organisation, 2)
    _lower_to(organisation, 2)

    organisation = _lower_to(organisation, 3)

    assert organisation.seats_over_since is None


def test_a_subscription_written_with_fewer_seats_begins_the_notice(
    monkeypatch, django_capture_on_commit_callbacks
):
    from members.billing import gateway, sync

    organisation, _ = organisation_with_seats(seats=3)
    _seated(organisation, 2)
    subscription = organisation.subscriptions.get()
    state = gateway.SubscriptionState(
        id=subscription.stripe_subscription_id,
        status=subscription.status,
        collection_method=subscription.collection_method,
        quantity=2,
        customer_id=subscription.stripe_customer_id,
        current_period_end=subscription.current_period_end,
        cancel_at_period_end=False,
        ended_at=None,
        price_id=subscription.plan.stripe_price_id,
        metadata={},
    )
    monkeypatch.setattr(gateway, "subscription_get", lambda _id: state)

    with django_capture_on_commit_callbacks(execute=True):
        sync.subscription_sync(stripe_subscription_id=subscription.stripe_subscription_id)

    assert Organisation.objects.get(pk=organisation.pk).seats_over_since is not None


def test_each_person_beyond_is_emailed_once_when_the_notice_ends(mailoutbox):
    organisation, admin = organisation_with_seats(seats=3)
    oldest, newest = _seated(organisation, 2)
    organisation = _lower_to(organisation, 2)
    seats_over_sweep()  # still within the notice: only its warning goes
    assert [m.subject for m in mailoutbox] == [
        f"Your seat at {organisation.name} may stop giving access on "
        f"{timezone.localtime(access.seats_notice_end(organisation)):%-d %B %Y}"
    ]
    mailoutbox.clear()
    _notice_ended(organisation)

    seats_over_sweep()
    seats_over_sweep()

    (message,) = mailoutbox
    assert message.to == [newest.email]
    assert message.subject == f"Your seat at {organisation.name} no longer gives access"
    assert admin.email in message.body


def test_the_sweep_begins_a_notice_when_a_larger_grant_has_ended(mailoutbox):
    organisation, admin = organisation_with_seats(seats=1)
    GrantFactory(
        user=None,
        organisation=organisation,
        seats=3,
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    _seated(organisation, 2)

    seats_over_sweep()

    assert Organisation.objects.get(pk=organisation.pk).seats_over_since is not None
