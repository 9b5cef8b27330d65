"""Files attached to posts: checking uploads, storing them, keeping them for a post not
written yet, and stripping images' metadata."""

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
    DraftAttachment,
    Post,
    PostAttachment,
)
from network.files import attachment_file_check, protected_files_discard, uploaded_name

# --- Attachments ------------------------------------------------------------------------

logger = logging.getLogger(__name__)


@dataclass
class CheckedUpload:
    uploaded: object
    content_type: str
    extension: str
    is_image: bool


def _too_many(already: int) -> ValidationError:
    limit = settings.FORUM_ATTACHMENTS_PER_POST
    attached = f" ({already} attached already)" if already else ""
    return ValidationError(f"Attach at most {limit} files to one post{attached}.", code="too_many")


def _check_one(uploaded) -> CheckedUpload:
    try:
        found = attachment_file_check(uploaded, max_bytes=settings.FORUM_ATTACHMENT_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError(
            f"{uploaded.name}: {' '.join(error.messages)}", code="attachment"
        ) from error
    is_image = found.content_type.startswith("image/")
    return CheckedUpload(uploaded, found.content_type, found.extension, is_image)


def attachments_check(files: Sequence, *, already: int = 0) -> list[CheckedUpload]:
    """Check uploads like the library does (type from the bytes, size, and for images
    the width and height from the header, decoding nothing). `already` files kept for
    the same post count towards its limit. Raises ValidationError naming the file."""
    files = [f for f in files if f]
    if already + len(files) > settings.FORUM_ATTACHMENTS_PER_POST:
        raise _too_many(already)
    return [_check_one(uploaded) for uploaded in files]


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


# --- Files kept for a post not written yet ---------------------------------------------------

KEPT_GONE_MESSAGE = (
    "A file you attached earlier is no longer kept (files wait a day for their post, and "
    "only for your latest posts): choose it again."
)


@dataclass
class Kept:
    """What drafts_keep did: the files now kept for the post, in the order chosen; those
    it stored just now; the name of one taken off; and the refusals, each naming its file."""

    files: list[DraftAttachment]
    added: list[DraftAttachment]
    removed: str
    errors: list[ValidationError]


def drafts_of(*, owner, ids: Sequence[int]) -> list[DraftAttachment]:
    """The files `owner` kept among `ids`. Another member's file is never among them,
    whatever id is sent: a kept file is its uploader's alone."""
    if not ids:
        return []
    return list(DraftAttachment.objects.filter(owner=owner, pk__in=ids).order_by("pk"))


def drafts_check(*, owner, ids: Sequence[int]) -> list[DraftAttachment]:
    """The kept files a post is about to take; ValidationError when one of them is not
    (or no longer) `owner`'s, rather than a post written without a file they expect."""
    ids = list(dict.fromkeys(ids))
    kept = drafts_of(owner=owner, ids=ids)
    if len(kept) < len(ids):
        raise ValidationError(KEPT_GONE_MESSAGE, code="kept_gone")
    return kept


def _draft_store(owner, item: CheckedUpload) -> DraftAttachment:
    draft = DraftAttachment(
        owner=owner,
        original_filename=uploaded_name(item.uploaded.name, default="file", max_length=200),
        content_type=item.content_type,
        extension=item.extension,
        is_image=item.is_image,
        size_bytes=item.uploaded.size,
    )
    item.uploaded.seek(0)
    draft.file.save(draft.original_filename, item.uploaded, save=False)
    draft.save()
    return draft


def drafts_keep(
    *, owner, files: Sequence, kept_ids: Sequence[int], remove: int | None = None
) -> Kept:
    """For a thread or reply form that was sent: keep the files just chosen for
    `owner`, so that whatever comes back (a preview, a refusal) lists them rather than
    asking for them again. Each goes through the checks posting makes, and the post's
    limit counts the files kept before; a refused file is named in the errors and not
    kept. `remove` is a kept file the member took off: deleted, with its stored file."""
    ids = list(dict.fromkeys(kept_ids))
    removed = ""
    if remove is not None and remove in ids:
        ids.remove(remove)
        removed = drafts_discard(owner=owner, ids=[remove])
    kept = drafts_of(owner=owner, ids=ids)
    errors = []
    if len(kept) < len(ids):
        errors.append(ValidationError(KEPT_GONE_MESSAGE, code="kept_gone"))
    files = [f for f in files if f]
    if len(kept) + len(files) > settings.FORUM_ATTACHMENTS_PER_POST:
        return Kept(kept, [], removed, [*errors, _too_many(len(kept))])
    added = []
    for uploaded in files:
        try:
            added.append(_draft_store(owner, _check_one(uploaded)))
        except ValidationError as error:
            errors.append(error)
    if added:
        _drafts_let_go_beyond_limit(owner=owner, keeping=[d.pk for d in kept + added])
    return Kept(kept + added, added, removed, errors)


def _drafts_let_go_beyond_limit(*, owner, keeping: list[int]) -> None:
    """Let go of `owner`'s oldest kept files beyond FORUM_KEPT_FILES_PER_MEMBER, never
    those of the form just sent (`keeping`). Every preview or refusal keeps the files
    chosen, and a form sent again without its kept ids chooses new ones: without a limit,
    one member could fill the disk (or the bucket) with files no post will take. A form
    left open elsewhere whose file was let go names it when sent (KEPT_GONE_MESSAGE)."""
    room = max(settings.FORUM_KEPT_FILES_PER_MEMBER - len(keeping), 0)
    older = (
        DraftAttachment.objects.filter(owner=owner)
        .exclude(pk__in=keeping)
        .order_by("-pk")
        .values_list("pk", flat=True)[room:]
    )
    beyond = list(older)
    if beyond:
        drafts_discard(owner=owner, ids=beyond)


def drafts_discard(*, owner, ids: Sequence[int]) -> str:
    """Delete `owner`'s kept files among `ids`, and their stored files once that is
    committed. Returns the name of the (last) one deleted, or "" when none was."""
    with transaction.atomic():
        drafts = list(DraftAttachment.objects.select_for_update().filter(owner=owner, pk__in=ids))
        DraftAttachment.objects.filter(pk__in=[d.pk for d in drafts]).delete()
        protected_files_discard([d.file.name for d in drafts])
    return drafts[-1].original_filename if drafts else ""


def drafts_attach(post: Post, kept: Sequence[DraftAttachment]) -> bool:
    """Inside the transaction that writes `post`: its author's kept files become its
    attachments, the stored files moving over as they are (they were checked when
    chosen). True when an image waits for a moderator. The rows are locked, so a file is
    attached once however many submissions race; one gone since raises ValidationError."""
    if not kept:
        return False
    drafts = list(
        DraftAttachment.objects.select_for_update()
        .filter(owner_id=post.author_id, pk__in=[d.pk for d in kept])
        .order_by("pk")
    )
    if len(drafts) < len(kept):
        raise ValidationError(KEPT_GONE_MESSAGE, code="kept_gone")
    waiting = False
    for draft in drafts:
        attachment = PostAttachment.objects.create(
            post=post,
            file=draft.file.name,
            original_filename=draft.original_filename,
            content_type=draft.content_type,
            extension=draft.extension,
            size_bytes=draft.size_bytes,
            is_image=draft.is_image,
            metadata_stripped=not draft.is_image,
            approval=AttachmentApproval.PENDING if draft.is_image else AttachmentApproval.APPROVED,
        )
        if draft.is_image:
            waiting = True
            tasks.attachment_strip.delay_on_commit(attachment.pk)
    DraftAttachment.objects.filter(pk__in=[d.pk for d in drafts]).delete()
    return waiting


def drafts_purge(rows) -> int:
    """Delete kept files never attached (forum/personal_data.py RETENTION). Row by row,
    each locked first: one attached by a post at that moment stays that post's."""
    deleted = 0
    # The ids first: a cursor left open over rows being deleted is no friend of SQLite.
    for pk in list(rows.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            draft = DraftAttachment.objects.select_for_update().filter(pk=pk).first()
            if draft is None:
                continue
            draft.delete()
            protected_files_discard([draft.file.name])
        deleted += 1
    return deleted


# --- Images' metadata -------------------------------------------------------------------


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
