"""What each member keeps: read state, follows, preferences, reactions and bookmarks.

Read state needs no row per member per post: a pointer per member and thread
(ThreadReadState) plus a "mark all read" time per member and category.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from forum.models.posts import Category, Post, Thread


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
