"""Attachments in S3-compatible object storage (moto's S3 here): stored in a private
bucket, downloaded only through the access check, streamed or redirected to a presigned
link that expires, and read from the bucket for search."""

import logging
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from members.access import AccessLevel
from tests.practice_library.factories import ResourceFactory, attach, docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(object_storage):
    resource = ResourceFactory(title="Inspection guide", access_level=AccessLevel.MEMBERS)
    return attach(resource, name="Inspection checklist.pdf", content=pdf_bytes("Checklist"))


def download_url(attachment) -> str:
    return reverse(
        "practice_library:download",
        kwargs={"slug": attachment.resource.slug, "attachment_id": attachment.pk},
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def stored_bytes(store, attachment) -> bytes:
    key = f"protected/{attachment.file.name}"
    return store.client.get_object(Bucket=store.bucket, Key=key)["Body"].read()


def test_attachment_is_stored_in_the_bucket_under_a_random_name(object_storage, attachment):
    (key,) = object_storage.keys()

    assert key == f"protected/{attachment.file.name}"
    assert key.startswith("protected/library/")
    assert "Inspection" not in key
    assert stored_bytes(object_storage, attachment).startswith(b"%PDF")


def test_the_bucket_refuses_anyone_without_a_signature(object_storage, attachment):
    address = f"{object_storage.endpoint}/{object_storage.bucket}/protected/{attachment.file.name}"

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(address)

    assert refused.value.code == 403


def test_member_download_is_streamed_from_the_bucket(client, member, object_storage, attachment):
    client.force_login(member)

    response = client.get(download_url(attachment))

    assert response.status_code == 200
    assert body(response) == stored_bytes(object_storage, attachment)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Inspection checklist.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-cache"
    attachment.refresh_from_db()
    assert attachment.download_count == 1


def test_visitor_is_sent_to_sign_in_and_never_to_the_bucket(client, object_storage, attachment):
    response = client.get(download_url(attachment))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_lapsed_member_is_refused_without_a_link_to_the_bucket(
    client, settings, lapsed, object_storage, attachment
):
    settings.LIBRARY_FREE_READS_PER_MONTH = 0
    client.force_login(lapsed)

    response = client.get(download_url(attachment))

    assert response.status_code == 403
    assert object_storage.endpoint not in response.content.decode()


def test_download_redirects_to_a_presigned_link_that_expires_when_configured(
    client, settings, member, object_storage, attachment
):
    settings.PROTECTED_FILE_REDIRECT_SECONDS = 30
    client.force_login(member)

    response = client.get(download_url(attachment))

    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith(f"{object_storage.endpoint}/{object_storage.bucket}/protected/")
    assert parse_qs(urlsplit(link).query)["X-Amz-Expires"] == ["30"]
    assert response["Cache-Control"] == "private, no-store"
    with urllib.request.urlopen(link) as fetched:
        assert fetched.read() == stored_bytes(object_storage, attachment)
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert 'filename="Inspection checklist.pdf"' in fetched.headers["Content-Disposition"]
    attachment.refresh_from_db()
    assert attachment.download_count == 1


@pytest.mark.parametrize("redirect_seconds", [0, 30])
def test_a_file_missing_from_the_bucket_shows_the_unavailable_page_and_alerts(
    client, settings, member, object_storage, attachment, caplog, redirect_seconds
):
    settings.PROTECTED_FILE_REDIRECT_SECONDS = redirect_seconds
    object_storage.client.delete_object(
        Bucket=object_storage.bucket, Key=f"protected/{attachment.file.name}"
    )
    client.force_login(member)

    with caplog.at_level(logging.ERROR, logger="practice_library.views"):
        response = client.get(download_url(attachment))

    assert response.status_code == 404
    assert "This file is unavailable" in response.content.decode()
    assert "missing from storage" in caplog.text
    attachment.refresh_from_db()
    assert attachment.download_count == 0


def test_text_of_a_pdf_is_extracted_from_the_bucket(
    object_storage, django_capture_on_commit_callbacks
):
    resource = ResourceFactory()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = attach(resource, content=pdf_bytes("Missing from care return interviews"))

    attachment.refresh_from_db()
    assert "Missing from care return interviews" in attachment.extracted_text
    with pytest.raises(NotImplementedError):
        attachment.file.path  # noqa: B018 (object storage has no local path to read)


def test_text_of_a_word_document_is_extracted_from_the_bucket(
    object_storage, django_capture_on_commit_callbacks
):
    resource = ResourceFactory()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = attach(
            resource, name="minutes.docx", content=docx_bytes("Placement stability panel")
        )

    attachment.refresh_from_db()
    assert attachment.extracted_text == "Placement stability panel"
