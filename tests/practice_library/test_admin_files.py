"""The stored files of library attachments follow the editors' changes in the admin: a
file replaced, an attachment removed or a resource deleted leaves no copy in storage."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from network.files import protected_storage
from practice_library.models import Resource, ResourceStatus
from tests.practice_library.factories import ResourceFactory, attach, pdf_bytes
from tests.practice_library.test_admin import change_url, editor_client, inline_data

pytestmark = pytest.mark.django_db

__all__ = ["editor_client"]  # a fixture, used by name


@pytest.fixture
def resource_with_file(db):
    resource = ResourceFactory(title="Preparing for inspection", status=ResourceStatus.DRAFT)
    attachment = attach(resource, name="inspection-checklist.pdf")
    return resource, attachment


def test_replacing_the_file_of_an_attachment_deletes_the_old_file_from_storage(
    editor_client, resource_with_file, django_capture_on_commit_callbacks
):
    resource, attachment = resource_with_file
    old_name = attachment.file.name
    newer = SimpleUploadedFile("newer-checklist.pdf", pdf_bytes("A newer checklist"))

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            change_url(resource), inline_data(resource, attachment, **{"attachments-0-file": newer})
        )

    assert response.status_code == 302
    attachment.refresh_from_db()
    assert protected_storage.exists(attachment.file.name)
    assert not protected_storage.exists(old_name)


def test_removing_an_attachment_deletes_its_file_from_storage(
    editor_client, resource_with_file, django_capture_on_commit_callbacks
):
    resource, attachment = resource_with_file

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            change_url(resource),
            inline_data(resource, attachment, **{"attachments-0-DELETE": "on"}),
        )

    assert response.status_code == 302
    assert not resource.attachments.exists()
    assert not protected_storage.exists(attachment.file.name)


def test_editing_a_resource_without_touching_its_file_keeps_the_file(
    editor_client, resource_with_file, django_capture_on_commit_callbacks
):
    resource, attachment = resource_with_file

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            change_url(resource), inline_data(resource, attachment, summary="A new summary.")
        )

    assert protected_storage.exists(attachment.file.name)


def test_deleting_a_resource_deletes_its_files_from_storage(
    editor_client, resource_with_file, django_capture_on_commit_callbacks
):
    resource, attachment = resource_with_file
    delete_url = reverse("admin:practice_library_resource_delete", args=[resource.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert not protected_storage.exists(attachment.file.name)


def test_deleting_resources_from_the_list_deletes_their_files_from_storage(
    editor_client, resource_with_file, django_capture_on_commit_callbacks
):
    resource, attachment = resource_with_file

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("admin:practice_library_resource_changelist"),
            {"action": "delete_selected", "_selected_action": [resource.pk], "post": "yes"},
        )

    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert not protected_storage.exists(attachment.file.name)


def test_the_delete_page_of_a_resource_counts_its_readers_without_naming_them(
    editor_client, resource_with_file
):
    from practice_library.models import Bookmark, FreeRead, RecentRead
    from tests.members.factories import UserFactory

    resource, _ = resource_with_file
    reader = UserFactory(name="Dev Patel")
    RecentRead.objects.create(user=reader, resource=resource)
    Bookmark.objects.create(user=reader, resource=resource)
    FreeRead.objects.create(user=reader, resource=resource, month=date(2026, 12, 1))

    response = editor_client.get(
        reverse("admin:practice_library_resource_delete", args=[resource.pk])
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "Recent reads" in text
    assert "inspection-checklist.pdf" in text or "Attachment" in text
    assert "Dev Patel" not in text
    assert reader.email not in text
