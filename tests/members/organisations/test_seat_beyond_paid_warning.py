"""A person whose seat is beyond the seats their organisation pays for is told when the
notice begins (until when, and what their admins can do), once, as well as when their
seat stops giving access."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members import access
from members.models import Organisation, Seat
from members.organisations.seats_over import seats_over_check, seats_over_sweep
from members.organisations.tasks import seat_beyond_paid_warning_send
from tests.members.factories import SeatFactory, SubscriptionFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    """Northmoor Council's admin and two colleagues, Ada (oldest) and Ben (newest)."""
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    ada = SeatFactory(organisation=organisation, user__name="Ada Oldest").user
    ben = SeatFactory(organisation=organisation, user__name="Ben Newest").user
    Seat.objects.filter(user=ada).update(created_at=timezone.now() - timedelta(days=20))
    Seat.objects.filter(user=ben).update(created_at=timezone.now() - timedelta(days=10))
    return organisation, admin, ada, ben


def _lower_to_two(organisation, django_capture_on_commit_callbacks) -> Organisation:
    organisation.subscriptions.update(quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        return seats_over_check(organisation=organisation)


def _warnings(mailoutbox) -> list:
    return [m for m in mailoutbox if m.subject.startswith("Your seat at Northmoor Council")]


def test_a_person_beyond_the_paid_seats_is_told_when_the_notice_begins(
    council, mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin, ada, ben = council

    organisation = _lower_to_two(organisation, django_capture_on_commit_callbacks)

    (message,) = _warnings(mailoutbox)
    ends = f"{timezone.localtime(access.seats_notice_end(organisation)):%-d %B %Y}"
    assert message.to == [ben.email]
    assert message.subject == f"Your seat at Northmoor Council may stop giving access on {ends}"
    assert f"as before until {ends}" in message.body
    assert f"ask {admin.name}, who manages its seats, to add a seat" in message.body
    assert message.reply_to == [admin.email]


def test_the_person_is_told_once_however_often_the_notice_is_checked(
    council, mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin, ada, ben = council
    organisation = _lower_to_two(organisation, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        seats_over_check(organisation=organisation)
        seats_over_sweep()
        seats_over_sweep()
    seat_beyond_paid_warning_send(Seat.objects.get(user=ben).pk)

    assert len(_warnings(mailoutbox)) == 1


def test_the_sweep_tells_a_person_the_notice_s_start_missed(
    council, mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin, ada, ben = council
    organisation.subscriptions.update(quantity=2)
    seats_over_check(organisation=organisation)  # its emails never went out
    assert mailoutbox == []

    seats_over_sweep()

    assert [m.to for m in _warnings(mailoutbox)] == [[ben.email]]


def test_a_person_with_a_membership_of_their_own_is_not_warned(
    council, mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin, ada, ben = council
    SubscriptionFactory(user=ben)

    _lower_to_two(organisation, django_capture_on_commit_callbacks)

    assert _warnings(mailoutbox) == []


def test_no_one_is_warned_once_the_seats_fit_again(
    council, mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin, ada, ben = council
    organisation.subscriptions.update(quantity=2)
    seats_over_check(organisation=organisation)
    organisation.subscriptions.update(quantity=3)
    seats_over_check(organisation=organisation)

    seat_beyond_paid_warning_send(Seat.objects.get(user=ben).pk)

    assert mailoutbox == []
