"""Memberships granted by staff, and members' requests to change their member type."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models.organisations import Organisation
from members.models.people import MemberType


class MembershipGrant(models.Model):
    """A membership given by staff, with dates and a reason, to a person or organisation."""

    class Reason(models.TextChoices):
        COMPLIMENTARY = "complimentary", "Complimentary"
        PARTNER = "partner", "Partner"
        INVOICE_PAID_OFFLINE = "invoice-offline", "Invoice paid offline"
        OTHER = "other", "Other"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="membership_grants",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="membership_grants",
    )
    member_type = models.CharField(
        max_length=20,
        choices=MemberType.choices,
        help_text="The member type this grant gives: it decides which rooms and newsletters "
        "open to the people it covers.",
    )
    seats = models.PositiveIntegerField(default=1, help_text="For organisations: seats granted.")
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(help_text="The last day of access.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The end date the holder was last told about ("ending soon"): a grant extended later
    # earns a new reminder.
    ending_reminder_sent_for = models.DateField(null=True, blank=True, editable=False)
    # The end date an organisation's admins were told had passed ("ended"): a grant
    # extended and run out again later earns a new email.
    ended_notice_sent_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(organisation__isnull=True))
                | (Q(user__isnull=True) & Q(organisation__isnull=False)),
                name="grant_has_one_holder",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="grant_ends_after_start"
            ),
            # The type decides access, so a grant without one must not exist (it once fell
            # back to the type people chose for themselves in their profile).
            models.CheckConstraint(
                condition=Q(member_type__in=MemberType.values), name="grant_has_member_type"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "ends_on"]),
            models.Index(fields=["organisation", "ends_on"]),
        ]

    def __str__(self) -> str:
        holder = self.user or self.organisation
        return f"{holder}: {self.get_reason_display()} until {self.ends_on:%d %b %Y}"


class MemberTypeChangeRequest(models.Model):
    """A member asks staff to change the member type that decides their access.

    Members never change it themselves: it comes from their plan, their organisation or
    their staff grant. Staff approve (which changes the person's own grant) or reject.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the membership team"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not approved"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="type_change_requests"
    )
    current_type = models.CharField(
        "type when asked",
        max_length=20,
        choices=MemberType.choices,
        help_text="The member type the membership gave when the request was made.",
    )
    requested_type = models.CharField("type asked for", max_length=20, choices=MemberType.choices)
    reason = models.TextField(max_length=2000, help_text="Why the member asks, in their words.")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decision_note = models.TextField(
        blank=True, help_text="Shown to the member on their account page once decided."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    staff_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the membership team was emailed (sent once)."
    )
    decision_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member was emailed the decision (sent once)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "member type change request"
        constraints = [
            # One open request per person: a second would only duplicate the first.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="type_change_request_open_once",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user}: {self.get_current_type_display()} to {self.get_requested_type_display()}"
        )
