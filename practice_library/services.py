"""Every write the library makes: editing workflow, search index, reads, bookmarks, files.

Entry points called from views and tasks run in `transaction.atomic(durable=True)`. The
helpers the admin calls (it wraps each save in its own transaction) are plain functions.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from network import home_cache
from network.celery import on_commit_once
from network.files import (
    attachment_file_check,
    extract_text,
    uploaded_name,
)
from network.markup import MARKUP_RENDERER_VERSION, render_markdown
from practice_library import access
from practice_library.models import (
    Attachment,
    Bookmark,
    FreeRead,
    RecentRead,
    Resource,
    ResourceAudience,
    ResourceStatus,
)

logger = logging.getLogger(__name__)

# --- Editing workflow ------------------------------------------------------------------


def resource_prepare(*, resource: Resource, now: datetime | None = None) -> Resource:
    """Before saving an edited resource: render its body and work out its publication.

    Published with no time or a past time: live now (or back-dated). Published with a
    future time: scheduled, and resources_publish_scheduled puts it live then.
    """
    now = now or timezone.now()
    resource.body_html = render_markdown(resource.body, user_content=False)
    resource.body_renderer_version = MARKUP_RENDERER_VERSION
    if resource.status == ResourceStatus.PUBLISHED:
        if resource.publish_at and resource.publish_at > now:
            resource.published_at = None
        elif resource.published_at is None:
            resource.published_at = resource.publish_at or now
    return resource


def resource_audiences_set(*, resource: Resource, audiences: list[str]) -> None:
    wanted = set(audiences)
    ResourceAudience.objects.filter(resource=resource).exclude(audience__in=wanted).delete()
    ResourceAudience.objects.bulk_create(
        [ResourceAudience(resource=resource, audience=audience) for audience in sorted(wanted)],
        ignore_conflicts=True,
    )


# The adjacent word pairs of a document vector ("care plan"), from its positions: the
# search document holds them as lexemes of their own, so that a quoted phrase is found
# through the GIN index (see search.postgres.PostgresEngine._where_match). Created by migrations.
SEARCH_WORD_PAIRS_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION library_word_pairs(tsvector) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}')
    FROM (SELECT lexeme, unnest(positions) AS position FROM unnest($1)) a
    JOIN (SELECT lexeme, unnest(positions) AS position FROM unnest($1)) b
        ON b.position = a.position + 1
$$
"""

# One statement builds (or removes) the search entries of a set of resources, so that
# one resource saved in the admin and 100,000 loaded by bench/library.py go the same way.
# Weights: title A, summary B, body C, attachment text D; the ranking vector is the title
# and summary only; the document also holds its word pairs. Body Markdown is indexed as
# written: its punctuation is not a word.
SEARCH_ENTRIES_UPSERT_SQL = """
INSERT INTO practice_library_searchentry
    (resource_id, published_at, year, resource_type_id, topic_ids, audiences, ranking, document)
SELECT r.id, r.published_at,
    extract(year FROM r.published_at AT TIME ZONE %(tz)s)::smallint,
    r.resource_type_id,
    coalesce((SELECT array_agg(t.topic_id ORDER BY t.topic_id)
              FROM practice_library_resource_topics t WHERE t.resource_id = r.id), '{}'),
    coalesce((SELECT array_agg(a.audience ORDER BY a.audience)
              FROM practice_library_resourceaudience a WHERE a.resource_id = r.id), '{}'),
    setweight(to_tsvector('english', r.title), 'A')
        || setweight(to_tsvector('english', r.summary), 'B'),
    words.vector || array_to_tsvector(library_word_pairs(words.vector))
FROM practice_library_resource r
CROSS JOIN LATERAL (
    SELECT setweight(to_tsvector('english', r.title), 'A')
        || setweight(to_tsvector('english', r.summary), 'B')
        || setweight(to_tsvector('english', r.body), 'C')
        || setweight(to_tsvector('english', coalesce(
            (SELECT string_agg(x.extracted_text, E'\\n' ORDER BY x.id)
             FROM practice_library_attachment x WHERE x.resource_id = r.id), '')), 'D')
        AS vector
) words
WHERE r.id = ANY(%(ids)s) AND r.status = 'published' AND r.published_at IS NOT NULL
ON CONFLICT (resource_id) DO UPDATE SET
    published_at = EXCLUDED.published_at, year = EXCLUDED.year,
    resource_type_id = EXCLUDED.resource_type_id, topic_ids = EXCLUDED.topic_ids,
    audiences = EXCLUDED.audiences, ranking = EXCLUDED.ranking, document = EXCLUDED.document
"""
SEARCH_ENTRIES_DELETE_SQL = """
DELETE FROM practice_library_searchentry e USING practice_library_resource r
WHERE e.resource_id = r.id AND r.id = ANY(%(ids)s)
    AND NOT (r.status = 'published' AND r.published_at IS NOT NULL)
"""


def search_entries_refresh(*, resource_ids: list[int]) -> None:
    """Bring the search entries of these resources up to date with their rows: built
    from the title, summary, body, file text, type, topics and audiences while published,
    removed otherwise. Cached search results are dropped (search.library_changed).

    On SQLite (no full-text search) there is nothing to store: search there reads the
    resource columns directly.
    """
    from practice_library.search import library_changed

    if settings.USING_POSTGRES and resource_ids:
        params = {"ids": list(resource_ids), "tz": settings.TIME_ZONE}
        with connection.cursor() as cursor:
            cursor.execute(SEARCH_ENTRIES_DELETE_SQL, params)
            cursor.execute(SEARCH_ENTRIES_UPSERT_SQL, params)
    # Now, for this transaction's own later reads; and again after commit, because another
    # process may have cached what it saw before this transaction committed.
    # A bulk change refreshes many resources in one transaction: forget and warm once.
    library_changed()
    on_commit_once(library_changed)
    from practice_library.tasks import library_search_warm

    library_search_warm.delay_once_on_commit()


def resource_reindex(*, resource_id: int) -> None:
    """Refresh what search knows about one resource (after an edit or a new file)."""
    search_entries_refresh(resource_ids=[resource_id])


def resources_publish(*, resource_ids: list[int], now: datetime | None = None) -> int:
    """Publish the given resources now, or at their scheduled time if it is in the future."""
    now = now or timezone.now()
    changed = []
    for resource in Resource.objects.filter(pk__in=resource_ids).exclude(
        status=ResourceStatus.PUBLISHED
    ):
        resource.status = ResourceStatus.PUBLISHED
        if resource.publish_at and resource.publish_at > now:
            resource.published_at = None
        else:
            resource.published_at = resource.published_at or resource.publish_at or now
        resource.save(update_fields=["status", "published_at", "updated_at"])
        changed.append(resource.pk)
    search_entries_refresh(resource_ids=changed)
    return len(changed)


def resources_archive(*, resource_ids: list[int]) -> int:
    count = Resource.objects.filter(pk__in=resource_ids).update(
        status=ResourceStatus.ARCHIVED, updated_at=timezone.now()
    )
    search_entries_refresh(resource_ids=resource_ids)
    _visitors_home_page_changed()
    return count


def _visitors_home_page_changed() -> None:
    """The visitors' home page lists the latest live resources. A bulk update() sends no
    post_save, which is what drops the kept page otherwise (network/home_cache.py): drop it
    here, now and again after commit, since another request may keep what it saw before."""
    home_cache.forget()
    on_commit_once(home_cache.forget)


def resources_set_review_due(*, resource_ids: list[int], review_due: date) -> int:
    return Resource.objects.filter(pk__in=resource_ids).update(
        review_due=review_due, updated_at=timezone.now()
    )


def resources_publish_scheduled(*, now: datetime | None = None) -> int:
    """Put live the published resources whose scheduled time has come (beat task)."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        due = Resource.objects.select_for_update(skip_locked=True).filter(
            status=ResourceStatus.PUBLISHED, published_at__isnull=True, publish_at__lte=now
        )
        ids = list(due.values_list("pk", flat=True))
        Resource.objects.filter(pk__in=ids).update(published_at=F("publish_at"), updated_at=now)
        search_entries_refresh(resource_ids=ids)
        if ids:
            _visitors_home_page_changed()
    if ids:
        logger.info("library resources published on schedule ids=%s", ids)
    return len(ids)


# --- Attachments -----------------------------------------------------------------------


def attachment_prepare(*, attachment: Attachment, uploaded: UploadedFile) -> Attachment:
    """Check a newly uploaded file from its bytes and fill in what we know about it.

    Raises ValidationError with a message for the editor when the file is refused.
    """
    checked = attachment_file_check(uploaded)
    attachment.content_type = checked.content_type
    attachment.extension = checked.extension
    attachment.size_bytes = uploaded.size
    attachment.original_filename = uploaded_name(uploaded.name, default="download", max_length=200)
    attachment.extracted_text = ""
    attachment.text_extracted_at = None
    return attachment


def attachment_file_stored(*, attachment_id: int) -> None:
    """A file was stored for this attachment (checked by attachment_prepare when the
    editor's form was cleaned): its text is extracted once the row is committed."""
    from practice_library.tasks import attachment_extract_text_task

    attachment_extract_text_task.delay_on_commit(attachment_id)


def attachment_add(
    *, resource: Resource, uploaded: UploadedFile, title: str = "", order: int = 0
) -> Attachment:
    """Attach a file to a resource from code (an event's slides becoming a library
    resource): checked and stored as the editors' form does, then the same
    attachment_file_stored step the admin takes."""
    attachment = Attachment(resource=resource, title=title, order=order)
    attachment_prepare(attachment=attachment, uploaded=uploaded)
    attachment.file.save(uploaded.name or "download", uploaded, save=False)
    attachment.save()
    attachment_file_stored(attachment_id=attachment.pk)
    return attachment


def attachment_extract_text(*, attachment_id: int) -> None:
    """Read the text of a PDF or Word attachment into the search index (Celery task)."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return
    try:
        with attachment.file.open("rb") as stored:
            text = extract_text(stored, extension=attachment.extension)
    except FileNotFoundError:
        logger.error(
            "library attachment file missing from storage attachment=%s resource=%s path=%s",
            attachment.pk,
            attachment.resource_id,
            attachment.file.name,
        )
        return
    except Exception:
        logger.exception("library attachment text extraction failed attachment=%s", attachment.pk)
        text = ""
    with transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).update(
            extracted_text=text, text_extracted_at=timezone.now()
        )
        resource_reindex(resource_id=attachment.resource_id)


def attachment_count_download(*, attachment_id: int) -> None:
    Attachment.objects.filter(pk=attachment_id).update(download_count=F("download_count") + 1)


# --- Reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What the library decided about one person opening one resource."""

    allowed: bool
    used_free_read: bool = False  # this resource is open thanks to a free read this month
    free_reads_left: int | None = None  # for signed-in non-members; None when not counted
    free_reads_per_month: int = 0


def month_start(today: date | None = None) -> date:
    return (today or timezone.localdate()).replace(day=1)


def free_reads_status(*, user, resource: Resource | None = None) -> tuple[int, bool]:
    """(free reads left this month, whether `resource` was already opened with one)."""
    if not user.is_authenticated:
        return 0, False
    opened = set(
        FreeRead.objects.filter(user=user, month=month_start()).values_list(
            "resource_id", flat=True
        )
    )
    left = max(settings.LIBRARY_FREE_READS_PER_MONTH - len(opened), 0)
    return left, resource is not None and resource.pk in opened


def resource_open(*, user, resource: Resource) -> Reading:
    """Decide whether `user` may read `resource` now, and record the read if so.

    A signed-in non-member opening a members-only resource spends one free read, once per
    resource per calendar month. Members' reads are kept for 'recently read'.
    """
    with transaction.atomic(durable=True):
        return _resource_open(user=user, resource=resource)


def _resource_open(*, user, resource: Resource) -> Reading:
    per_month = settings.LIBRARY_FREE_READS_PER_MONTH
    if not access.uses_free_read(user, resource):
        allowed = access.can_read_resource(user, resource, free_reads_left=0)
        if allowed and user.is_authenticated:
            _remember_read(user=user, resource=resource)
        return Reading(allowed=allowed, free_reads_per_month=per_month)

    # The person's row is the lock: resources opened at the same moment (tabs, a script)
    # would otherwise each count the reads spent before any of them was recorded, and
    # every one of them would open.
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    left, already = free_reads_status(user=user, resource=resource)
    allowed = access.can_read_resource(
        user, resource, free_reads_left=left, already_read_this_month=already
    )
    if not allowed:
        return Reading(allowed=False, free_reads_left=left, free_reads_per_month=per_month)
    if not already:
        try:
            with transaction.atomic():
                FreeRead.objects.create(user=user, resource=resource, month=month_start())
            left -= 1
        except IntegrityError:
            pass  # the same person opened it twice at once: it counts once
    _remember_read(user=user, resource=resource)
    return Reading(
        allowed=True, used_free_read=True, free_reads_left=left, free_reads_per_month=per_month
    )


def _remember_read(*, user, resource: Resource) -> None:
    RecentRead.objects.update_or_create(
        user=user, resource=resource, defaults={"read_at": timezone.now()}
    )


# --- My library ------------------------------------------------------------------------


def bookmark_add(*, user, resource: Resource) -> Bookmark:
    with transaction.atomic(durable=True):
        bookmark, _ = Bookmark.objects.get_or_create(user=user, resource=resource)
    return bookmark


def bookmark_remove(*, user, resource: Resource) -> None:
    with transaction.atomic(durable=True):
        Bookmark.objects.filter(user=user, resource=resource).delete()
