"""Attendance both ways: what a tick gives (the certificate, the "attended" line, one
attendance in the insight reports) an untick takes back, from the register, the bulk
actions, a registration's own form, and a place cancelled after it was ticked."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import attendance, services
from events.models import EventStatus, Registration
from insight import services as insight
from insight.models import ActivityEvent, Kind
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def finished_event(**fields):
    starts = timezone.now() - timedelta(days=2)
    return EventFactory(
        status=EventStatus.FINISHED, starts_at=starts, ends_at=starts + timedelta(hours=2), **fields
    )


def confirmed_place(event, user) -> Registration:
    place = event.registrations.filter(place__isnull=False).count() + 1
    return Registration.objects.create(
        event=event, user=user, status="confirmed", place=place, name=user.name
    )


def attendances_counted(event) -> int:
    insight.activity_flush()
    return ActivityEvent.objects.filter(kind=Kind.EVENT_ATTENDANCE, subject_id=event.pk).count()


# The registration form's list of emails sent (read-only, nothing to add).
NO_INLINES = {"notices-TOTAL_FORMS": "0", "notices-INITIAL_FORMS": "0"}


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_unticking_someone_on_the_register_takes_their_certificate_away(staff_client, commit):
    event = finished_event()
    person = UserFactory()
    registration = confirmed_place(event, person)
    register = reverse("admin:events_event_register", args=[event.pk])
    with commit():
        staff_client.post(register, {"attended": [registration.pk]})
    client = Client()  # staff_client is the test's client, signed in as staff
    client.force_login(person)
    assert client.get(f"/events/{event.slug}/certificate.pdf").status_code == 200

    with commit():
        staff_client.post(register, {})

    assert client.get(f"/events/{event.slug}/certificate.pdf").status_code == 403
    assert "certificate.pdf" not in client.get("/account/").text


def test_unticking_on_the_register_takes_the_attendance_out_of_the_counts(staff_client, commit):
    event = finished_event()
    registration = confirmed_place(event, UserFactory())
    register = reverse("admin:events_event_register", args=[event.pk])
    with commit():
        staff_client.post(register, {"attended": [registration.pk]})
    assert attendances_counted(event) == 1

    with commit():
        staff_client.post(register, {})

    assert attendances_counted(event) == 0


def test_ticked_unticked_and_ticked_again_counts_one_attendance(commit):
    event = finished_event()
    registration = confirmed_place(event, UserFactory())

    for attended in (True, False, True):
        with commit():
            attendance.attendance_mark(registration_ids=[registration.pk], attended=attended)

    assert attendances_counted(event) == 1


def test_saving_the_register_again_leaves_unchanged_rows_marked_when_they_were(commit):
    event = finished_event()
    came = confirmed_place(event, UserFactory())
    earlier = timezone.now() - timedelta(hours=3)
    with commit():
        attendance.attendance_set(event=event, attended_ids={came.pk}, now=earlier)

    with commit():
        attendance.attendance_set(event=event, attended_ids={came.pk})

    came.refresh_from_db()
    assert came.attendance_marked_at == earlier


def test_ticking_attended_in_a_registration_s_form_counts_it_and_unticking_takes_it_back(
    staff_client, commit
):
    event = finished_event()
    registration = confirmed_place(event, UserFactory())
    change = reverse("admin:events_registration_change", args=[registration.pk])

    with commit():
        staff_client.post(change, {**NO_INLINES, "attended": "on"})
    assert attendances_counted(event) == 1
    with commit():
        staff_client.post(change, NO_INLINES)

    registration.refresh_from_db()
    assert registration.attended is False
    assert attendances_counted(event) == 0


def test_the_bulk_action_unmarks_a_cancelled_place_that_was_ticked(staff_client, commit):
    event = finished_event()
    registration = confirmed_place(event, UserFactory())
    with commit():
        attendance.attendance_mark(registration_ids=[registration.pk], attended=True)
    Registration.objects.filter(pk=registration.pk).update(status="cancelled", place=None)

    with commit():
        staff_client.post(
            reverse("admin:events_registration_changelist"),
            {"action": "mark_not_attended", "_selected_action": [registration.pk]},
        )

    registration.refresh_from_db()
    assert not registration.attended
    assert attendances_counted(event) == 0


def test_cancelling_a_place_after_being_ticked_takes_the_attendance_back(client, commit):
    starts = timezone.now() - timedelta(hours=1)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=6))
    person = UserFactory()
    registration = confirmed_place(event, person)
    with commit():
        attendance.attendance_mark(registration_ids=[registration.pk], attended=True)

    with commit():
        services.registration_cancel(registration=registration)

    registration.refresh_from_db()
    assert not registration.attended
    assert attendances_counted(event) == 0
    client.force_login(person)
    assert client.get(f"/events/{event.slug}/certificate.pdf").status_code == 403


def test_cancelling_an_event_under_way_takes_back_the_attendance_ticked(commit):
    starts = timezone.now() - timedelta(hours=1)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=6))
    registration = confirmed_place(event, UserFactory())
    with commit():
        attendance.attendance_mark(registration_ids=[registration.pk], attended=True)

    with commit():
        services.event_cancel(event=event)

    registration.refresh_from_db()
    assert not registration.attended
    assert attendances_counted(event) == 0
