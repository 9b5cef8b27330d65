"""The requests log in the admin: staff record requests that came by email or post, and
run the export or the erasure from there."""

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.admin.data_rights import DataRequestAdmin
from members.models import DataRequest, User
from tests.forum.factories import reported_item
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_record_a_request_that_came_by_email_with_its_one_month_deadline(staff_client, staff):
    person = UserFactory()
    received = timezone.now().replace(microsecond=0)
    response = staff_client.post(
        reverse("admin:members_datarequest_add"),
        {
            "user": person.pk,
            "kind": DataRequest.Kind.ACCESS,
            "source": DataRequest.Source.EMAIL,
            "received_at_0": received.strftime("%Y-%m-%d"),
            "received_at_1": received.strftime("%H:%M:%S"),
            "keep_post_text": "on",
            "state": DataRequest.State.RECEIVED,
            "outcome": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    data_request = DataRequest.objects.get(user=person)
    assert data_request.recorded_by == staff
    assert (data_request.due_by - data_request.received_at).days == 30


def test_staff_run_the_export_and_the_person_is_emailed_their_link(
    staff_client, django_capture_on_commit_callbacks
):
    person = UserFactory()
    data_request = DataRequest.objects.create(
        user=person, kind=DataRequest.Kind.ACCESS, source=DataRequest.Source.POST
    )
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:members_datarequest_changelist"),
            {"action": "run_export", "_selected_action": [data_request.pk]},
        )
    data_request.refresh_from_db()
    assert data_request.state == DataRequest.State.DONE
    assert data_request.export_file
    assert mail.outbox[-1].to == [person.email]


def test_staff_run_the_erasure_and_the_reports_stay_under_a_pseudonym(staff_client):
    item = reported_item()
    reporter = item.reports.get().reporter
    data_request = DataRequest.objects.create(
        user=reporter, kind=DataRequest.Kind.ERASURE, source=DataRequest.Source.EMAIL
    )
    staff_client.post(
        reverse("admin:members_datarequest_changelist"),
        {"action": "run_erasure", "_selected_action": [data_request.pk], "confirmed": "yes"},
    )
    reporter.refresh_from_db()
    assert reporter.is_erased
    assert item.reports.get().reporter == reporter
    data_request.refresh_from_db()
    assert data_request.state == DataRequest.State.DONE


def test_the_erasure_asks_first_and_erases_no_one_until_confirmed(staff_client):
    person = UserFactory(name="Jo Hartley")
    data_request = DataRequest.objects.create(
        user=person, kind=DataRequest.Kind.ERASURE, source=DataRequest.Source.EMAIL
    )

    response = staff_client.post(
        reverse("admin:members_datarequest_changelist"),
        {"action": "run_erasure", "_selected_action": [data_request.pk]},
    )

    person.refresh_from_db()
    assert not person.is_erased
    html = response.content.decode()
    assert "Erasure (delete the account): Jo Hartley" in html
    assert "Erase the person now (no grace period): are you sure?" in html
    assert "This cannot be undone." in html
    assert 'name="confirmed" value="yes"' in html


def test_running_the_erasure_on_a_refused_request_erases_no_one(staff_client):
    person = UserFactory()
    data_request = DataRequest.objects.create(
        user=person,
        kind=DataRequest.Kind.ERASURE,
        source=DataRequest.Source.EMAIL,
        state=DataRequest.State.REFUSED,
        outcome="Refused: records under a legal hold.",
    )

    response = staff_client.post(
        reverse("admin:members_datarequest_changelist"),
        {"action": "run_erasure", "_selected_action": [data_request.pk], "confirmed": "yes"},
        follow=True,
    )

    person.refresh_from_db()
    assert not person.is_erased
    assert "This request is closed (refused" in response.content.decode()


def test_people_cannot_be_deleted_from_the_admin_only_erased(rf, staff):
    request = rf.get("/admin/")
    request.user = staff
    assert not site._registry[User].has_delete_permission(request, UserFactory())


def test_the_log_keeps_its_entries(rf, staff):
    request = rf.get("/admin/")
    request.user = staff
    assert not DataRequestAdmin(DataRequest, site).has_delete_permission(request)


def test_a_closed_request_stays_as_it_was_closed(staff_client):
    # An erasure carried out must never read "cancelled", nor be scheduled again.
    person = UserFactory()
    data_request = DataRequest.objects.create(
        user=person,
        kind=DataRequest.Kind.ERASURE,
        state=DataRequest.State.DONE,
        closed_at=timezone.now(),
        outcome="Account erased.",
    )

    staff_client.post(
        reverse("admin:members_datarequest_change", args=[data_request.pk]),
        {
            "source": DataRequest.Source.EMAIL,
            "state": DataRequest.State.CANCELLED,
            "outcome": "Cancelled.",
        },
    )

    data_request.refresh_from_db()
    assert (data_request.state, data_request.outcome) == (DataRequest.State.DONE, "Account erased.")


def test_a_request_staff_record_starts_as_received_whatever_state_is_sent(staff_client):
    # "Erasure scheduled" chosen by hand would have no date to erase on, so nobody would
    # ever be erased; staff run the erasure or the export from the list instead.
    person = UserFactory()
    received = timezone.now().replace(microsecond=0)
    staff_client.post(
        reverse("admin:members_datarequest_add"),
        {
            "user": person.pk,
            "kind": DataRequest.Kind.ERASURE,
            "source": DataRequest.Source.EMAIL,
            "received_at_0": received.strftime("%Y-%m-%d"),
            "received_at_1": received.strftime("%H:%M:%S"),
            "keep_post_text": "on",
            "state": DataRequest.State.SCHEDULED,
            "outcome": "",
        },
    )

    assert DataRequest.objects.get(user=person).state == DataRequest.State.RECEIVED


def test_a_request_staff_cancel_by_hand_is_closed_and_leaves_the_log_in_time(staff_client):
    person = UserFactory()
    data_request = DataRequest.objects.create(
        user=person, kind=DataRequest.Kind.ACCESS, source=DataRequest.Source.EMAIL
    )

    staff_client.post(
        reverse("admin:members_datarequest_change", args=[data_request.pk]),
        {
            "source": DataRequest.Source.EMAIL,
            "keep_post_text": "on",
            "state": DataRequest.State.CANCELLED,
            "outcome": "Withdrawn by the person by email.",
        },
    )

    data_request.refresh_from_db()
    assert data_request.state == DataRequest.State.CANCELLED
    assert data_request.closed_at is not None


def test_the_log_shows_state_and_deadline_first_so_a_phone_shows_them_unscrolled(staff_client):
    DataRequest.objects.create(user=UserFactory(), kind=DataRequest.Kind.ERASURE)

    page = staff_client.get(reverse("admin:members_datarequest_changelist")).content.decode()

    headings = [page.index(f'class="sortable column-{name}') for name in ("user", "kind", "state")]
    assert headings == sorted(headings)
    assert page.index("column-due_by") < page.index("column-source")
    assert page.index("column-is_overdue") < page.index("column-received_at")


def test_a_closed_request_shows_as_a_record_without_save_buttons(staff_client):
    data_request = DataRequest.objects.create(
        user=UserFactory(),
        kind=DataRequest.Kind.ACCESS,
        state=DataRequest.State.DONE,
        closed_at=timezone.now(),
        outcome="Download prepared and its link emailed to the person.",
    )

    response = staff_client.get(reverse("admin:members_datarequest_change", args=[data_request.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Download prepared and its link emailed to the person." in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page


def test_an_open_request_can_still_be_changed_and_saved(staff_client):
    data_request = DataRequest.objects.create(user=UserFactory(), kind=DataRequest.Kind.ACCESS)

    response = staff_client.get(reverse("admin:members_datarequest_change", args=[data_request.pk]))

    assert 'name="_save"' in response.content.decode()
