"""A seat holder gives up their own seat from their account."""

import pytest
from django.core import mail
from django.urls import reverse

from members import access
from members.models import Seat, SubscriptionStatus
from tests.members.factories import SeatFactory, UserFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    organisation, admin = organisation_with_seats(
        seats=3, name="Northmoor Council", slug="northmoor-council"
    )
    officer = UserFactory(name="Kim Lowe")
    SeatFactory(organisation=organisation, user=officer, slot=2)
    return organisation, admin, officer


def leave_url(organisation) -> str:
    return reverse("members:seat_leave", kwargs={"slug": organisation.slug})


def test_account_page_offers_a_seat_holder_the_way_to_leave(client, council):
    organisation, _, officer = council
    client.force_login(officer)

    page = client.get(reverse("members:account")).content.decode()

    assert leave_url(organisation) in page


def test_leave_page_says_what_leaving_means_before_anything_changes(client, council):
    organisation, _, officer = council
    client.force_login(officer)

    page = client.get(leave_url(organisation)).content.decode()

    assert "Leave my seat at Northmoor Council" in page
    assert "free for a colleague" in page
    assert Seat.objects.filter(user=officer).exists()


def test_seat_holder_who_leaves_frees_the_seat_and_loses_access(client, council):
    organisation, _, officer = council
    client.force_login(officer)

    response = client.post(leave_url(organisation), follow=True)

    assert not Seat.objects.filter(user=officer).exists()
    assert not access.is_member(officer)
    assert "You no longer hold a seat at Northmoor Council" in response.content.decode()


def test_leaving_sends_no_removal_email(client, council):
    organisation, _, officer = council
    client.force_login(officer)

    client.post(leave_url(organisation))

    assert mail.outbox == []


def test_only_admin_is_asked_to_hand_over_before_leaving(client, council):
    organisation, admin, _ = council
    client.force_login(admin)

    page = client.get(leave_url(organisation)).content.decode()
    client.post(leave_url(organisation))

    assert "Make a colleague an admin" in page
    assert Seat.objects.filter(user=admin, organisation=organisation).exists()


def test_nobody_leaves_a_seat_they_do_not_hold(client, council, registered):
    organisation, _, officer = council
    client.force_login(registered)

    response = client.post(leave_url(organisation))

    assert response.status_code == 404
    assert Seat.objects.filter(user=officer).exists()


def test_a_seat_holder_whose_organisation_lapsed_may_leave_the_seat(client, council):
    organisation, _, officer = council
    organisation.subscriptions.update(status=SubscriptionStatus.CANCELED)
    client.force_login(officer)

    page = client.get(reverse("members:account")).content.decode()

    assert leave_url(organisation) in page
