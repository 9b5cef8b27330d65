"""Files attached to posts: checking uploads, storing them, and stripping images' metadata."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from forum import tasks
from forum.models import (
    AttachmentApproval,
    Post,
    PostAttachment,
)
from network.files import attachment_file_check, uploaded_name

# --- Attachments ------------------------------------------------------------------------

logger = logging.getLogger(__name__)


@dataclass
class CheckedUpload:
    uploaded: object
    content_type: str
    extension: str
    is_image: bool


def attachments_check(files: Sequence) -> list[CheckedUpload]:
    """Check uploads like the library does (type from the bytes, size, and for images
    the width and height from the header, decoding nothing). Raises ValidationError
    naming the file."""
    files = [f for f in files if f]
    if len(files) > settings.FORUM_ATTACHMENTS_PER_POST:
        raise ValidationError(
            f"Attach at most {settings.FORUM_ATTACHMENTS_PER_POST} files to one post.",
            code="too_many",
        )
    checked = []
    for uploaded in files:
        try:
            found = attachment_file_check(uploaded, max_bytes=settings.FORUM_ATTACHMENT_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError(
                f"{uploaded.name}: {' '.join(error.messages)}", code="attachment"
            ) from error
        is_image = found.content_type.startswith("image/")
        checked.append(CheckedUpload(uploaded, found.content_type, found.extension, is_image))
    return checked


_PILLOW_FORMATS = {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}


def _image_without_metadata(source, extension: str) -> bytes:
    """The image re-encoded from its pixels: no EXIF (location, camera, time), no
    comments or text chunks; turned upright first, as EXIF orientation said. Decodes the
    whole image, so it runs in a task, on images whose size was checked on upload."""
    from PIL import Image, ImageOps

    with Image.open(source) as image:
        image.load()
        upright = ImageOps.exif_transpose(image)
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        if upright.mode == "P" and upright.getpalette():
            clean.putpalette(upright.getpalette())
    output = BytesIO()
    clean.save(output, format=_PILLOW_FORMATS[extension])
    return output.getvalue()


def attachments_save(post: Post, checked: list[CheckedUpload]) -> bool:
    """Store the files; True when an image waits for a moderator. Images are stored as
    uploaded, unseen, and stripped of their metadata by a task once this commits."""
    waiting = False
    for item in checked:
        attachment = PostAttachment(
            post=post,
            original_filename=uploaded_name(item.uploaded.name, default="file", max_length=200),
            content_type=item.content_type,
            extension=item.extension,
            is_image=item.is_image,
            metadata_stripped=not item.is_image,
            approval=AttachmentApproval.PENDING if item.is_image else AttachmentApproval.APPROVED,
        )
        item.uploaded.seek(0)
        attachment.size_bytes = item.uploaded.size
        attachment.file.save(attachment.original_filename, item.uploaded, save=False)
        attachment.save()
        if item.is_image:
            waiting = True
            tasks.attachment_strip.delay_on_commit(attachment.pk)
    return waiting


def attachment_strip(*, attachment_id: int) -> bool:
    """Replace a stored image by the same pixels without metadata. True when it did so;
    False when there was nothing to do (already stripped, or gone), so a retried or
    repeated task changes nothing. An image that cannot be decoded is rejected and its
    file deleted: nobody could approve what cannot be shown."""
    with transaction.atomic(durable=True):
        attachment = (
            PostAttachment.objects.select_for_update()
            .filter(pk=attachment_id, is_image=True, metadata_stripped=False)
            .first()
        )
        if attachment is None or not attachment.file:
            return False
        original = attachment.file
        try:
            with original.open("rb") as stored:
                content = _image_without_metadata(stored, attachment.extension)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            logger.warning("forum image could not be decoded attachment=%s", attachment.pk)
            attachment.approval = AttachmentApproval.REJECTED
            attachment.metadata_stripped = True
            attachment.save(update_fields=["approval", "metadata_stripped"])
            transaction.on_commit(lambda: original.delete(save=False))
            return False
        old_name = original.name
        attachment.file.save(attachment.original_filename, ContentFile(content), save=False)
        attachment.size_bytes = len(content)
        attachment.metadata_stripped = True
        attachment.save(update_fields=["file", "size_bytes", "metadata_stripped"])
        storage = attachment.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return True
