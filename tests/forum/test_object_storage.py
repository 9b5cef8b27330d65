"""Forum files in S3-compatible object storage (moto's S3 here): images are stripped of
their metadata by reading from and writing to the bucket, and served only to readers."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from forum.models import AttachmentApproval, ForumPreference, PostAttachment
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(member, second_member):
    for person in (member, second_member):
        ForumPreference.objects.update_or_create(
            user=person, defaults={"child_safety_confirmed_at": timezone.now()}
        )


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "teal")
    exif = Image.Exif()
    exif[0x010F] = "Fictional Camera Co"  # Make
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def reply_with(client, thread, upload, capture, *, execute: bool = True):
    with capture(execute=execute) as callbacks:
        client.post(f"/forum/t/{thread.pk}/reply/", {"body": "Attached.", "attachments": [upload]})
    return callbacks


def test_image_is_stripped_of_its_metadata_in_the_bucket_and_the_original_deleted(
    client, room, member, confirmed, object_storage, django_capture_on_commit_callbacks
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile("garden.jpg", jpeg_with_exif(), content_type="image/jpeg")
    callbacks = reply_with(
        client, thread, upload, django_capture_on_commit_callbacks, execute=False
    )
    attachment = PostAttachment.objects.get()
    (original_key,) = object_storage.keys()
    assert (
        b"Fictional Camera"
        in object_storage.client.get_object(Bucket=object_storage.bucket, Key=original_key)[
            "Body"
        ].read()
    )

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    attachment.refresh_from_db()
    assert attachment.metadata_stripped
    (stripped_key,) = object_storage.keys()
    assert stripped_key != original_key
    stored = object_storage.client.get_object(Bucket=object_storage.bucket, Key=stripped_key)
    content = stored["Body"].read()
    assert b"Fictional Camera" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (40, 30)
        assert not image.getexif()


def test_image_is_served_inline_from_the_bucket_even_when_downloads_redirect(
    client,
    settings,
    room,
    member,
    second_member,
    confirmed,
    object_storage,
    django_capture_on_commit_callbacks,
):
    # The page's CSP allows images from this site only, so an image is never redirected.
    settings.PROTECTED_FILE_REDIRECT_SECONDS = 30
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile("garden.jpg", jpeg_with_exif(), content_type="image/jpeg")
    reply_with(client, thread, upload, django_capture_on_commit_callbacks)
    attachment = PostAttachment.objects.get()
    PostAttachment.objects.filter(pk=attachment.pk).update(approval=AttachmentApproval.APPROVED)
    client.force_login(second_member)

    response = client.get(f"/forum/attachment/{attachment.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    with Image.open(io.BytesIO(body(response))) as image:
        assert image.size == (40, 30)


def test_document_download_redirects_to_the_bucket_for_readers_only(
    client,
    settings,
    room,
    member,
    second_member,
    confirmed,
    object_storage,
    django_capture_on_commit_callbacks,
):
    settings.PROTECTED_FILE_REDIRECT_SECONDS = 30
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile("rota.csv", b"day,shift\nMonday,early\n", content_type="text/csv")
    reply_with(client, thread, upload, django_capture_on_commit_callbacks)
    attachment = PostAttachment.objects.get()

    client.force_login(second_member)
    response = client.get(f"/forum/attachment/{attachment.pk}/")
    client.logout()
    refused = client.get(f"/forum/attachment/{attachment.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith(f"{object_storage.endpoint}/{object_storage.bucket}/")
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("account_login"))


def test_a_moderator_sees_a_waiting_image_from_the_bucket_never_cached(
    client, room, member, moderator, confirmed, object_storage, django_capture_on_commit_callbacks
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile("garden.jpg", jpeg_with_exif(), content_type="image/jpeg")
    reply_with(client, thread, upload, django_capture_on_commit_callbacks)
    attachment = PostAttachment.objects.get()
    client.force_login(moderator)

    response = client.get(reverse("forum:moderation_image", kwargs={"pk": attachment.pk}))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    content = body(response)
    assert b"Fictional Camera" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (40, 30)
