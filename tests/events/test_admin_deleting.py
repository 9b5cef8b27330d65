"""Deleting in the event admin: an event's stored slides follow the changes made there
(slides replaced or cleared, or the event deleted, leave no copy behind in storage), and
an event people registered for is cancelled, never deleted."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Event
from network.files import protected_storage
from tests.events.factories import EventFactory
from tests.events.test_admin import book, change_form, recorded_event
from tests.members.factories import UserFactory
from tests.practice_library.factories import pdf_bytes

pytestmark = pytest.mark.django_db

__all__ = ["recorded_event"]  # a fixture, used by name


def change_url(event: Event) -> str:
    return reverse("admin:events_event_change", args=[event.pk])


def test_replacing_an_events_slides_deletes_the_old_file_from_storage(
    staff_client, recorded_event, django_capture_on_commit_callbacks
):
    old_name = recorded_event.slides.name
    newer = SimpleUploadedFile("corrected-slides.pdf", pdf_bytes("Corrected slides"))

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            change_url(recorded_event), change_form(recorded_event, slides=newer)
        )

    assert response.status_code == 302
    recorded_event.refresh_from_db()
    assert recorded_event.slides_filename == "corrected-slides.pdf"
    assert protected_storage.exists(recorded_event.slides.name)
    assert not protected_storage.exists(old_name)


def test_clearing_an_events_slides_deletes_the_file_from_storage(
    staff_client, recorded_event, django_capture_on_commit_callbacks
):
    old_name = recorded_event.slides.name

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            change_url(recorded_event), change_form(recorded_event, **{"slides-clear": "on"})
        )

    assert response.status_code == 302
    recorded_event.refresh_from_db()
    assert not recorded_event.slides
    assert not protected_storage.exists(old_name)


def test_editing_an_event_without_touching_its_slides_keeps_the_file(
    staff_client, recorded_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            change_url(recorded_event),
            change_form(recorded_event, summary="Routines that help children settle."),
        )

    assert response.status_code == 302
    assert protected_storage.exists(recorded_event.slides.name)


def test_deleting_an_event_deletes_its_slides_from_storage(
    staff_client, recorded_event, django_capture_on_commit_callbacks
):
    name = recorded_event.slides.name
    url = reverse("admin:events_event_delete", args=[recorded_event.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Event.objects.filter(pk=recorded_event.pk).exists()
    assert not protected_storage.exists(name)


def test_an_event_people_registered_for_has_no_delete_button(staff_client, recorded_event):
    book(recorded_event, UserFactory())

    page = staff_client.get(change_url(recorded_event)).text

    delete_url = reverse("admin:events_event_delete", args=[recorded_event.pk])
    assert delete_url not in page


def test_deleting_an_event_people_registered_for_says_to_cancel_it_instead(
    staff_client, recorded_event
):
    book(recorded_event, UserFactory())
    url = reverse("admin:events_event_delete", args=[recorded_event.pk])

    response = staff_client.get(url, follow=True)

    assert response.redirect_chain[-1][0] == change_url(recorded_event)
    text = response.text
    assert "people have registered" in text and "set the status to Cancelled" in text
    assert "permission" not in text
    assert Event.objects.filter(pk=recorded_event.pk).exists()


def test_deleting_selected_events_keeps_them_all_when_one_has_registrations(staff_client):
    booked = EventFactory(title="Inspection ready")
    draft = EventFactory(title="A draft with no one registered")
    book(booked, UserFactory())

    response = staff_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "delete_selected", "_selected_action": [booked.pk, draft.pk]},
        follow=True,
    )

    assert "“Inspection ready” stays: people have registered" in response.text
    assert Event.objects.filter(pk__in=[booked.pk, draft.pk]).count() == 2


def test_deleting_selected_events_without_registrations_asks_first_as_usual(staff_client):
    draft = EventFactory(title="A draft with no one registered")

    response = staff_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "delete_selected", "_selected_action": [draft.pk]},
    )

    assert response.status_code == 200
    assert "Are you sure you want to delete the selected event?" in response.text
