"""Activity counted without tracking people: raw events kept briefly, daily counts kept.

A raw `ActivityEvent` names the person only so that "people active in the last 90 days"
can be counted; insight/personal_data.py deletes it after RAW_EVENT_DAYS. The daily
counts (`DailyActivity`, `MemberCount`, `SubscriberCount`) hold no person and are what
the dashboard reads.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from members.models import MemberType, Organisation, Region

# Long enough for the organisation page's "active in the last 90 days" and for the
# rollup to run again over a few missed days.
RAW_EVENT_DAYS = 95


class Kind(models.TextChoices):
    RESOURCE_VIEW = "resource_view", "Resource read"
    RESOURCE_DOWNLOAD = "resource_download", "Resource downloaded"
    LIBRARY_SEARCH_EMPTY = "library_search_empty", "Library search that found nothing"
    FORUM_THREAD = "forum_thread", "Forum thread started"
    FORUM_REPLY = "forum_reply", "Forum reply"
    EVENT_REGISTRATION = "event_registration", "Event registration"
    EVENT_ATTENDANCE = "event_attendance", "Event attended"
    NEWSLETTER_SEND = "newsletter_send", "Newsletter sent"
    SIGN_IN = "sign_in", "Sign-in"


class Source(models.TextChoices):
    PERSONAL = "personal", "Personal subscription"
    SEAT = "seat", "Organisation seat"
    GRANT = "grant", "Staff grant"


class ActivityEvent(models.Model):
    """One thing that happened, flushed from the buffer; deleted after RAW_EVENT_DAYS."""

    # Made when the event is buffered, so a flush that runs twice stores it once.
    uid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Who the person was counted as when the event was flushed.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_type = models.CharField(max_length=20, choices=MemberType.choices, blank=True)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    subject_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The resource, forum room, event or edition."
    )
    term = models.CharField(max_length=200, blank=True, help_text="A search that found nothing.")
    count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["at"]
        indexes = [models.Index(fields=["organisation", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class DailyActivity(models.Model):
    """How many times something happened on one day, in one group (no person named)."""

    day = models.DateField()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    member_type = models.CharField(max_length=20, choices=MemberType.choices, blank=True)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    subject_id = models.PositiveIntegerField(null=True, blank=True)
    term = models.CharField(max_length=200, blank=True)
    count = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0, help_text="Different people that day.")

    class Meta:
        ordering = ["day", "kind"]
        verbose_name_plural = "daily activity"
        indexes = [
            models.Index(fields=["kind", "day"]),
            models.Index(fields=["organisation", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.get_kind_display()} x{self.count}"


class MemberCount(models.Model):
    """Members on one day, by member type, region and how they are members."""

    day = models.DateField()
    member_type = models.CharField(max_length=20, choices=MemberType.choices)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    members = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "member_type", "region", "source"], name="member_count_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.members} {self.member_type} ({self.source})"


class SubscriberCount(models.Model):
    """Newsletter subscribers (confirmed, still subscribed) at the end of one day."""

    day = models.DateField(unique=True)
    subscribers = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.subscribers} subscribers"
