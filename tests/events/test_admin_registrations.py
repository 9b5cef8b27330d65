"""Registrations in the admin: a place is never deleted there (that would free it without
offering it on or telling anyone); staff cancel it through the service instead."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import Registration, RegistrationStatus
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def _full_event_with_someone_waiting():
    event = EventFactory(title="Positive behaviour support", capacity=1)
    booked = Registration.objects.create(
        event=event, user=UserFactory(), status="confirmed", place=1, name="Ruth Kaye"
    )
    waiting = Registration.objects.create(
        event=event,
        user=UserFactory(),
        status="waiting",
        name="Sam Okafor",
        waiting_since=timezone.now() - timedelta(days=1),
    )
    return event, booked, waiting


def test_a_registration_cannot_be_deleted_from_its_admin_page(staff_client):
    _event, booked, _waiting = _full_event_with_someone_waiting()

    page = staff_client.get(reverse("admin:events_registration_change", args=[booked.pk]))
    delete = staff_client.post(
        reverse("admin:events_registration_delete", args=[booked.pk]), {"post": "yes"}
    )

    assert reverse("admin:events_registration_delete", args=[booked.pk]) not in page.text
    assert delete.status_code == 403
    assert Registration.objects.filter(pk=booked.pk).exists()


def test_registrations_cannot_be_deleted_in_bulk(staff_client):
    _event, booked, _waiting = _full_event_with_someone_waiting()

    listing = staff_client.get(reverse("admin:events_registration_changelist"))
    staff_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "delete_selected", "_selected_action": [booked.pk], "post": "yes"},
    )

    assert 'value="delete_selected"' not in listing.text
    assert Registration.objects.filter(pk=booked.pk, status="confirmed").exists()


def test_cancelling_a_place_in_the_admin_asks_first_and_changes_nothing_until_confirmed(
    staff_client,
):
    _event, booked, _waiting = _full_event_with_someone_waiting()

    response = staff_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "cancel_places", "_selected_action": [booked.pk]},
    )

    assert "offered to the first person on the waiting list" in response.text
    assert "Ruth Kaye at Positive behaviour support" in response.text
    booked.refresh_from_db()
    assert booked.status == RegistrationStatus.CONFIRMED
    assert mail.outbox == []


def test_cancelling_a_place_in_the_admin_tells_the_person_and_offers_it_on(
    staff_client, django_capture_on_commit_callbacks
):
    event, booked, waiting = _full_event_with_someone_waiting()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:events_registration_changelist"),
            {"action": "cancel_places", "_selected_action": [booked.pk], "confirmed": "yes"},
            follow=True,
        )

    booked.refresh_from_db()
    waiting.refresh_from_db()
    assert booked.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.OFFERED
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == sorted(
        [
            (booked.user.email, f"Registration cancelled: {event.title}"),
            (waiting.user.email, f"A place is free for you: {event.title}"),
        ]
    )
    assert "1 registration cancelled; each person is emailed" in response.text


def test_cancelling_a_place_at_a_finished_event_is_refused_in_staff_words(staff_client):
    started = timezone.now() - timedelta(days=2)
    event = EventFactory(starts_at=started, ends_at=started + timedelta(hours=1))
    booked = Registration.objects.create(
        event=event, user=UserFactory(), status="confirmed", place=1, name="Ruth Kaye"
    )

    response = staff_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "cancel_places", "_selected_action": [booked.pk], "confirmed": "yes"},
        follow=True,
    )

    booked.refresh_from_db()
    assert booked.status == RegistrationStatus.CONFIRMED
    assert "Ruth Kaye: not cancelled: the event has finished" in response.text


def test_the_needs_a_person_gave_are_shown_in_the_admin_but_not_changed_there(staff_client):
    _event, booked, _waiting = _full_event_with_someone_waiting()
    booked.needs = "Step-free access, please; no nuts."
    booked.save(update_fields=["needs"])
    url = reverse("admin:events_registration_change", args=[booked.pk])

    page = staff_client.get(url)
    saved = staff_client.post(
        url,
        {
            "needs": "Changed by staff",
            "notices-TOTAL_FORMS": "0",
            "notices-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )

    assert saved.status_code == 302
    booked.refresh_from_db()
    assert booked.needs == "Step-free access, please; no nuts."
    assert "Step-free access, please; no nuts." in page.text


def test_the_registrations_list_says_each_place_and_who_attended(staff_client):
    event, booked, _waiting = _full_event_with_someone_waiting()
    booked.attended = True
    booked.save(update_fields=["attended"])

    page = staff_client.get(reverse("admin:events_registration_changelist")).text

    assert '<td class="field-status_and_place">Confirmed, place 1, attended</td>' in page
    assert '<td class="field-status_and_place">On the waiting list</td>' in page
    assert f"{event.title} (" in page
