"""An event's stored slides follow the changes made in the admin: slides replaced or
cleared, or the event deleted, leave no copy behind in storage."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Event
from network.files import protected_storage
from tests.events.test_admin import change_form, recorded_event
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
