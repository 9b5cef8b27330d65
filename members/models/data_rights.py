"""Data-rights requests: a person's request for a copy of their data or for erasure,
made on their account page or recorded by staff from an email or a letter.

The log holds only what handling the request needs: who (the account, which becomes a
pseudonymous "former member #N" once erased), what was asked, when it is due, where it
stands and how it ended. It is kept two years after it is closed (network's notice).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# UK GDPR Art. 12(3): answer within one month of receipt.
RESPONSE_DEADLINE = timedelta(days=30)


class DataRequestQuerySet(models.QuerySet):
    def open(self) -> "DataRequestQuerySet":
        return self.filter(state__in=DataRequest.OPEN_STATES)

    def erasures_due(self, *, now=None) -> "DataRequestQuerySet":
        """Erasures whose grace period has run out."""
        now = now or timezone.now()
        return self.filter(
            kind=DataRequest.Kind.ERASURE,
            state=DataRequest.State.SCHEDULED,
            erase_after__lte=now,
        )


class DataRequest(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access", "Access (a copy of their data)"
        ERASURE = "erasure", "Erasure (delete the account)"

    class Source(models.TextChoices):
        ACCOUNT = "account", "Their account page"
        EMAIL = "email", "Email (recorded by staff)"
        POST = "post", "Letter (recorded by staff)"
        OTHER = "other", "Other (recorded by staff)"

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        SCHEDULED = "scheduled", "Erasure scheduled (grace period)"
        PREPARING = "preparing", "Preparing the download"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"
        REFUSED = "refused", "Refused (see outcome)"

    OPEN_STATES = (State.RECEIVED, State.SCHEDULED, State.PREPARING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="data_requests",
        help_text="The person the request is about (a former member once erased).",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ACCOUNT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who recorded a request that came by email or post.",
    )
    received_at = models.DateTimeField(default=timezone.now)
    due_by = models.DateTimeField(help_text="One month after receipt (UK GDPR Art. 12).")
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    outcome = models.TextField(
        blank=True, help_text="How the request ended (no personal data beyond what it needs)."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Erasure
    erase_after = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The end of the grace period: signing in before it cancels.",
    )
    keep_post_text = models.BooleanField(
        default=True, help_text="Erasure: keep the text of forum posts (shown as a former member)."
    )
    renewals_stop_pending = models.BooleanField(
        default=False,
        help_text="Erasure: Stripe could not be reached when the person asked, so the "
        "renewal of their personal membership is still to be turned off (retried).",
    )
    # Access: the ZIP, in the default storage, with its single-use link
    export_file = models.CharField(max_length=200, blank=True, editable=False)
    export_expires_at = models.DateTimeField(null=True, blank=True)
    export_downloaded_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(
        "person emailed at",
        null=True,
        blank=True,
        help_text="When the person was emailed their download link, or that their account "
        "will be deleted. Empty: not (yet) sent; a failed email is retried.",
    )
    erasure_notified_at = models.DateTimeField(
        "person told of the erasure at",
        null=True,
        blank=True,
        help_text="When the person was emailed, at their old address, that staff had erased "
        "their account. Empty: not (yet) sent, or erased at the end of the grace period "
        "they were told of.",
    )

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(state__in=["received", "scheduled", "preparing"]),
                name="data_request_open_once_per_kind",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_by"], name="members_datareq_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} ({self.received_at:%d %b %Y})"

    def save(self, *args, **kwargs):
        if self.due_by is None:
            self.due_by = self.received_at + RESPONSE_DEADLINE
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_by < timezone.now()
