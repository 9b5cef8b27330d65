"""Staff and an organisation's seats in the admin: its page shows the first of them read
only, however many there are, and links to the list of all of them, where they are
added, changed and deleted; the seats its admins took back, the latest first."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Organisation, Seat, SeatRemoval
from tests.members.factories import (
    OrganisationFactory,
    SeatFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


def _page_url(organisation) -> str:
    return reverse("admin:members_organisation_change", args=[organisation.pk])


def _page(client, organisation) -> str:
    return client.get(_page_url(organisation)).content.decode()


def _seats(organisation, count: int) -> list[Seat]:
    return [SeatFactory(organisation=organisation) for _ in range(count)]


def _link(page: str, text: str) -> str:
    return html.unescape(re.search(rf'<a href="([^"]+)">{re.escape(text)}', page)[1])


def _row(page: str, email: str) -> str:
    """The text of the table row naming `email`."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.DOTALL)
    row = next(row for row in rows if email in row)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def _size_and_queries(client, organisation) -> tuple[int, int]:
    client.get(_page_url(organisation))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(_page_url(organisation))
    return len(response.content), len(captured)


def test_an_organisation_s_page_is_no_larger_and_asks_no_more_with_more_seats(staff_client):
    # A form for each of a council's 300 seats made the page close to a megabyte.
    organisation, _admin = organisation_with_seats(seats=100)
    _seats(organisation, 24)
    size, queries = _size_and_queries(staff_client, organisation)

    _seats(organisation, 35)

    more_size, more_queries = _size_and_queries(staff_client, organisation)
    assert more_queries == queries
    assert more_size - size < 100  # a few figures differ; a row of a seat is far larger


def test_an_organisation_s_page_shows_its_seats_read_only_with_their_details(staff_client):
    organisation, admin = organisation_with_seats(seats=10, admin=UserFactory(name="Ruth Adeyemi"))
    SeatFactory(organisation=organisation, user=UserFactory(email="kim@example.org"))

    page = _page(staff_client, organisation)

    assert "Ruth Adeyemi" in page
    assert admin.email in page
    assert "kim@example.org" in page
    assert 'name="seats-0-is_admin"' not in page
    assert 'name="seats-0-user"' not in page


def test_an_organisation_s_page_says_which_seats_are_beyond_those_paid_for(staff_client):
    organisation, admin = organisation_with_seats(seats=2)
    SeatFactory(organisation=organisation, user=UserFactory(email="ada@example.org"))
    SeatFactory(organisation=organisation, user=UserFactory(email="ben@example.org"))

    page = _page(staff_client, organisation)

    assert _row(page, "ada@example.org").endswith("No")
    assert _row(page, "ben@example.org").endswith("Yes")


def test_an_organisation_s_page_shows_the_admins_first_then_the_oldest_seats(staff_client):
    organisation, admin = organisation_with_seats(seats=100)
    oldest = _seats(organisation, 18)
    SeatFactory(organisation=organisation, user=UserFactory(email="newest@example.org"))
    SeatFactory(
        organisation=organisation, user=UserFactory(email="new-admin@example.org"), is_admin=True
    )

    page = _page(staff_client, organisation)

    assert admin.email in page
    assert "new-admin@example.org" in page
    assert all(seat.user.email in page for seat in oldest)
    assert "newest@example.org" not in page
    assert "The first 20 of 21 seats" in page


def test_the_link_under_the_seats_lists_every_seat_of_the_organisation(staff_client):
    organisation, admin = organisation_with_seats(seats=100)
    seats = _seats(organisation, 30)
    SeatFactory()  # another organisation's
    page = _page(staff_client, organisation)

    listed = staff_client.get(_link(page, "Open the list of")).context["cl"]

    assert listed.result_count == 31
    assert {seat.pk for seat in listed.queryset} == {admin.seats.get().pk} | {
        seat.pk for seat in seats
    }


def test_the_list_of_seats_names_the_organisation_it_shows(staff_client):
    organisation = OrganisationFactory(name="Northmoor County Council (fictional)")
    SeatFactory(organisation=organisation)

    page = staff_client.get(
        reverse("admin:members_seat_changelist"), {"organisation": organisation.pk}
    ).content.decode()

    assert "Northmoor County Council (fictional)" in page


def test_a_seat_is_changed_from_the_organisation_s_page_a_link_away(staff_client):
    organisation, admin = organisation_with_seats(seats=5)
    seat = SeatFactory(organisation=organisation)
    page = _page(staff_client, organisation)
    change_url = reverse("admin:members_seat_change", args=[seat.pk])
    assert f'href="{change_url}"' in page

    staff_client.post(
        change_url,
        {"organisation": organisation.pk, "user": seat.user_id, "is_admin": "on", "slot": ""},
    )

    seat.refresh_from_db()
    assert seat.is_admin


def test_a_seat_added_from_the_organisation_s_page_is_for_that_organisation(staff_client):
    organisation, _admin = organisation_with_seats(seats=5)
    page = _page(staff_client, organisation)

    form = staff_client.get(_link(page, "add a seat")).context["adminform"].form

    assert str(form.initial["organisation"]) == str(organisation.pk)


def test_a_seat_staff_add_beyond_those_paid_for_begins_the_notice(
    staff_client, django_capture_on_commit_callbacks
):
    organisation, _admin = organisation_with_seats(seats=1)

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:members_seat_add"),
            {"organisation": organisation.pk, "user": UserFactory().pk, "slot": ""},
        )

    assert organisation.seats.count() == 2
    assert Organisation.objects.get(pk=organisation.pk).seats_over_since is not None


def test_a_seat_staff_delete_brings_the_seats_within_those_paid_for_again(
    staff_client, django_capture_on_commit_callbacks
):
    organisation, _admin = organisation_with_seats(seats=1)
    extra = SeatFactory(organisation=organisation)
    Organisation.objects.filter(pk=organisation.pk).update(seats_over_since=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:members_seat_delete", args=[extra.pk]), {"post": "yes"})

    assert not Seat.objects.filter(pk=extra.pk).exists()
    assert Organisation.objects.get(pk=organisation.pk).seats_over_since is None


def _taken_back(organisation, count: int) -> list[SeatRemoval]:
    """`count` seats taken back, a day apart, the latest last."""
    start = timezone.now() - timedelta(days=count)
    return [
        SeatRemoval.objects.create(
            organisation=organisation,
            user=UserFactory(name=f"Former colleague {n:02}"),
            removed_by=UserFactory(),
            removed_at=start + timedelta(days=n),
        )
        for n in range(count)
    ]


def test_an_organisation_s_page_shows_only_the_latest_seats_taken_back(staff_client):
    organisation, _admin = organisation_with_seats(seats=5)
    removals = _taken_back(organisation, 25)

    page = _page(staff_client, organisation)

    assert all(removal.user.name in page for removal in removals[5:])
    assert not any(removal.user.name in page for removal in removals[:5])
    assert "The latest 20 of 25." in page


def test_the_link_under_the_seats_taken_back_lists_every_one_of_the_organisation(
    staff_client,
):
    organisation, _admin = organisation_with_seats(seats=5)
    removals = _taken_back(organisation, 25)
    _taken_back(OrganisationFactory(), 1)  # another organisation's
    page = _page(staff_client, organisation)

    listed = staff_client.get(_link(page, "All 25 seats taken back")).context["cl"]

    assert {removal.pk for removal in listed.queryset} == {removal.pk for removal in removals}


def test_a_seat_taken_back_is_a_record_staff_cannot_change(staff_client):
    (removal,) = _taken_back(OrganisationFactory(), 1)

    response = staff_client.post(
        reverse("admin:members_seatremoval_change", args=[removal.pk]),
        {"emailed_at_0": "", "emailed_at_1": ""},
    )

    assert response.status_code == 403
    assert staff_client.get(reverse("admin:members_seatremoval_add")).status_code == 403


def _as_shown(response) -> dict:
    """What the organisation's page posts back when saved unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else str(value)
    return data


def test_staff_save_an_organisation_with_more_seats_than_its_page_shows(staff_client):
    organisation, _admin = organisation_with_seats(seats=100)
    _seats(organisation, 30)
    _taken_back(organisation, 25)
    shown = staff_client.get(_page_url(organisation))

    response = staff_client.post(
        _page_url(organisation), {**_as_shown(shown), "name": "Northmoor Council (renamed)"}
    )

    assert response.status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).name == "Northmoor Council (renamed)"
    assert organisation.seats.count() == 31
    assert organisation.seat_removals.count() == 25
