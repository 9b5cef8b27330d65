"""Moderation: reports, the review queue, the audit log, suspensions and the watch list.

The audit log (ModerationAction) is append-only: save() refuses updates, delete() and
queryset updates/deletes are refused, and on PostgreSQL a trigger refuses UPDATE and
DELETE (migration 0002). It stores hashes of content, never removed text.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from forum.models.posts import HoldReason, Post, Thread
from forum.patterns import PatternError, compile_pattern


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

    @property
    def opened_at(self):
        """When the post came to the moderators as what this item is about: for a reported
        post, its first report. An item opened for an image waiting becomes a reported
        one when a report comes (reports.report_create), perhaps long after it opened.
        Reads the reports the queue prefetched."""
        if self.kind == ReviewKind.REPORTED:
            reported = [report.created_at for report in self.reports.all()]
            if reported:
                return min(reported)
        return self.created_at

    @property
    def edited_since_opened(self) -> bool:
        """Was the post's text changed after it came to the moderators (its author may
        edit for a while)? Then what reporters saw is in its history, not in the text
        shown; an edit before the first report is what they reported."""
        edited_at = self.post.edited_at
        return edited_at is not None and edited_at > self.opened_at


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
    # A safeguarding record: it outlives the reporter's erasure, which keeps their
    # account row as a pseudonymous "former member #N" (never deleted with them).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_reports"
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
            # One open report per member and post (a post has one open queue item); after
            # a decision, a post edited since may be reported again (reports.report_refusal).
            models.UniqueConstraint(
                fields=["review_item", "reporter"], name="report_once_per_member_per_item"
            ),
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
    RETITLE = "retitle", "Changed a thread's title"
    SUSPEND = "suspend", "Suspended a member"
    LIFT_SUSPENSION = "unsuspend", "Lifted a suspension"
    APPROVE_IMAGE = "approve_image", "Approved an image"
    REJECT_IMAGE = "reject_image", "Rejected an image"
    REMOVE_FILE = "remove_file", "Removed an attached file"
    RESOLVE = "resolve", "Resolved a queue item"
    BLOCK = "block", "Blocked a post by the watch list"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit-log entry."""


class ModerationActionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The moderation log is append-only.")

    def delete(self):
        raise AppendOnlyError("The moderation log is append-only.")

    def pseudonymise(self, user) -> int:
        """The one change the log allows: an erased person's name in its labels becomes
        their pseudonym ("Former member #N"). Returns how many entries changed."""
        pseudonym = user.pseudonym
        changed = models.QuerySet.update(
            self.filter(actor_id=user.pk).exclude(actor_label=pseudonym),
            actor_label=pseudonym,
        )
        changed += models.QuerySet.update(
            self.filter(member_id=user.pk, post_id__isnull=True, thread_id__isnull=True).exclude(
                target_label=f"Member {pseudonym} ({user.pk})"
            ),
            target_label=f"Member {pseudonym} ({user.pk})",
        )
        return changed


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

    # A safeguarding record, kept like reports (see Report.reporter).
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_suspensions"
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
