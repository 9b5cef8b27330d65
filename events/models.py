"""Events and webinars: the sessions, their speakers, who registered, and what we emailed.

Times are stored in UTC (USE_TZ) and shown in Europe/London with the zone said (GMT or
BST). Who may see or register for an event, see its joining link or recording, or
download a certificate is decided in events/access.py, built on members/access.py.

Places: a confirmed registration (or one holding a waiting-list offer) has a numbered
`place` from 1 to the capacity, unique per event in the database, so that two people
taking the last place at the same moment cannot both get it (as seats do).
"""

import re
import secrets
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from members.models import MemberType, Region
from network.files import protected_storage
from network.models import Topic

ONLINE = "online"
# A UK postcode ("SE1 0ZZ"), which may follow the town on an address's last line.
UK_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"
REGION_CHOICES = [*Region.choices, (ONLINE, "Online")]


def get_protected_storage() -> Storage:
    # Named in migrations: the storage is looked up when used, not frozen into them.
    return protected_storage


def slides_upload_to(instance: "Event", filename: str) -> str:
    """A random name: the original name is kept in the row, never on disk."""
    name = uuid.uuid4().hex
    return f"events/{name[:2]}/{name}"


def new_registration_key() -> str:
    """An opaque, unguessable identifier carried by the signed links in emails."""
    return secrets.token_urlsafe(18)


class EventFormat(models.TextChoices):
    WEBINAR = "webinar", "Webinar"
    IN_PERSON = "in-person", "In person"
    HYBRID = "hybrid", "Hybrid"


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"
    FINISHED = "finished", "Finished"


class Eligibility(models.TextChoices):
    """Who may register (and, afterwards, see the recording and slides)."""

    OPEN = "open", "Open to all"
    REGISTERED = "registered", "Registered people"
    MEMBERS = "members", "Members only"
    MEMBER_TYPE = "member-type", "Members of one type"


class EventQuerySet(models.QuerySet):
    def listed(self) -> "EventQuerySet":
        """What visitors may find: published, finished and cancelled events, not drafts."""
        return self.exclude(status=EventStatus.DRAFT)

    def upcoming(self, *, now=None) -> "EventQuerySet":
        now = now or timezone.now()
        return self.filter(ends_at__gte=now).order_by("starts_at", "pk")

    def past(self, *, now=None) -> "EventQuerySet":
        now = now or timezone.now()
        return self.filter(ends_at__lt=now).order_by("-starts_at", "-pk")

    def for_audience(self, member_type: str) -> "EventQuerySet":
        return self.filter(**{AUDIENCE_FIELD[member_type]: True})


AUDIENCE_FIELD = {
    MemberType.PROVIDER: "for_providers",
    MemberType.COMMISSIONER: "for_commissioners",
    MemberType.POLICY: "for_policy",
}


# Member types as audiences, in the plural ("for providers").
AUDIENCE_LABELS = {
    MemberType.PROVIDER: "Providers",
    MemberType.COMMISSIONER: "Commissioners",
    MemberType.POLICY: "Policy makers and others",
}


class Event(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True, help_text="The end of the page address.")
    status = models.CharField(
        max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    format = models.CharField(max_length=20, choices=EventFormat.choices)
    summary = models.TextField(help_text="Plain text, two or three sentences, shown in listings.")
    description = models.TextField(
        blank=True, help_text="Markdown: the programme and details. Headings start at ###."
    )
    description_html = models.TextField(blank=True, editable=False)
    description_renderer_version = models.PositiveSmallIntegerField(default=0, editable=False)
    starts_at = models.DateTimeField(help_text="UK time (the admin shows and takes UK time).")
    ends_at = models.DateTimeField()
    region = models.CharField(
        max_length=20,
        choices=REGION_CHOICES,
        default=ONLINE,
        help_text="Where it happens: one of the nine regions, or online.",
    )
    venue = models.CharField(max_length=200, blank=True, help_text="The venue's name.")
    address = models.TextField(blank=True)
    travel_notes = models.TextField(
        blank=True, help_text="Getting there: public transport, parking, step-free access."
    )
    online_link = models.URLField(
        "joining link",
        max_length=500,
        blank=True,
        help_text="For webinars and hybrid events: shown only to registered people, from "
        "EVENTS_JOINING_LINK_MINUTES before the start.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="events")
    for_providers = models.BooleanField("for providers", default=True)
    for_commissioners = models.BooleanField("for commissioners", default=True)
    for_policy = models.BooleanField("for policy makers and others", default=True)
    eligibility = models.CharField(
        "who may register",
        max_length=20,
        choices=Eligibility.choices,
        default=Eligibility.REGISTERED,
        help_text="Everyone needs an account to register. Afterwards the same people see "
        "the recording and slides.",
    )
    member_type = models.CharField(
        "member type",
        max_length=20,
        choices=MemberType.choices,
        blank=True,
        help_text="For 'Members of one type': which type.",
    )
    capacity = models.PositiveIntegerField(help_text="Places available.")
    registration_opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: registration opens when the event is published."
    )
    registration_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: registration closes when the event starts."
    )
    cpd_hours = models.DecimalField(
        "CPD hours",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="On certificates. Empty: the length of the event, to the half hour.",
    )
    sequence = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="The calendar entry's SEQUENCE: raised on each change of time or place.",
    )
    recording_url = models.URLField(
        "recording", max_length=500, blank=True, help_text="Where the recording can be watched."
    )
    slides = models.FileField(
        upload_to=slides_upload_to,
        storage=get_protected_storage,
        max_length=200,
        blank=True,
        help_text="PDF or PowerPoint; served only to people allowed to see the recording.",
    )
    slides_filename = models.CharField(max_length=200, blank=True, editable=False)
    slides_extension = models.CharField(max_length=10, blank=True, editable=False)
    slides_content_type = models.CharField(max_length=120, blank=True, editable=False)
    resource = models.OneToOneField(
        "practice_library.Resource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_event",
        help_text="The library resource made from the recording (webinar or recording).",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_has_a_place"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def is_online(self) -> bool:
        return self.format in (EventFormat.WEBINAR, EventFormat.HYBRID)

    @property
    def has_venue(self) -> bool:
        return self.format in (EventFormat.IN_PERSON, EventFormat.HYBRID)

    @property
    def region_beyond_address(self) -> str:
        """The region, to show under the address, or "" when a line of the address
        is its name already ("London", "London SE1 0ZZ"): a place said once."""
        region = self.get_region_display()
        town_line = re.compile(rf"{re.escape(region)},?(\s+{UK_POSTCODE})?", re.IGNORECASE)
        if any(town_line.fullmatch(line.strip()) for line in self.address.splitlines()):
            return ""
        return region

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def hours(self) -> Decimal:
        """CPD hours: as set, else the length rounded to the nearest half hour."""
        if self.cpd_hours is not None:
            return self.cpd_hours
        halves = round(self.duration.total_seconds() / 1800)
        return Decimal(halves) / 2

    @property
    def closes_at(self):
        return self.registration_closes_at or self.starts_at

    @property
    def audiences(self) -> list[str]:
        return [
            AUDIENCE_LABELS[value]
            for value in MemberType.values
            if getattr(self, AUDIENCE_FIELD[value])
        ]


class Speaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=150)
    role = models.CharField(
        max_length=200, blank=True, help_text="Job title and organisation, as they want it shown."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITING = "waiting", "On the waiting list"
    OFFERED = "offered", "Offered a freed place"
    CANCELLED = "cancelled", "Cancelled"
    OFFER_EXPIRED = "offer-expired", "Offer expired"


HOLDING_PLACE = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
ACTIVE = (*HOLDING_PLACE, RegistrationStatus.WAITING)


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self) -> "RegistrationQuerySet":
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waiting(self) -> "RegistrationQuerySet":
        return self.filter(status=RegistrationStatus.WAITING).order_by("waiting_since", "pk")

    def holding_places(self) -> "RegistrationQuerySet":
        return self.filter(status__in=HOLDING_PLACE)


class Registration(models.Model):
    """One person's place (or place in the queue) at one event: one row per person and
    event, reused if they cancel and come back, so nobody is booked twice."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=20, choices=RegistrationStatus.choices, db_index=True)
    place = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Which of the places this is (1..capacity), while confirmed or offered. "
        "Unique per event, so the last place goes to one person.",
    )
    name = models.CharField(max_length=150, help_text="From the profile when registering.")
    organisation_name = models.CharField(max_length=200, blank=True)
    needs = models.TextField(
        "accessibility or dietary needs",
        blank=True,
        help_text="Written by the person. Seen only by the network's event organisers (staff "
        "who may see registrations), and cleared a month after the event.",
    )
    key = models.CharField(max_length=40, unique=True, default=new_registration_key, editable=False)
    waiting_since = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(default=False)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    attendance_counted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the attendance standing now was counted for the insight reports; "
        "emptied when it is unticked and the count taken back.",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_once_per_person"),
            models.UniqueConstraint(
                fields=["event", "place"], name="registration_place_taken_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=HOLDING_PLACE, place__isnull=False)
                | (~Q(status__in=HOLDING_PLACE) & Q(place__isnull=True)),
                name="registration_place_only_while_held",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "waiting_since"])]

    def __str__(self) -> str:
        return f"{self.name or self.user} at {self.event}"

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDING_PLACE


class Notice(models.Model):
    """One email to one registrant, recorded before it is sent: the database, not the task
    queue, says what was sent, so a retry or a crashed worker never sends it twice.
    `ref` tells apart several notices of one kind (the calendar SEQUENCE of an update, the
    staff message's id); (registration, kind, ref) is unique."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", "Place confirmed"
        WAITING = "waiting", "On the waiting list"
        OFFER = "offer", "A place is offered"
        OFFER_EXPIRED = "offer-expired", "Offer expired"
        CANCELLED = "cancelled", "Registration cancelled"
        UPDATED = "updated", "Time or place changed"
        EVENT_CANCELLED = "event-cancelled", "Event cancelled"
        REMINDER_WEEK = "reminder-week", "Reminder a week before"
        REMINDER_HOUR = "reminder-hour", "Reminder an hour before"
        MESSAGE = "message", "Message from staff"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ref = models.CharField(max_length=40, blank=True)
    message = models.ForeignKey(
        "EventMessage", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    leased_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind", "ref"], name="notice_once"),
        ]
        indexes = [models.Index(fields=["state", "leased_until"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.registration}"


class EventMessage(models.Model):
    """A message staff sent to everyone registered for an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text.")
    include_waiting = models.BooleanField(
        "also the waiting list", default=False, help_text="Otherwise confirmed places only."
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject
