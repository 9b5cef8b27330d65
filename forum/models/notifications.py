"""Notifications on the site and the record of every forum email sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from forum.models.posts import Post, Thread


class NotificationKind(models.TextChoices):
    REPLY = "reply", "New post in a thread you follow"
    NEW_THREAD = "new_thread", "New thread in a category you follow"
    MENTION = "mention", "You were mentioned"
    QUOTE = "quote", "Your post was quoted"
    # A post that names yours by its address without quoting it.
    LINK = "link", "Your post was linked to"
    POST_APPROVED = "approved", "Your post was approved"
    # To a member who reported a post: what the moderators decided about it
    # (forum/moderation/outcomes.py), and a later decision reversing that (reversals.py).
    # The labels are the whole notice, as the download of a person's data shows it.
    REPORT_KEPT = "report_kept", "A post you reported stays up"
    REPORT_HIDDEN = "report_hid", "A post you reported has been hidden"
    REPORT_DELETED = "report_del", "A post you reported was deleted by its author"
    REPORT_SHOWN_AGAIN = "report_shown", "A post you reported is visible again"
    REPORT_HIDDEN_NOW = "report_rehid", "A post you reported has now been hidden"


# The notices to reporters: each tells of one moderators' decision, never who made it.
REPORT_NOTIFICATION_KINDS = frozenset(
    {
        NotificationKind.REPORT_KEPT,
        NotificationKind.REPORT_HIDDEN,
        NotificationKind.REPORT_DELETED,
        NotificationKind.REPORT_SHOWN_AGAIN,
        NotificationKind.REPORT_HIDDEN_NOW,
    }
)
# In the database's constraint, in an order that reads the same in every migration.
_REPORT_KINDS_SORTED = sorted(REPORT_NOTIFICATION_KINDS)


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
    # The log entry of the decision a notice to a reporter tells of; empty for the
    # notices of posts (replies, mentions, quotes, links, approvals).
    decision = models.ForeignKey(
        "forum.ModerationAction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a notice to a member who reported the post: the decision it tells of.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One notification per person and post: a mention in a followed thread is one.
            models.UniqueConstraint(
                fields=["recipient", "post"],
                condition=Q(decision__isnull=True),
                name="notification_once",
            ),
            # A reporter hears once of each decision, however often its task runs; a post
            # decided on again (a reversal) is a second decision, so a second notice.
            models.UniqueConstraint(
                fields=["recipient", "decision"],
                condition=Q(decision__isnull=False),
                name="notification_once_per_decision",
            ),
            # A notice to a reporter names its decision and never whoever made it; the
            # notices of posts name no decision.
            models.CheckConstraint(
                condition=(
                    Q(kind__in=_REPORT_KINDS_SORTED, decision__isnull=False, actor__isnull=True)
                    | (~Q(kind__in=_REPORT_KINDS_SORTED) & Q(decision__isnull=True))
                ),
                name="notification_decision_for_reporters_only",
            ),
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
    QUOTE = "quote", "Quote of your post"
    LINK = "link", "Link to your post"
    DAILY_SUMMARY = "daily", "Daily summary"
    MODERATOR_ALERT = "alert", "Urgent report, to moderators"
    MODERATION_NOTICE = "moderation", "A moderator's decision, to the member it concerns"
    REPORT_OUTCOME = "report", "A decision on a post reversed, to those who reported it"
    REPORT_DECIDED = "decided", "The decision on a reported post, to those who reported it"


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
