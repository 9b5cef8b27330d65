"""Staff change an organisation's seats in the admin by the rules its own admins follow:
no organisation is left without an admin, someone made an admin is told, and someone
whose seat is taken back is told and recorded."""

import pytest
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from members.models import Seat, SeatRemoval
from tests.members.factories import OrganisationFactory, SeatFactory, UserFactory
from tests.members.factories import organisation_with_seats as _organisation

pytestmark = pytest.mark.django_db

ONLY_ADMIN = "Ada Quinn is the only admin of Northmoor Council"


@pytest.fixture
def council():
    organisation, admin = _organisation(
        seats=5, name="Northmoor Council", admin=UserFactory(name="Ada Quinn")
    )
    officer = SeatFactory(organisation=organisation, user=UserFactory(name="Kim Lowe"), slot=2)
    return organisation, admin.seats.get(), officer


def _change(client, seat, **changes):
    data = {"organisation": seat.organisation_id, "user": seat.user_id, "slot": seat.slot or ""}
    if seat.is_admin:
        data["is_admin"] = "on"
    data.update(changes)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(reverse("admin:members_seat_change", args=[seat.pk]), data)


def _shown(response) -> list[str]:
    return [str(message) for message in messages.get_messages(response.wsgi_request)]


def _delete_ticked(client, *seats, confirmed: bool = True):
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [seat.pk for seat in seats]}
    if confirmed:
        data["post"] = "yes"
    return client.post(reverse("admin:members_seat_changelist"), data, follow=True)


def test_staff_making_someone_an_admin_emails_them_as_an_admin_s_promotion_does(
    staff_client, staff, council, django_capture_on_commit_callbacks
):
    _organisation_, _admin, officer = council

    with django_capture_on_commit_callbacks(execute=True):
        _change(staff_client, officer, is_admin="on")

    officer.refresh_from_db()
    assert officer.is_admin
    assert officer.made_admin_at is not None
    (email,) = mail.outbox
    assert email.to == [officer.user.email]
    assert email.subject == "You are now an admin of Northmoor Council's membership"
    assert email.reply_to == [staff.email]


def test_staff_adding_a_seat_as_an_admin_emails_the_new_admin(
    staff_client, council, django_capture_on_commit_callbacks
):
    organisation, _admin, _officer = council
    person = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:members_seat_add"),
            {"organisation": organisation.pk, "user": person.pk, "is_admin": "on", "slot": ""},
        )

    assert Seat.objects.get(organisation=organisation, user=person).is_admin
    assert [email.to for email in mail.outbox] == [[person.email]]


def test_staff_cannot_take_the_role_from_an_organisation_s_only_admin(staff_client, council):
    _organisation_, admin_seat, _officer = council

    response = _change(staff_client, admin_seat, is_admin=None)

    assert response.status_code == 200
    assert ONLY_ADMIN in response.content.decode()
    assert "make someone else its admin first" in response.content.decode()
    admin_seat.refresh_from_db()
    assert admin_seat.is_admin


def test_staff_can_take_the_role_back_once_someone_else_is_an_admin(staff_client, council):
    _organisation_, admin_seat, officer = council
    _change(staff_client, officer, is_admin="on")

    response = _change(staff_client, admin_seat, is_admin=None)

    assert response.status_code == 302
    admin_seat.refresh_from_db()
    assert not admin_seat.is_admin


def test_staff_cannot_move_an_organisation_s_only_admin_to_another_organisation(
    staff_client, council
):
    _organisation_, admin_seat, _officer = council

    response = _change(staff_client, admin_seat, organisation=OrganisationFactory().pk)

    assert ONLY_ADMIN in response.content.decode()
    admin_seat.refresh_from_db()
    assert admin_seat.organisation.name == "Northmoor Council"


def test_the_only_admin_s_delete_page_says_what_to_do_first_and_deletes_nothing(
    staff_client, council
):
    _organisation_, admin_seat, _officer = council
    url = reverse("admin:members_seat_delete", args=[admin_seat.pk])

    shown = staff_client.get(url, follow=True)
    staff_client.post(url, {"post": "yes"})

    assert shown.redirect_chain[-1][0] == reverse("admin:members_seat_change", args=[admin_seat.pk])
    assert any(ONLY_ADMIN in message for message in _shown(shown))
    assert Seat.objects.filter(pk=admin_seat.pk).exists()


def test_a_seat_staff_delete_is_recorded_and_its_holder_emailed(
    staff_client, staff, council, django_capture_on_commit_callbacks
):
    organisation, _admin_seat, officer = council

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:members_seat_delete", args=[officer.pk]), {"post": "yes"})

    assert not Seat.objects.filter(pk=officer.pk).exists()
    removal = SeatRemoval.objects.get()
    assert (removal.organisation, removal.user, removal.removed_by) == (
        organisation,
        officer.user,
        staff,
    )
    assert removal.by_staff
    (email,) = mail.outbox
    assert email.to == [officer.user.email]
    assert email.subject == "Your seat in Northmoor Council's membership has ended"


def test_someone_whose_seat_staff_took_back_is_told_it_was_staff_not_an_admin(
    client, staff_client, council, django_capture_on_commit_callbacks
):
    _organisation_, _admin_seat, officer = council
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:members_seat_delete", args=[officer.pk]), {"post": "yes"})
    client.force_login(officer.user)

    page = client.get(reverse("members:account")).content.decode()

    (email,) = mail.outbox
    assert "The network's staff took back your seat" in email.body
    assert ", the network's staff took back your seat" in email.alternatives[0][0]
    assert "who manages" not in email.body
    assert "the network's staff took it back" in page
    assert "who manages its seats, took it back" not in page


def test_ticked_seats_with_an_only_admin_among_them_are_refused_together(staff_client, council):
    _organisation_, admin_seat, officer = council

    for confirmed in (False, True):
        response = _delete_ticked(staff_client, admin_seat, officer, confirmed=confirmed)

        assert any(ONLY_ADMIN in message for message in _shown(response))
    assert Seat.objects.filter(pk__in=[admin_seat.pk, officer.pk]).count() == 2


def test_ticking_every_admin_of_an_organisation_for_deletion_is_refused(staff_client, council):
    _organisation_, admin_seat, officer = council
    _change(staff_client, officer, is_admin="on")

    response = _delete_ticked(staff_client, admin_seat, officer)

    assert any(
        "Ada Quinn and Kim Lowe are all the admins of Northmoor Council" in message
        for message in _shown(response)
    )
    assert Seat.objects.filter(pk__in=[admin_seat.pk, officer.pk]).count() == 2


def test_ticked_seats_that_leave_an_admin_are_deleted_and_their_holders_emailed(
    staff_client, council, django_capture_on_commit_callbacks
):
    organisation, _admin_seat, officer = council
    other = SeatFactory(organisation=organisation, slot=3)

    with django_capture_on_commit_callbacks(execute=True):
        _delete_ticked(staff_client, officer, other)

    assert list(organisation.seats.all()) == [_admin_seat]
    assert SeatRemoval.objects.count() == 2
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [officer.user.email, other.user.email]
    )


# --- A person's seats, on their page ---------------------------------------------------


def _person_page_post(client, person, **seat_changes):
    """Post the person's page as shown, with their one seat changed."""
    url = reverse("admin:members_user_change", args=[person.pk])
    response = client.get(url)
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if isinstance(value, list):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = "on" if value is True else str(value)
    for name, value in seat_changes.items():
        key = f"seats-0-{name}"
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return client.post(url, data)


def test_the_only_admin_s_seat_cannot_be_unticked_on_their_own_page(staff_client, council):
    _organisation_, admin_seat, _officer = council

    response = _person_page_post(staff_client, admin_seat.user, is_admin=None)

    assert ONLY_ADMIN in response.content.decode()
    admin_seat.refresh_from_db()
    assert admin_seat.is_admin


def test_the_only_admin_s_seat_cannot_be_deleted_on_their_own_page(staff_client, council):
    _organisation_, admin_seat, _officer = council

    response = _person_page_post(staff_client, admin_seat.user, DELETE="on")

    assert ONLY_ADMIN in response.content.decode()
    assert Seat.objects.filter(pk=admin_seat.pk).exists()


def test_a_seat_made_an_admin_on_the_person_s_page_emails_them(
    staff_client, council, django_capture_on_commit_callbacks
):
    _organisation_, _admin_seat, officer = council

    with django_capture_on_commit_callbacks(execute=True):
        response = _person_page_post(staff_client, officer.user, is_admin="on")

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_admin
    assert [email.to for email in mail.outbox] == [[officer.user.email]]
