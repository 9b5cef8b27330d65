"""A colleague made an admin of their organisation's membership is told, once."""

import pytest
from django.core import mail

from members.organisations import seats
from members.organisations.tasks import made_admin_send
from tests.members.factories import SeatFactory, UserFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    admin.name = "Ada Quinn"
    admin.save()
    officer = SeatFactory(organisation=organisation, user=UserFactory(name="Kim Lowe"), slot=2)
    return organisation, admin, officer


def test_a_colleague_made_an_admin_is_emailed_with_the_way_to_the_seats(
    council, django_capture_on_commit_callbacks
):
    organisation, admin, officer = council

    with django_capture_on_commit_callbacks(execute=True):
        seats.seat_set_admin(seat=officer, is_admin=True, changed_by=admin)

    (email,) = mail.outbox
    assert email.to == [officer.user.email]
    assert email.subject == "You are now an admin of Northmoor Council's membership"
    assert "Ada Quinn made you an admin" in email.body
    assert f"/account/organisation/{organisation.slug}/" in email.body
    assert email.reply_to == [admin.email]


def test_the_made_admin_email_goes_once_when_the_task_runs_twice(
    council, django_capture_on_commit_callbacks
):
    _, admin, officer = council
    with django_capture_on_commit_callbacks(execute=True):
        seats.seat_set_admin(seat=officer, is_admin=True, changed_by=admin)

    made_admin_send(officer.pk, admin.pk)

    assert len(mail.outbox) == 1


def test_no_made_admin_email_once_the_role_was_taken_back(
    council, django_capture_on_commit_callbacks
):
    _, admin, officer = council
    with django_capture_on_commit_callbacks(execute=False):
        seats.seat_set_admin(seat=officer, is_admin=True, changed_by=admin)
    seats.seat_set_admin(seat=officer, is_admin=False, changed_by=admin)

    made_admin_send(officer.pk, admin.pk)

    assert mail.outbox == []


def test_taking_the_role_back_sends_nothing(council, django_capture_on_commit_callbacks):
    _, admin, officer = council
    officer.is_admin = True
    officer.save()

    with django_capture_on_commit_callbacks(execute=True):
        seats.seat_set_admin(seat=officer, is_admin=False, changed_by=admin)

    assert mail.outbox == []
