"""Downloading attachments: only through the access policy, under random stored names,
sent by django-sendfile2 as attachments with a safe name and nosniff, counted, and a
clear page (and an alert in the log) when the file is missing on disk."""

import base64
import logging
import os
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_sendfile.utils import _get_sendfile

from members.access import AccessLevel
from practice_library.models import FreeRead
from tests.practice_library.factories import ResourceFactory, attach, docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db

# The smallest valid PNG: one transparent pixel (uploads are opened to read their size).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def _sendfile_backend_read_afresh():
    """django-sendfile2 keeps its backend once loaded; tests switch it."""
    _get_sendfile.cache_clear()
    yield
    _get_sendfile.cache_clear()


@pytest.fixture
def resource(db):
    return ResourceFactory(title="Inspection guide", access_level=AccessLevel.MEMBERS)


@pytest.fixture
def attachment(resource):
    return attach(resource, name="Inspection checklist.pdf", content=pdf_bytes())


def download_url(attachment) -> str:
    return reverse(
        "practice_library:download",
        kwargs={"slug": attachment.resource.slug, "attachment_id": attachment.pk},
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Who may download -------------------------------------------------------------------


def test_member_downloads_the_file_as_an_attachment(client, member, attachment):
    client.force_login(member)

    response = client.get(download_url(attachment))

    assert response.status_code == 200
    with open(attachment.file.path, "rb") as stored:
        assert body(response) == stored.read()
    assert body(response).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Inspection checklist.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_visitor_is_sent_to_sign_in_before_downloading(client, attachment):
    response = client.get(download_url(attachment))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_registered_user_with_no_free_reads_left_is_refused_with_a_join_page(
    client, registered, attachment, settings
):
    settings.LIBRARY_FREE_READS_PER_MONTH = 0
    client.force_login(registered)

    response = client.get(download_url(attachment))

    assert response.status_code == 403
    assert "This file is for members" in response.content.decode()
    assert "Become a member" in response.content.decode()


def test_registered_user_downloads_with_a_free_read_counted_once_with_the_page(
    client, registered, attachment, settings
):
    settings.LIBRARY_FREE_READS_PER_MONTH = 1
    client.force_login(registered)

    client.get(attachment.resource.get_absolute_url())
    response = client.get(download_url(attachment))

    assert response.status_code == 200
    assert FreeRead.objects.count() == 1


def test_lapsed_member_is_refused_and_asked_to_renew(client, lapsed, attachment, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 0
    client.force_login(lapsed)

    response = client.get(download_url(attachment))

    assert response.status_code == 403
    assert "Renew your membership" in response.content.decode()


def test_visitor_downloads_files_of_a_public_resource(client):
    resource = ResourceFactory(access_level=AccessLevel.PUBLIC)
    attachment = attach(resource, name="poster.png", content=PNG)

    response = client.get(download_url(attachment))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_an_attachment_of_another_resource_is_not_found(client, member, attachment):
    other = ResourceFactory(access_level=AccessLevel.PUBLIC)
    client.force_login(member)

    response = client.get(
        reverse(
            "practice_library:download",
            kwargs={"slug": other.slug, "attachment_id": attachment.pk},
        )
    )

    assert response.status_code == 404


def test_downloads_are_counted(client, member, attachment):
    client.force_login(member)

    client.get(download_url(attachment))
    client.get(download_url(attachment))

    attachment.refresh_from_db()
    assert attachment.download_count == 2


def test_refused_downloads_are_not_counted(client, attachment):
    client.get(download_url(attachment))

    attachment.refresh_from_db()
    assert attachment.download_count == 0


# --- How files are stored and sent ---------------------------------------------------------


def test_files_are_stored_under_a_random_name_with_no_public_url(attachment, settings):
    assert re.fullmatch(r"library/[0-9a-f]{2}/[0-9a-f]{32}", attachment.file.name)
    assert "Inspection" not in attachment.file.name
    assert attachment.file.path.startswith(str(settings.SENDFILE_ROOT))
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018


def test_front_server_sends_the_file_with_x_accel_redirect_when_configured(
    client, member, attachment, settings
):
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_URL = "/protected"
    client.force_login(member)

    response = client.get(download_url(attachment))

    assert response["X-Accel-Redirect"] == f"/protected/{attachment.file.name}"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_front_server_sends_the_file_with_x_sendfile_when_configured(
    client, member, attachment, settings
):
    settings.SENDFILE_BACKEND = "django_sendfile.backends.xsendfile"
    client.force_login(member)

    response = client.get(download_url(attachment))

    assert response["X-Sendfile"] == attachment.file.path
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("uploaded_name", "expected"),
    [
        ("../../etc/passwd.pdf", 'filename="passwd.pdf"'),
        ('say "hello".pdf', r'filename="say \"hello\".pdf"'),
        ("notes.exe", 'filename="notes.pdf"'),  # the real type decides the extension
        ("Café plan.pdf", "filename*=UTF-8''Caf%C3%A9%20plan.pdf"),
    ],
)
def test_download_name_is_safe_and_ends_in_the_real_type(
    client, member, resource, uploaded_name, expected
):
    attachment = attach(resource, name=uploaded_name, content=pdf_bytes())
    client.force_login(member)

    response = client.get(download_url(attachment))

    assert expected in response["Content-Disposition"]
    assert "/" not in response["Content-Disposition"].split("filename=")[1].split(";")[0]


# --- Types checked from the bytes --------------------------------------------------------


def test_a_word_file_is_recognised_from_its_bytes_whatever_its_name(resource):
    attachment = attach(resource, name="minutes.pdf", content=docx_bytes("Minutes"))

    assert attachment.extension == "docx"
    assert attachment.kind == "Word"


def test_a_program_renamed_as_a_pdf_is_refused(resource):
    with pytest.raises(ValidationError, match="cannot be attached"):
        attach(resource, name="report.pdf", content=b"MZ\x90\x00\x03" + b"\x00" * 200)


def test_a_csv_file_is_accepted_as_text(resource):
    attachment = attach(resource, name="figures.csv", content=b"home,places\nFictional House,4\n")

    assert attachment.content_type == "text/csv"


def test_a_file_over_the_size_limit_is_refused(resource, settings):
    settings.LIBRARY_ATTACHMENT_MAX_BYTES = 100

    with pytest.raises(ValidationError, match="at most 100"):
        attach(resource, content=pdf_bytes())


# --- A file missing on disk -------------------------------------------------------------


def test_resource_page_still_renders_when_a_file_is_missing(client, member, attachment):
    os.remove(attachment.file.path)
    client.force_login(member)

    response = client.get(attachment.resource.get_absolute_url())

    assert response.status_code == 200
    assert "Inspection checklist" in response.content.decode()


def test_download_of_a_missing_file_says_it_is_unavailable_and_alerts_staff_in_the_log(
    client, member, attachment, caplog
):
    os.remove(attachment.file.path)
    client.force_login(member)

    with caplog.at_level(logging.ERROR, logger="practice_library.views"):
        response = client.get(download_url(attachment))

    assert response.status_code == 404
    assert "This file is unavailable" in response.content.decode()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"attachment={attachment.pk}" in r.getMessage() for r in errors)
    attachment.refresh_from_db()
    assert attachment.download_count == 0
