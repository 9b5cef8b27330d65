"""Subscribers and their consent, newsletters and editions, deliveries and digests.

A Delivery row is the record that one edition went (or will go) to one subscriber: the
database, not the task queue, is the source of truth for what has been sent.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from members.models import MemberType, Region


def new_subscriber_key() -> str:
    """An opaque, unguessable identifier; the signed tokens in links carry it."""
    return secrets.token_urlsafe(18)


class Newsletter(models.Model):
    """A list people can subscribe to; staff define them (the main newsletter, briefings)."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    description = models.TextField(blank=True, help_text="Shown on the sign-up page.")
    restricted_to = models.CharField(
        "only for members of type",
        max_length=20,
        choices=MemberType.choices,
        blank=True,
        help_text="Leave blank for a newsletter anyone may receive.",
    )
    is_active = models.BooleanField(default=True, help_text="Offered on the sign-up pages.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def list_id(self) -> str:
        """RFC 2919 List-Id: a stable name per newsletter."""
        domain = settings.NEWSLETTER_LIST_DOMAIN
        return f"{self.name} <{self.slug}.{domain}>"


class Subscriber(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        SUBSCRIBED = "subscribed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"

    email = models.EmailField(unique=True, help_text="Stored in lower case.")
    name = models.CharField(max_length=150, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsletter_subscriber",
    )
    key = models.CharField(max_length=40, unique=True, default=new_subscriber_key, editable=False)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    newsletters = models.ManyToManyField(Newsletter, blank=True, related_name="subscribers")
    weekly_digest = models.BooleanField(default=False)
    daily_digest = models.BooleanField(default=False)
    topics = models.ManyToManyField(
        "network.Topic", blank=True, related_name="+", help_text="Topics for the digests."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        return self.user.name if self.user_id and self.user else ""


class Consent(models.Model):
    """What a person agreed to (or withdrew), when, how and on which form. Never edited.

    Only the person gives consent. Staff may add someone who asked them to, by hand: that
    is recorded as such, with who added them, and counts for nothing until the person
    confirms from the email it sends them, as everyone does."""

    class Action(models.TextChoices):
        SIGNED_UP = "signed-up", "Signed up (awaiting confirmation)"
        ADDED = "added", "Added by staff at their request (awaiting confirmation)"
        CONFIRMED = "confirmed", "Confirmed by email link"
        ACCOUNT = "account", "Subscribed from their account"
        PREFERENCES = "preferences", "Changed preferences"
        WITHDRAWN = "withdrawn", "Unsubscribed"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents")
    action = models.CharField(max_length=20, choices=Action.choices)
    form = models.CharField(max_length=50, help_text="Which form or link it came from.")
    text = models.TextField(help_text="The words the person agreed to, as shown.")
    choices = models.JSONField(default=dict, help_text="What was chosen at that moment.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member of staff who acted by hand at the person's request: added "
        "them, or stopped every email when they asked never to be emailed again.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subscriber}: {self.get_action_display()} ({self.form})"


class Suppression(models.Model):
    """An address we must never write to again, kept when its subscriber is deleted
    (in the admin, or with the account that owned it): see newsletter/suppressions.py.

    It holds a keyed hash of the address, never the address itself."""

    class Reason(models.TextChoices):
        COMPLAINED = "complained", "Reported our email as spam"
        BOUNCED = "bounced", "Hard bounce (the address does not exist)"
        ASKED = "asked", "Asked not to be emailed"

    address_hash = models.CharField(max_length=64, unique=True, editable=False)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(
        default=timezone.now, help_text="When it was reported, or added by hand."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member of staff who added it by hand, when the person asked them.",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "suppressed address"
        verbose_name_plural = "suppressed addresses"

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.created_at:%Y-%m-%d})"


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    class ArchiveAccess(models.TextChoices):
        PUBLIC = "public", "Everyone"
        MEMBERS = "members", "Members only"

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="editions")
    subject = models.CharField(max_length=200)
    preheader = models.CharField(
        max_length=200, blank=True, help_text="The line mail clients show after the subject."
    )
    introduction = models.TextField(blank=True, help_text="Markdown.")
    introduction_html = models.TextField(blank=True, editable=False)
    archive_access = models.CharField(
        "web archive open to",
        max_length=20,
        choices=ArchiveAccess.choices,
        default=ArchiveAccess.PUBLIC,
    )
    # Audience filters; blank means no filter.
    audience_member_type = models.CharField(
        "only members of type", max_length=20, choices=MemberType.choices, blank=True
    )
    audience_region = models.CharField(
        "only people in region", max_length=20, choices=Region.choices, blank=True
    )
    audience_members_only = models.BooleanField("only current members", default=False)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    # The edition as it is sent, rendered once when sending starts (with recipient tokens).
    rendered_html = models.TextField(blank=True, editable=False)
    rendered_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("newsletter:edition", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)


class Section(models.Model):
    """A block of an edition, in order: free text, featured library resources (each shown
    with its public summary and a link), forum highlights (threads picked by the
    editor, shown with their title, room and a link: never the text of a post), or
    upcoming events (picked, or the next N for the edition's audience)."""

    class Kind(models.TextChoices):
        TEXT = "text", "Free text"
        RESOURCES = "resources", "Featured library resources"
        FORUM = "forum", "Forum highlights"
        EVENTS = "events", "Upcoming events"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEXT)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(
        blank=True, help_text="Markdown: free text, or an introduction to the items below."
    )
    body_html = models.TextField(blank=True, editable=False)
    resources = models.ManyToManyField(
        "practice_library.Resource",
        blank=True,
        related_name="+",
        help_text="For featured library resources: shown with their public summary.",
    )
    threads = models.ManyToManyField(
        "forum.Thread",
        blank=True,
        related_name="+",
        help_text="For forum highlights: shown with their title and room, never post text.",
    )
    events = models.ManyToManyField(
        "events.Event",
        blank=True,
        related_name="+",
        help_text="For upcoming events: the events to show (past ones are left out).",
    )
    events_count = models.PositiveSmallIntegerField(
        "or the next N events",
        default=0,
        help_text="For upcoming events when none are picked: the next N for the edition's "
        "audience (member type and region).",
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class Delivery(models.Model):
    """One edition to one subscriber: the frozen audience, and what became of each copy."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed or suppressed)"
        CANCELLED = "cancelled", "Cancelled"

    FINAL_STATES = (State.SENT, State.FAILED, State.SKIPPED, State.CANCELLED)

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=254, help_text="The address when the audience was frozen.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A claimed row belongs to one chunk (claim) until its lease runs out.
    claim = models.CharField(max_length=32, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text="Retry after (4xx).")
    message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["edition", "subscriber"], name="delivery_once"),
        ]
        indexes = [
            models.Index(fields=["edition", "state", "id"]),
            models.Index(fields=["state", "leased_until"]),
            models.Index(fields=["edition", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.edition_id} to {self.email} ({self.state})"


class DigestPeriod(models.Model):
    """One daily or weekly digest: exists once per (kind, start), whatever beat does."""

    class Kind(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start"], name="digest_period_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} digest, {self.days_text}"

    @property
    def days_text(self) -> str:
        """The days covered, as a reader counts them: the end is the midnight after the
        last day, not a day of the period. "5 December 2026", "23 to 29 November 2026",
        "30 November to 6 December 2026", "28 December 2026 to 3 January 2027"."""
        first = timezone.localtime(self.period_start).date()
        last = timezone.localtime(self.period_end).date() - timedelta(days=1)
        if first >= last:
            return date_format(first, "j F Y")
        if first.year != last.year:
            return f"{date_format(first, 'j F Y')} to {date_format(last, 'j F Y')}"
        if first.month != last.month:
            return f"{date_format(first, 'j F')} to {date_format(last, 'j F Y')}"
        return f"{first.day} to {date_format(last, 'j F Y')}"


class DigestDelivery(models.Model):
    """One digest period to one subscriber: made once, claimed and sent like a Delivery."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        EMPTY = "empty", "Nothing new"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed or suppressed)"

    period = models.ForeignKey(DigestPeriod, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text="Retry after (4xx).")
    message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(fields=["period", "subscriber"], name="digest_once"),
        ]
        indexes = [
            models.Index(fields=["period", "state", "id"]),
            models.Index(fields=["state", "leased_until"], name="digest_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period} to subscriber {self.subscriber_id} ({self.state})"


class LinkClick(models.Model):
    """How many times a link of an edition was followed through the site's redirect.

    The redirect carries the edition and the link, never the recipient: the privacy
    notice promises no tracking pixels and no per-person tracking, and this keeps it.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="link_clicks")
    url = models.URLField(max_length=2000)
    clicks = models.PositiveIntegerField(default=0)
    first_clicked_at = models.DateTimeField(default=timezone.now)
    last_clicked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["edition", "-clicks"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "url"], name="link_click_once_per_url"),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.clicks})"
