"""Categories, threads, posts, their revisions and attachments.

Counters and "last post" on Category and Thread are denormalised and kept right by
forum/services/posting.py (and recomputed by `manage.py forum_recount`); they count visible
posts only, so held, hidden and removed posts never show up in counts or listings.

Posts are numbered within their thread (`post_number`, from 1); links, pages and read
state use the number.
"""

import hashlib
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from network.files import protected_storage


def get_protected_storage() -> Storage:
    # Named in migrations: the storage is looked up when used, not frozen into them.
    return protected_storage


def attachment_upload_to(instance: "PostAttachment", filename: str) -> str:
    """A random name: the original name is kept in the row, never on disk."""
    name = uuid.uuid4().hex
    return f"forum/{name[:2]}/{name}"


def content_hash(text: str | None) -> str:
    """SHA-256 of a post body, for the audit log (which never keeps the text itself)."""
    if text is None:
        return ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- Categories and threads -------------------------------------------------------------


class Category(models.Model):
    """A room of the forum. Staff define who may read and who may post in it."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    description = models.TextField(blank=True, help_text="One or two sentences, plain text.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    # Audience. Members read and post by member type; staff and moderators always read.
    providers_may_read = models.BooleanField(default=True)
    commissioners_may_read = models.BooleanField(default=True)
    policy_may_read = models.BooleanField("policy makers and others may read", default=True)
    providers_may_post = models.BooleanField(default=True)
    commissioners_may_post = models.BooleanField(default=True)
    policy_may_post = models.BooleanField("policy makers and others may post", default=True)
    registered_may_read = models.BooleanField(
        "registered non-members may read",
        default=False,
        help_text="Signed-in people without a membership (and lapsed members) may read, "
        "never post.",
    )
    is_premoderated = models.BooleanField(
        "pre-moderated",
        default=False,
        help_text="Every post waits for a moderator before anyone else sees it.",
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="moderated_forum_categories",
        help_text="Optional: people who moderate this category only (members of the "
        "Moderators group moderate every category).",
    )
    # Denormalised, visible content only (forum/services/publishing.py keeps them right).
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_thread = models.ForeignKey(
        "Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_post_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:category", kwargs={"slug": self.slug})


class ThreadState(models.TextChoices):
    VISIBLE = "visible", "Visible"
    HELD = "held", "Awaiting review"  # its opening post is held
    HIDDEN = "hidden", "Hidden by a moderator"


class ThreadQuerySet(models.QuerySet):
    def listed(self) -> "ThreadQuerySet":
        """Threads a category page lists: visible and not merged into another."""
        return self.filter(state=ThreadState.VISIBLE, merged_into__isnull=True)

    def for_listing(self) -> "ThreadQuerySet":
        return self.select_related("author", "last_post_author", "category")

    def in_listing_order(self) -> "ThreadQuerySet":
        return self.order_by("-is_pinned", "-last_post_at", "-id")


class Thread(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        help_text="Decorative: addresses use the id, so a retitled thread keeps its links.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="forum_threads"
    )
    state = models.CharField(
        max_length=10, choices=ThreadState.choices, default=ThreadState.VISIBLE
    )
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False, help_text="Nobody but moderators may reply.")
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_threads",
        help_text="Set when a moderator merged this thread into another; its address redirects.",
    )
    # Numbering: the highest post_number ever given (held and removed posts included).
    post_number_counter = models.PositiveIntegerField(default=0, editable=False)
    # Denormalised, visible posts only (forum/services/publishing.py keeps them right).
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post_number = models.PositiveIntegerField(
        default=0, editable=False, help_text="The number of the latest visible post."
    )
    last_post_at = models.DateTimeField(default=timezone.now, editable=False)
    last_post_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The title, weight A; kept up to date by services (PostgreSQL only).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-is_pinned", "-last_post_at", "-id"]
        indexes = [
            # The category page: pinned first, then by last activity, visible only.
            models.Index(
                "category",
                models.F("is_pinned").desc(),
                models.F("last_post_at").desc(),
                models.F("id").desc(),
                condition=Q(state="visible", merged_into__isnull=True),
                name="forum_thread_listing_idx",
            ),
            # Digests and "active threads": recent activity across readable categories.
            models.Index(
                fields=["last_post_at"],
                condition=Q(state="visible", merged_into__isnull=True),
                name="forum_thread_active_idx",
            ),
            models.Index(fields=["author", "-created_at"], name="forum_thread_author_idx"),
            models.Index(fields=["state", "category"], name="forum_thread_state_idx"),
        ]
        # The GIN index on search_vector is created by migration 0002 on PostgreSQL only.

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200] or "thread"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("forum:thread", kwargs={"pk": self.pk, "slug": self.slug or "thread"})

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)


# --- Posts --------------------------------------------------------------------------------


class PostState(models.TextChoices):
    VISIBLE = "visible", "Visible"
    HELD = "held", "Awaiting review"
    # By a moderator, or at once by an urgent report (or by enough reports) until one looks.
    HIDDEN = "hidden", "Hidden"
    REMOVED = "removed", "Removed by its author"


class HoldReason(models.TextChoices):
    NEW_MEMBER = "new_member", "A new member's first posts"
    PREMODERATED = "premoderated", "Pre-moderated category"
    WATCH_LIST = "watch_list", "Matches the watch list"
    # Its words were taken down once; a quote must not bring them back unread.
    QUOTES_NOT_SHOWN = (
        "quotes_not_shown",
        "Quotes a post that is hidden, awaiting review or removed",
    )


class PostQuerySet(models.QuerySet):
    def visible(self) -> "PostQuerySet":
        return self.filter(state=PostState.VISIBLE)


class Post(models.Model):
    # No index of its own: post_number_once (thread, post_number) serves every lookup by
    # thread and keeps its posts in order, so "a thread's first matching posts" stop early.
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="posts", db_index=False
    )
    post_number = models.PositiveIntegerField(help_text="1 for the opening post.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="forum_posts"
    )
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    renderer_version = models.PositiveSmallIntegerField(default=0, editable=False)
    state = models.CharField(max_length=10, choices=PostState.choices, default=PostState.VISIBLE)
    hold_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Reports hide a post before anyone has judged it: readers and its author are told it
    # waits for the moderators, not that they hid it, until one of them decides.
    hidden_by_reports = models.BooleanField(
        default=False,
        editable=False,
        help_text="Hidden automatically after reports; no moderator has decided yet.",
    )
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    edit_reason = models.CharField(
        max_length=300, blank=True, help_text="Shown under the post when a moderator edited it."
    )
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    # A random value from the form: a double click posts once (unique per author).
    submission_key = models.UUIDField(null=True, blank=True, editable=False)
    # The body, weight B; kept up to date by services (PostgreSQL only).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["thread", "post_number"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "post_number"], name="post_number_once"),
            models.UniqueConstraint(
                fields=["author", "submission_key"],
                condition=Q(submission_key__isnull=False),
                name="post_submitted_once",
            ),
            models.CheckConstraint(condition=Q(post_number__gte=1), name="post_number_from_one"),
        ]
        indexes = [
            # Rate limits, "a new member's first posts", a member's posts.
            models.Index(fields=["author", "-created_at"], name="forum_post_author_idx"),
            # Digests: new visible posts in a period.
            models.Index(
                fields=["created_at"], condition=Q(state="visible"), name="forum_post_recent_idx"
            ),
            # Digests: posts approved (or restored) in a period, written before it.
            models.Index(
                fields=["state_changed_at"],
                condition=Q(state="visible", state_changed_at__isnull=False),
                name="forum_post_shown_idx",
            ),
            models.Index(fields=["state", "created_at"], name="forum_post_state_idx"),
            # The admin's list of every post, newest first, and its year filter.
            models.Index(fields=["-created_at", "-id"], name="forum_post_newest_idx"),
        ]
        # The GIN index on search_vector is created by migration 0002 on PostgreSQL only.

    def __str__(self) -> str:
        return f"#{self.post_number} in {self.thread_id}"

    def get_absolute_url(self) -> str:
        return reverse(
            "forum:post", kwargs={"thread_pk": self.thread_id, "post_number": self.post_number}
        )

    @property
    def anchor(self) -> str:
        return f"post-{self.post_number}"

    @property
    def is_visible(self) -> bool:
        return self.state == PostState.VISIBLE

    @property
    def state_label(self) -> str:
        """The post's state in words for moderators' pages: hidden by its reports is not
        yet anyone's decision."""
        if self.state == PostState.HIDDEN:
            if self.hidden_by_reports:
                return "Hidden while the moderators look at reports"
            return "Hidden by the moderators"
        return self.get_state_display()


class PostRevision(models.Model):
    """The text of a post before an edit. Visible to moderators; a redaction deletes the
    revisions that held the removed text."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was replaced.")

    class Meta:
        ordering = ["post", "-created_at"]
        indexes = [models.Index(fields=["post", "-created_at"], name="forum_revision_post_idx")]

    def __str__(self) -> str:
        return f"Revision of {self.post} at {self.created_at:%Y-%m-%d %H:%M}"


class AttachmentApproval(models.TextChoices):
    APPROVED = "approved", "Approved"
    PENDING = "pending", "Waiting for a moderator"
    REJECTED = "rejected", "Rejected"
    # Taken down after it was up (a document, or an image once approved): its name is
    # cleared with its file (a name can identify a child), and readers see where it was
    # that the moderators removed a file.
    REMOVED = "removed", "Removed by the moderators"


# The approvals whose file was deleted from storage: nobody opens them again.
FILE_DELETED = frozenset({AttachmentApproval.REJECTED, AttachmentApproval.REMOVED})


class PostAttachment(models.Model):
    """A document (checked like library attachments) or an image. Images are stripped
    of their metadata by a task (forum.tasks.attachment_strip) and shown only after a
    moderator approves them, which waits for the stripping."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        upload_to=attachment_upload_to, storage=get_protected_storage, max_length=200
    )
    original_filename = models.CharField(
        max_length=200,
        blank=True,
        help_text="Empty once the moderators removed the file: a name can identify a child.",
    )
    content_type = models.CharField(max_length=120)
    extension = models.CharField(max_length=10)
    size_bytes = models.PositiveBigIntegerField(default=0)
    is_image = models.BooleanField(default=False)
    metadata_stripped = models.BooleanField(
        default=True,
        help_text="False while an uploaded image still carries its metadata (EXIF "
        "location, camera, time): until then nobody, moderators included, sees it.",
    )
    approval = models.CharField(
        max_length=10, choices=AttachmentApproval.choices, default=AttachmentApproval.APPROVED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["post", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(approval="pending"),
                name="forum_attachment_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.original_filename or f"Removed file ({self.kind})"

    @property
    def kind(self) -> str:
        from network.files import KIND_BY_EXTENSION

        return KIND_BY_EXTENSION.get(self.extension, self.extension.upper())
