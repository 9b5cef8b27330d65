"""The members' forum: categories, threads, posts, what members keep and follow, and
moderation (review queue, audit log, suspensions, the watch list).

Who may read or post where is decided in members/access.py ("Forum" section) from the
audience fields of Category; nothing else reads them to decide access.

Counters and "last post" on Category and Thread are denormalised and kept right by
forum/services.py (and recomputed by `manage.py forum_recount`); they count visible
posts only, so held, hidden and removed posts never show up in counts or listings.

Posts are numbered within their thread (`post_number`, from 1); links, pages and read
state use the number. Read state needs no row per member per post: a pointer per member
and thread (ThreadReadState) plus a "mark all read" time per member and category.

The audit log (ModerationAction) is append-only: save() refuses updates, delete() and
queryset updates/deletes are refused, and on PostgreSQL a trigger refuses UPDATE and
DELETE (migration 0002). It stores hashes of content, never removed text.
"""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from forum.patterns import PatternError, compile_pattern
from network.files import ProtectedStorage, protected_storage


def get_protected_storage() -> ProtectedStorage:
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
    # Denormalised, visible content only (forum/services.py keeps them right).
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
    # Denormalised, visible posts only (forum/services.py keeps them right).
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
    HIDDEN = "hidden", "Hidden by a moderator"
    REMOVED = "removed", "Removed by its author"


class HoldReason(models.TextChoices):
    NEW_MEMBER = "new_member", "A new member's first posts"
    PREMODERATED = "premoderated", "Pre-moderated category"
    WATCH_LIST = "watch_list", "Matches the watch list"


class PostQuerySet(models.QuerySet):
    def visible(self) -> "PostQuerySet":
        return self.filter(state=PostState.VISIBLE)


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
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
            models.Index(fields=["state", "created_at"], name="forum_post_state_idx"),
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


class PostAttachment(models.Model):
    """A document (checked like library attachments) or an image. Images are stripped
    of their metadata by a task (forum.tasks.attachment_strip) and shown only after a
    moderator approves them, which waits for the stripping."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        upload_to=attachment_upload_to, storage=get_protected_storage, max_length=200
    )
    original_filename = models.CharField(max_length=200)
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
        return self.original_filename

    @property
    def kind(self) -> str:
        from network.files import KIND_BY_EXTENSION

        return KIND_BY_EXTENSION.get(self.extension, self.extension.upper())


# --- What each member keeps: read state, follows, preferences, notifications ---------------


class ThreadReadState(models.Model):
    """How far a member has read a thread: the highest post_number they have seen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_read_states"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_post_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="thread_read_state_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.thread_id} to #{self.last_read_post_number}"


class CategoryReadMark(models.Model):
    """'Mark all read' for a category: threads with no activity after this are read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_category_marks"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="read_marks")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="category_read_mark_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.category} up to {self.marked_at:%Y-%m-%d %H:%M}"


class Follow(models.Model):
    """A member follows a thread (automatic when they post) or a whole category.

    A muted thread follow silences a thread that a category follow would otherwise
    bring (the one-click unsubscribe in emails mutes rather than deletes, so posting
    again does not quietly sign the member up again).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_follows"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    is_muted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False, category__isnull=True)
                | Q(thread__isnull=True, category__isnull=False),
                name="follow_thread_or_category",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=Q(thread__isnull=False),
                name="follow_thread_once",
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=Q(category__isnull=False),
                name="follow_category_once",
            ),
        ]
        indexes = [
            # Who to tell about a new post: followers of the thread, of the category.
            models.Index(fields=["thread", "user"], name="forum_follow_thread_idx"),
            models.Index(fields=["category", "user"], name="forum_follow_category_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.thread or self.category}"


class NotifyBy(models.TextChoices):
    EACH_REPLY = "each", "An email for each new post"
    DAILY = "daily", "A daily summary email"
    NONE = "none", "No emails (notifications on the site only)"


class ForumPreference(models.Model):
    """One member's forum settings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_preference"
    )
    notify_by = models.CharField(
        "emails about followed threads and categories",
        max_length=10,
        choices=NotifyBy.choices,
        default=NotifyBy.EACH_REPLY,
    )
    email_mentions = models.BooleanField("email me when someone mentions me", default=True)
    follow_on_post = models.BooleanField("follow threads I post in", default=True)
    # The first post asks the member to confirm they identify no child; when they did.
    child_safety_confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["notify_by"], name="forum_preference_notify_idx")]

    def __str__(self) -> str:
        return f"Forum settings of {self.user}"


class NotificationKind(models.TextChoices):
    REPLY = "reply", "New post in a thread you follow"
    NEW_THREAD = "new_thread", "New thread in a category you follow"
    MENTION = "mention", "You were mentioned"
    QUOTE = "quote", "Your post was quoted"
    POST_APPROVED = "approved", "Your post was approved"


class Notification(models.Model):
    """An on-site notification (the list with an unread count in the header)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_notifications"
    )
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One notification per person and post: a mention in a followed thread is one.
            models.UniqueConstraint(fields=["recipient", "post"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="forum_notification_list_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="forum_notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"


class EmailKind(models.TextChoices):
    REPLY = "reply", "New post in a followed thread"
    NEW_THREAD = "new_thread", "New thread in a followed category"
    MENTION = "mention", "Mention"
    DAILY_SUMMARY = "daily", "Daily summary"
    MODERATOR_ALERT = "alert", "Urgent report, to moderators"


class ForumEmail(models.Model):
    """One email to one person, recorded before it is sent so a retried task or a
    crashed worker never sends it twice (`key` is unique)."""

    key = models.CharField(max_length=120, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_emails"
    )
    kind = models.CharField(max_length=10, choices=EmailKind.choices)
    thread = models.ForeignKey(Thread, on_delete=models.SET_NULL, null=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "kind", "-created_at"], name="forum_email_idx")
        ]

    def __str__(self) -> str:
        return self.key


class Reaction(models.Model):
    class Kind(models.TextChoices):
        HELPFUL = "helpful", "Helpful"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_reactions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HELPFUL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="reaction_once"),
        ]
        indexes = [models.Index(fields=["user", "post"], name="forum_reaction_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} found {self.post} {self.kind}"


class PostBookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_bookmarks"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="post_bookmark_once"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="forum_bookmark_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} kept {self.post}"


# --- Moderation -------------------------------------------------------------------------


class ReportReason(models.TextChoices):
    IDENTIFIES_CHILD = "child", "Could identify a child or young person"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    PERSONAL_DATA = "personal_data", "Personal data about staff or a third party"
    ABUSIVE = "abusive", "Abusive"
    SPAM = "spam", "Spam"
    OTHER = "other", "Something else"


# Reasons that hide the post at once and alert the moderators by email.
URGENT_REPORT_REASONS = frozenset({ReportReason.IDENTIFIES_CHILD, ReportReason.SAFEGUARDING})


class ReviewKind(models.TextChoices):
    HELD = "held", "Held for review"
    REPORTED = "reported", "Reported"
    IMAGE = "image", "Image waiting for approval"  # the post itself is up


class Resolution(models.TextChoices):
    AGREE = "agree", "Agree (action taken)"
    DISAGREE = "disagree", "Disagree (no problem found)"
    IGNORE = "ignore", "Ignore"


# Queue items waiting longer than this are flagged.
REVIEW_OVERDUE_AFTER = timedelta(hours=24)


class ReviewItemQuerySet(models.QuerySet):
    def open(self) -> "ReviewItemQuerySet":
        return self.filter(resolved_at__isnull=True)

    def overdue(self, *, now=None) -> "ReviewItemQuerySet":
        """Waiting for more than 24 hours (flagged in the queue)."""
        now = now or timezone.now()
        return self.open().filter(created_at__lt=now - REVIEW_OVERDUE_AFTER)


class ReviewItem(models.Model):
    """One entry of the moderators' queue: a held post, or a reported post with its
    reports. Ends with a recorded resolution; a post has at most one open item."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="review_items")
    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    hold_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True)
    matched_patterns = models.ManyToManyField(
        "WatchPattern",
        blank=True,
        related_name="review_items",
        help_text="The watch-list patterns the post matched (the queue highlights the text).",
    )
    is_urgent = models.BooleanField(
        default=False, help_text="Reported as identifying a child, or a safeguarding concern."
    )
    report_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["-is_urgent", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"],
                condition=Q(resolved_at__isnull=True),
                name="review_item_open_once_per_post",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                name="review_item_resolved_with_resolution",
            ),
        ]
        indexes = [
            models.Index(
                models.F("is_urgent").desc(),
                "created_at",
                condition=Q(resolved_at__isnull=True),
                name="forum_review_open_idx",
            ),
            models.Index(fields=["-resolved_at"], name="forum_review_resolved_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.post}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.created_at < timezone.now() - REVIEW_OVERDUE_AFTER


class ReviewNote(models.Model):
    """A private moderator note on a queue item."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "created_at"]

    def __str__(self) -> str:
        return f"Note on {self.item_id} by {self.author}"


class Report(models.Model):
    """A member's report of a post. Resolved with the queue item it belongs to."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_reports"
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    details = models.TextField(blank=True, help_text="Required for 'something else'.")
    review_item = models.ForeignKey(
        ReviewItem, on_delete=models.CASCADE, related_name="reports", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="report_once_per_member"),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(details=""), name="report_other_has_details"
            ),
        ]
        indexes = [
            # The per-member daily limit.
            models.Index(fields=["reporter", "-created_at"], name="forum_report_reporter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.post}"

    @property
    def is_urgent(self) -> bool:
        return self.reason in URGENT_REPORT_REASONS


class ModerationActionKind(models.TextChoices):
    APPROVE = "approve", "Approved a held post"
    REJECT = "reject", "Rejected a held post"
    HIDE = "hide", "Hid a post"
    AUTO_HIDE = "auto_hide", "Post hidden automatically after reports"
    RESTORE = "restore", "Restored a post"
    EDIT = "edit", "Edited a post"
    REDACT = "redact", "Redacted a post"
    LOCK = "lock", "Locked a thread"
    UNLOCK = "unlock", "Unlocked a thread"
    PIN = "pin", "Pinned a thread"
    UNPIN = "unpin", "Unpinned a thread"
    MOVE = "move", "Moved a thread"
    MERGE = "merge", "Merged a thread"
    HIDE_THREAD = "hide_thread", "Hid a thread"
    RESTORE_THREAD = "restore_thread", "Restored a thread"
    SUSPEND = "suspend", "Suspended a member"
    LIFT_SUSPENSION = "unsuspend", "Lifted a suspension"
    APPROVE_IMAGE = "approve_image", "Approved an image"
    REJECT_IMAGE = "reject_image", "Rejected an image"
    RESOLVE = "resolve", "Resolved a queue item"
    BLOCK = "block", "Blocked a post by the watch list"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit-log entry."""


class ModerationActionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The moderation log is append-only.")

    def delete(self):
        raise AppendOnlyError("The moderation log is append-only.")


class ModerationAction(models.Model):
    """The append-only audit log of moderation. Targets are kept by id without database
    constraints, so an entry outlives what it is about and is never rewritten by a
    cascade; `target_label` describes the target as it was."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for actions taken automatically (reports, the watch list).",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=ModerationActionKind.choices)
    post = models.ForeignKey(
        Post,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    thread = models.ForeignKey(
        Thread,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member a suspension is about.",
    )
    target_label = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    hash_before = models.CharField(max_length=64, blank=True)
    hash_after = models.CharField(max_length=64, blank=True)
    details = models.JSONField(
        default=dict, blank=True, help_text="Ids and names (e.g. from and to category); no text."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at"], name="forum_audit_time_idx"),
            models.Index(fields=["action", "-created_at"], name="forum_audit_action_idx"),
            models.Index(fields=["actor", "-created_at"], name="forum_audit_actor_idx"),
        ]

    def __str__(self) -> str:
        who = self.actor_label or "automatic"
        return f"{self.created_at:%Y-%m-%d %H:%M} {who}: {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The moderation log is append-only.")

    @property
    def is_automatic(self) -> bool:
        return self.actor_id is None


class SuspensionQuerySet(models.QuerySet):
    def in_force(self, *, now=None) -> "SuspensionQuerySet":
        now = now or timezone.now()
        return self.filter(
            Q(lifted_at__isnull=True),
            Q(starts_at__lte=now),
            Q(until__isnull=True) | Q(until__gt=now),
        )


class Suspension(models.Model):
    """A member may not post (or report, react or edit) until `until` (empty: until a
    moderator lifts it)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_suspensions"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(help_text="Shown to the member.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=models.F("starts_at")),
                name="suspension_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["member", "until"], name="forum_suspension_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} suspended"


class WatchPattern(models.Model):
    """A staff-editable watch-list entry, checked against every new or edited post."""

    class Kind(models.TextChoices):
        WORD = "word", "Word or phrase (whole words, any case)"
        WILDCARD = "wildcard", "Wildcard (* any letters, ? one letter)"
        REGEX = "regex", "Regular expression (any case)"

    class Action(models.TextChoices):
        HOLD = "hold", "Hold for review"
        BLOCK = "block", "Block, with the message below"

    class Check(models.TextChoices):
        NONE = "", "None"
        NHS_NUMBER = "nhs_number", "NHS number (10 digits passing the mod-11 check)"

    name = models.CharField(max_length=100, help_text="What it catches, e.g. 'UK postcode'.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WORD)
    pattern = models.CharField(
        max_length=500,
        help_text="Regular expressions use RE2 syntax, which always runs fast: no lookarounds "
        "or back-references. Use \\b for the edge of a word, or match the surroundings and "
        "name the part that counts, e.g. (?:^|\\D)(?P<hit>\\d{10})(?:\\D|$).",
    )
    extra_check = models.CharField(
        max_length=20,
        choices=Check.choices,
        blank=True,
        help_text="A match counts only if it also passes this check.",
    )
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.HOLD)
    message = models.CharField(
        max_length=300,
        blank=True,
        help_text="Shown to the writer when the action is Block (what to change).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active"], name="forum_watch_active_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            compile_pattern(self.kind, self.pattern)
        except PatternError as error:
            raise ValidationError({"pattern": str(error)}) from error
        if self.action == self.Action.BLOCK and not self.message.strip():
            raise ValidationError({"message": "Say what the writer should change."})
