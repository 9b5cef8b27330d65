"""The best-practice library: resources, their types, attachments, and what readers keep.

Topics are the shared taxonomy (network.Topic); audiences are the member types
(members.models.MemberType). Who may read what is decided in practice_library/access.py.
What search reads is stored in SearchEntry, one narrow row per live resource, refreshed
by practice_library/services.py, never computed per query.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from members.access import AccessLevel
from members.models import MemberType
from network.files import protected_storage
from network.models import Topic


def get_protected_storage() -> Storage:
    # Named in migrations: the storage is looked up when used, not frozen into them.
    return protected_storage


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    """A random name: the original name is kept in the row, never on disk."""
    name = uuid.uuid4().hex
    return f"library/{name[:2]}/{name}"


class ResourceType(models.Model):
    """Practice guide, case study, research summary...: data that editors maintain."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ResourceQuerySet(models.QuerySet):
    def live(self, *, now=None) -> "ResourceQuerySet":
        """Published and past its publication time: what readers may find."""
        now = now or timezone.now()
        return self.filter(
            status=ResourceStatus.PUBLISHED, published_at__isnull=False, published_at__lte=now
        )

    def public(self) -> "ResourceQuerySet":
        return self.live().filter(access_level=AccessLevel.PUBLIC)

    def for_listing(self) -> "ResourceQuerySet":
        return self.select_related("resource_type")

    def review_due(self, *, today=None) -> "ResourceQuerySet":
        today = today or timezone.localdate()
        return self.exclude(status=ResourceStatus.ARCHIVED).filter(review_due__lte=today)


class Resource(models.Model):
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=120, unique=True, help_text="The end of the page address.")
    resource_type = models.ForeignKey(
        ResourceType, on_delete=models.PROTECT, related_name="resources"
    )
    topics = models.ManyToManyField(Topic, related_name="resources", blank=True)
    access_level = models.CharField(
        max_length=20,
        choices=AccessLevel.choices,
        default=AccessLevel.MEMBERS,
        help_text="Who may read the body and download the files. The summary is always public.",
    )
    status = models.CharField(
        max_length=20, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    publish_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Optional. A future time schedules publication (a task publishes it then); "
        "a past time back-dates it. Empty: published as soon as the status is Published.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the resource went live."
    )
    source = models.CharField(
        "source or author",
        max_length=250,
        blank=True,
        help_text="Who wrote or published it, e.g. 'Network editorial team'.",
    )
    summary = models.TextField(
        help_text="Plain text, two or three sentences. Always public: it is the teaser."
    )
    body = models.TextField(blank=True, help_text="Markdown. Headings start at ##.")
    body_html = models.TextField(blank=True, editable=False)
    body_renderer_version = models.PositiveSmallIntegerField(default=0, editable=False)
    reviewed_on = models.DateField(null=True, blank=True)
    review_due = models.DateField(
        null=True, blank=True, help_text="When the content should next be checked."
    )
    related = models.ManyToManyField("self", blank=True, verbose_name="related resources")
    young_person_version = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="young_person_version_of",
        help_text="The young-person-friendly version of this resource, if there is one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="library_live_idx"),
            models.Index(fields=["resource_type", "published_at"], name="library_type_idx"),
            models.Index(fields=["access_level", "published_at"], name="library_access_idx"),
            models.Index(fields=["review_due"], name="library_review_due_idx"),
            # The admin's list of every resource in the model's order, and its year filter.
            models.Index(fields=["-published_at", "-id"], name="library_newest_idx"),
            models.Index(
                fields=["publish_at"],
                condition=Q(status="published", published_at__isnull=True),
                name="library_scheduled_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practice_library:detail", kwargs={"slug": self.slug})

    @property
    def is_live(self) -> bool:
        return (
            self.status == ResourceStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return self.status == ResourceStatus.PUBLISHED and self.published_at is None

    @property
    def review_overdue(self) -> bool:
        return self.review_due is not None and self.review_due <= timezone.localdate()


class EntryArrayField(ArrayField):
    """An array on PostgreSQL. On SQLite, where search entries stay empty (search reads
    the resources there), plain text, so that the table exists and deletes cascade."""

    def db_type(self, connection):
        if connection.vendor != "postgresql":
            return "text"
        return super().db_type(connection)


class SearchEntry(models.Model):
    """What search reads about one live resource (PostgreSQL only; empty on SQLite).

    Kept apart from Resource and narrow on purpose: a common word matches most of the
    library, and counting facets or ranking then visits every matching row. Here a row
    is the facet values, a small title-and-summary vector for ranking, and a pointer to
    the full document vector (stored out of line), so visiting 100,000 of them reads a
    few megabytes rather than every resource's text. A row exists exactly while its
    resource is published; services.search_entries_refresh keeps it so.
    """

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    published_at = models.DateTimeField()
    year = models.PositiveSmallIntegerField(help_text="Of published_at, in the site's time zone.")
    resource_type = models.ForeignKey(ResourceType, on_delete=models.CASCADE, related_name="+")
    topic_ids = EntryArrayField(models.IntegerField(), default=list)
    audiences = EntryArrayField(models.CharField(max_length=20), default=list)
    # Title (A) and summary (B): small enough to rank every match cheaply.
    ranking = SearchVectorField()
    # Title (A), summary (B), body (C), attachment text (D): what a search matches.
    document = SearchVectorField()

    class Meta:
        indexes = [
            models.Index(fields=["-published_at", "-resource"], name="library_entry_newest_idx"),
            # The newest first within one type or one year: a facet page, or the date-ordered
            # tier of a search with that facet, reads its page straight from these.
            models.Index(
                fields=["resource_type", "-published_at", "-resource"],
                name="library_entry_type_newest_idx",
            ),
            models.Index(
                fields=["year", "-published_at", "-resource"], name="library_entry_year_newest_idx"
            ),
        ]
        # The GIN index on document is created by migration 0003 on PostgreSQL only.

    def __str__(self) -> str:
        return f"Search entry of resource {self.resource_id}"


class ResourceAudience(models.Model):
    """A member type a resource is written for; a resource may serve several."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="audiences")
    audience = models.CharField(max_length=20, choices=MemberType.choices)

    class Meta:
        ordering = ["audience"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "audience"], name="audience_once"),
        ]
        indexes = [models.Index(fields=["audience", "resource"], name="library_audience_idx")]

    def __str__(self) -> str:
        return self.get_audience_display()


class Attachment(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200, blank=True, help_text="Defaults to the file name.")
    file = models.FileField(
        upload_to=attachment_upload_to, storage=get_protected_storage, max_length=200
    )
    original_filename = models.CharField(max_length=200, editable=False)
    content_type = models.CharField(max_length=120, editable=False)
    extension = models.CharField(max_length=10, editable=False)
    size_bytes = models.PositiveBigIntegerField(default=0, editable=False)
    extracted_text = models.TextField(blank=True, editable=False)
    text_extracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    download_count = models.PositiveIntegerField(default=0, editable=False)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title or self.original_filename

    @property
    def label(self) -> str:
        return self.title or self.original_filename

    @property
    def kind(self) -> str:
        """A short name readers know: PDF, Word, Excel..."""
        from network.files import KIND_BY_EXTENSION

        return KIND_BY_EXTENSION.get(self.extension, self.extension.upper())


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_bookmarks"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="bookmark_once"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="library_bookmark_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} - {self.resource}"


class RecentRead(models.Model):
    """The last time a person opened a resource in full, for 'recently read'."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_reads"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-read_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="recent_read_once"),
        ]
        indexes = [models.Index(fields=["user", "-read_at"], name="library_recent_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} read {self.resource}"


class FreeRead(models.Model):
    """A members-only resource opened by a signed-in non-member, once per calendar month."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_free_reads"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the calendar month.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month", "resource"], name="free_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.resource} ({self.month:%B %Y})"


class ResourceDueForReview(Resource):
    """The same rows, listed in the admin as 'Resources due for review'."""

    class Meta:
        proxy = True
        verbose_name = "resource due for review"
        verbose_name_plural = "resources due for review"
