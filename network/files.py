"""Uploaded documents (library attachments, forum attachments, event slides, datasets):
which types we accept, checked from the bytes, where they are stored, how a download is
answered, and their text.

The type comes from the file's bytes (filetype), never from its name. CSV has no magic
bytes, so it is accepted only when the name says .csv AND the bytes read as UTF-8 text
that parses as CSV. Text is extracted from PDF (pypdf) and Word (python-docx) files in
a Celery task, so that search finds words inside them.
"""

import csv
import logging
import os
import re
import warnings
from typing import NamedTuple

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header
from django_sendfile import sendfile

from network.text import without_direction_controls

logger = logging.getLogger(__name__)

# Detected MIME type -> (extension we store, the kind readers see)
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "application/pdf": ("pdf", "PDF"),
    "application/msword": ("doc", "Word"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "Word"),
    "application/vnd.ms-excel": ("xls", "Excel"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", "Excel"),
    "application/vnd.ms-powerpoint": ("ppt", "PowerPoint"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "pptx",
        "PowerPoint",
    ),
    "application/vnd.oasis.opendocument.text": ("odt", "OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods", "OpenDocument spreadsheet"),
    "application/vnd.oasis.opendocument.presentation": ("odp", "OpenDocument presentation"),
    "image/png": ("png", "PNG image"),
    "image/jpeg": ("jpg", "JPEG image"),
    "image/gif": ("gif", "GIF image"),
    "image/webp": ("webp", "WebP image"),
    "text/csv": ("csv", "CSV"),
}
KIND_BY_EXTENSION = dict(ALLOWED_TYPES.values())
ACCEPTED_DESCRIPTION = (
    "PDF, Word, Excel, PowerPoint, OpenDocument, CSV or an image (PNG, JPEG, GIF, WebP)"
)
# The first bytes are enough for filetype (it reads at most 8 KiB) and for the CSV check.
_SNIFF_BYTES = 64 * 1024
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Search vectors have a size limit; a very long document is indexed by its beginning.
MAX_EXTRACTED_CHARS = 200_000


class ProtectedStorage(FileSystemStorage):
    """The embedded default's "protected" storage: files under SENDFILE_ROOT, outside
    static and media URLs, served only by download views that ask the access policy,
    through django-sendfile2. The location is read from settings on each use so that
    tests (and deployments) can move it."""

    @property
    def base_location(self):
        return settings.SENDFILE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


class _ConfiguredProtectedStorage(LazyObject):
    """STORAGES["protected"], looked up when first used (as Django's default_storage is):
    the local ProtectedStorage on the embedded default, private object storage in
    production. Models name it through a function, so migrations never freeze it."""

    def _setup(self):
        self._wrapped = storages["protected"]


protected_storage: Storage = _ConfiguredProtectedStorage()


def protected_files_discard(names: list[str]) -> None:
    """Delete from protected storage the files nothing names any more (a file replaced,
    its row deleted), once that change is committed: a document withdrawn must not stay
    behind in storage, and a rollback keeps the files."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [protected_storage.delete(name) for name in names])


@receiver(setting_changed)
def _protected_storage_changed(*, setting: str, **kwargs) -> None:
    # Django forgets its own storages when STORAGES changes (tests override it); so do we.
    if setting == "STORAGES":
        protected_storage._wrapped = empty


def _local_path(stored: FieldFile) -> str | None:
    """The file's path when its storage is the local disk; None for object storage."""
    try:
        return stored.storage.path(stored.name)
    except NotImplementedError:
        return None


def protected_file_response(
    request: HttpRequest,
    stored: FieldFile,
    *,
    filename: str,
    content_type: str,
    as_attachment: bool = True,
) -> HttpResponse:
    """Answer a download that the access policy has already allowed.

    On the local disk, django-sendfile2 sends the file (X-Accel-Redirect or X-Sendfile
    when a front server is configured). From object storage, the bytes stream through
    this process, or, when PROTECTED_FILE_REDIRECT_SECONDS is set, a download (never an
    inline image, which the page's CSP would refuse from another origin) is redirected to
    a presigned URL that expires after that many seconds. The bucket itself stays private.

    Raises FileNotFoundError when the stored file is gone.
    """
    path = _local_path(stored)
    if path is not None:
        if not os.path.isfile(path):
            raise FileNotFoundError(stored.name)
        response = sendfile(
            request,
            path,
            attachment=as_attachment,
            attachment_filename=filename,
            mimetype=content_type,
        )
    elif as_attachment and settings.PROTECTED_FILE_REDIRECT_SECONDS:
        if not stored.storage.exists(stored.name):
            raise FileNotFoundError(stored.name)
        url = stored.storage.url(
            stored.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
            },
            expire=settings.PROTECTED_FILE_REDIRECT_SECONDS,
        )
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            stored.storage.open(stored.name, "rb"),
            as_attachment=as_attachment,
            filename=filename,
            content_type=content_type,
        )
    # Whoever may download it now may not later: no shared cache keeps it, and nobody
    # keeps the link to the bucket. The person's own browser revalidates before it shows
    # a copy it kept (a cheap 304 while they still may): with "private" alone it would
    # show, for hours, an image a moderator hid since, since the file's Last-Modified
    # lets a browser guess a lifetime for it.
    redirected = isinstance(response, HttpResponseRedirect)
    response["Cache-Control"] = "private, no-store" if redirected else "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class CheckedFile(NamedTuple):
    content_type: str
    extension: str


def _looks_like_csv(head: bytes) -> bool:
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        # The sample may end inside a multi-byte character; drop the partial tail.
        try:
            text = head[:-3].decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
    if not text.strip() or _TEXT_CONTROL.search(text):
        return False
    lines = text.splitlines()[:50]
    try:
        rows = list(csv.reader(lines))
    except csv.Error:
        return False
    return bool(rows)


def attachment_file_check(uploaded, *, max_bytes: int | None = None) -> CheckedFile:
    """Accept the upload or raise a ValidationError that tells the uploader why."""
    limit = max_bytes if max_bytes is not None else settings.LIBRARY_ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            f"This file is {filesizeformat(uploaded.size)}; files may be at most "
            f"{filesizeformat(limit)}.",
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError("This file is empty.", code="empty")
    uploaded.seek(0)
    head = uploaded.read(_SNIFF_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ALLOWED_TYPES and kind.mime != "text/csv":
        if kind.mime.startswith("image/"):
            image_size_check(uploaded)
        return CheckedFile(kind.mime, ALLOWED_TYPES[kind.mime][0])
    name = (getattr(uploaded, "name", "") or "").lower()
    if kind is None and name.endswith(".csv") and _looks_like_csv(head):
        return CheckedFile("text/csv", "csv")
    found = f" (it looks like {kind.extension.upper()})" if kind is not None else ""
    raise ValidationError(
        f"This type of file cannot be attached{found}. Attach {ACCEPTED_DESCRIPTION}. "
        "The type is read from the file itself, so renaming a file does not change it.",
        code="type",
    )


def image_size_limit_message() -> str:
    side = settings.IMAGE_MAX_SIDE
    return (
        f"Images may be at most {side:,} x {side:,} pixels "
        f"(about {round(side * side / 1_000_000):,} megapixels)"
    )


def image_size_check(uploaded) -> tuple[int, int]:
    """The image's width and height, read from its header; ValidationError when it is
    over IMAGE_MAX_SIDE or cannot be read.

    Pillow's Image.open is lazy: it reads the header, and .size decodes nothing. Open
    refuses outright (DecompressionBombError) an image over twice Pillow's own limit;
    that is a refusal here too, with the same message.
    """
    from PIL import Image, UnidentifiedImageError

    limit = image_size_limit_message()
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(uploaded) as image:
                width, height = image.size
    except Image.DecompressionBombError as error:
        raise ValidationError(
            f"{limit}; this one is far larger. Make it smaller and attach it again.",
            code="image_too_large",
        ) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ValidationError(
            "This image could not be read. Save it again as PNG or JPEG.", code="image"
        ) from error
    finally:
        uploaded.seek(0)
    side = settings.IMAGE_MAX_SIDE
    if width > side or height > side:
        raise ValidationError(
            f"{limit}; this one is {width:,} x {height:,}. Make it smaller and attach it again.",
            code="image_too_large",
        )
    return width, height


def uploaded_name(name: str | None, *, default: str, max_length: int) -> str:
    """The name an uploaded file is shown by: its last path part, without control
    characters or direction controls (U+202E would show "report\u202efdp.exe" as
    "reportexe.pdf")."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = without_direction_controls(_TEXT_CONTROL.sub("", base)).strip()
    return base[:max_length] or default


def safe_filename(name: str, *, extension: str) -> str:
    """A download name without paths or control characters, ending in the real type."""
    base = uploaded_name(name, default="download", max_length=255).strip(".") or "download"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"\s+", " ", stem)[:150].strip() or "download"
    return f"{stem}.{extension}"


def extract_text(source, *, extension: str) -> str:
    """The plain text of a PDF or Word (.docx) file; empty for other types. The source is
    a path or a binary file open for reading (a stored file from any storage)."""
    if extension == "pdf":
        from pypdf import PdfReader

        reader = PdfReader(source)
        parts = []
        for page in reader.pages:
            parts.append(page.extract_text() or "")
            if sum(len(part) for part in parts) > MAX_EXTRACTED_CHARS:
                break
        text = "\n".join(parts)
    elif extension == "docx":
        import docx

        document = docx.Document(source)
        paragraphs = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                paragraphs.append(" ".join(cell.text for cell in row.cells))
        text = "\n".join(paragraphs)
    else:
        return ""
    # PostgreSQL text cannot hold NUL characters.
    return _TEXT_CONTROL.sub(" ", text)[:MAX_EXTRACTED_CHARS].strip()
