"""Text is read from PDF and Word attachments in a Celery task, so search finds it."""

import logging
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from practice_library import services
from practice_library.models import Attachment
from practice_library.tasks import attachment_extract_text_task
from tests.practice_library.factories import ResourceFactory, attach, docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def test_text_of_a_pdf_is_extracted_once_the_attachment_is_committed(
    django_capture_on_commit_callbacks,
):
    resource = ResourceFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        attachment = attach(resource, content=pdf_bytes("Missing from care return interviews"))

    assert callbacks, "the extraction task is enqueued on commit"
    attachment.refresh_from_db()
    assert "Missing from care return interviews" in attachment.extracted_text
    assert attachment.text_extracted_at is not None


def test_text_of_a_word_document_is_extracted(django_capture_on_commit_callbacks):
    resource = ResourceFactory()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = attach(
            resource, name="minutes.docx", content=docx_bytes("Placement stability panel")
        )

    attachment.refresh_from_db()
    assert attachment.extracted_text == "Placement stability panel"


def test_other_file_types_have_no_text_to_extract(django_capture_on_commit_callbacks):
    resource = ResourceFactory()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = attach(resource, name="figures.csv", content=b"home,places\nA,4\n")

    attachment.refresh_from_db()
    assert attachment.extracted_text == ""
    assert attachment.text_extracted_at is not None


def test_no_text_is_extracted_before_the_attachment_is_committed():
    resource = ResourceFactory()

    attachment = attach(resource, content=pdf_bytes("Not yet"))

    attachment.refresh_from_db()
    assert attachment.text_extracted_at is None


def test_a_damaged_pdf_is_logged_and_leaves_the_text_empty(caplog):
    resource = ResourceFactory()
    damaged = pdf_bytes("fine")[:300]
    attachment = Attachment(resource=resource)
    services.attachment_prepare(
        attachment=attachment, uploaded=SimpleUploadedFile("damaged.pdf", damaged)
    )
    attachment.file.save("damaged.pdf", SimpleUploadedFile("damaged.pdf", damaged), save=False)
    attachment.save()

    with caplog.at_level(logging.ERROR):
        attachment_extract_text_task.delay(attachment.pk)

    attachment.refresh_from_db()
    assert attachment.extracted_text == ""
    assert attachment.text_extracted_at is not None
    assert any("text extraction failed" in r.getMessage() for r in caplog.records)


def test_a_file_missing_on_disk_is_logged_for_staff(caplog):
    resource = ResourceFactory()
    attachment = attach(resource, content=pdf_bytes("gone"))
    os.remove(attachment.file.path)

    with caplog.at_level(logging.ERROR):
        attachment_extract_text_task.delay(attachment.pk)

    assert any(
        f"attachment={attachment.pk}" in r.getMessage() and "missing" in r.getMessage()
        for r in caplog.records
    )


def test_extraction_of_a_deleted_attachment_does_nothing():
    attachment_extract_text_task.delay(987654)


@pytest.mark.worker
def test_a_real_worker_extracts_the_text_and_search_then_finds_it(celery_worker_process, client):
    import time

    resource = ResourceFactory(title="Guide with minutes")
    attachment = attach(resource, content=pdf_bytes("Independent visitor recommendations"))

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        attachment.refresh_from_db()
        if attachment.text_extracted_at is not None:
            break
        time.sleep(0.2)
    assert "Independent visitor recommendations" in attachment.extracted_text
    response = client.get("/library/", {"q": "recommendations"})
    assert [r.title for r in response.context["page"].object_list] == ["Guide with minutes"]
