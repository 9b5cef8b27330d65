"""What a colleague whose seat an admin took back meets on their account page."""

import pytest
from django.core import mail
from django.urls import reverse

from members.organisations import seats
from tests.members.factories import SeatFactory, SubscriptionFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def removed(django_capture_on_commit_callbacks):
    organisation, admin = organisation_with_seats(name="Northmoor Council")
    seat = SeatFactory(organisation=organisation, slot=2)
    with django_capture_on_commit_callbacks(execute=True):
        seats.seat_remove(seat=seat, removed_by=admin)
    return seat.user, admin


def test_the_account_page_says_whose_seat_ended_and_who_took_it_back(client, removed):
    person, admin = removed
    client.force_login(person)

    html = client.get(reverse("members:account")).content.decode()

    assert "Your seat at Northmoor Council ended on" in html
    assert f"{admin}, who manages its seats, took it back" in html
    assert "You are not a member yet" not in html


def test_a_seat_given_again_leaves_no_word_of_the_old_removal(client, removed):
    person, admin = removed
    SeatFactory(organisation=admin.seats.get().organisation, user=person, slot=3)
    client.force_login(person)

    html = client.get(reverse("members:account")).content.decode()

    assert "ended on" not in html


def test_someone_who_pays_for_their_own_membership_is_not_told_to_join(
    django_capture_on_commit_callbacks,
):
    organisation, admin = organisation_with_seats(name="Northmoor Council")
    seat = SeatFactory(organisation=organisation, slot=2)
    SubscriptionFactory(user=seat.user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        seats.seat_remove(seat=seat, removed_by=admin)

    (notice,) = mail.outbox
    assert "still a member of the network through your own membership" in notice.body
    assert "become a member yourself" not in notice.body
    assert "become a member yourself" not in notice.alternatives[0][0]


def test_someone_left_without_a_membership_is_told_they_can_join(removed):
    (notice,) = mail.outbox

    assert "You can also become a member yourself" in notice.body
