"""Organisations, the seats their people hold, and invitations to those seats."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models.people import MemberType, Region


class Organisation(models.Model):
    """A provider, council or other body that holds one membership with N seats."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    org_type = models.CharField("type", max_length=20, choices=MemberType.choices)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    billing_contact_name = models.CharField(max_length=150, blank=True)
    billing_email = models.EmailField(blank=True)
    billing_address = models.TextField(blank=True)
    purchase_order_number = models.CharField("PO number", max_length=100, blank=True)
    verified_domain = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text="An email domain the organisation has shown it owns (e.g. council.gov.uk): "
        "people with a verified address there may claim a free seat while seats remain.",
    )
    stripe_customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    seats_over_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Since when more seats are in use than the membership pays for; the "
        "seats beyond it give access for a short notice from then (members/access/).",
    )
    seats_over_emailed_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The seats_over_since the admins were emailed about (once each time).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Seat(models.Model):
    """A person's place in an organisation's membership."""

    class TakenThrough(models.TextChoices):
        DOMAIN = "domain", "Claimed with a verified address at the organisation's domain"
        INVITATION = "invitation", "An invitation from an admin"
        GIVEN = "given", "Given by the network's staff"
        CREATOR = "creator", "Took out the organisation's membership"
        UNRECORDED = "unrecorded", "Not recorded (taken before this was recorded)"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seats"
    )
    is_admin = models.BooleanField(
        default=False, help_text="Organisation admins manage seats and billing."
    )
    slot = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Which of the paid seats this is (1..seats). Unique per organisation, so "
        "two people taking the last seat at the same moment cannot both get it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Staff adding a seat in the admin leave it at the default; every other way of taking
    # a seat says which it is (members/organisations/seats.py).
    taken_through = models.CharField(
        max_length=20,
        choices=TakenThrough.choices,
        default=TakenThrough.GIVEN,
        help_text="How the person came by the seat. One claimed by domain ends when their "
        "address moves off that domain, unless they are an admin.",
    )
    claimed_domain = models.CharField(
        max_length=200,
        blank=True,
        help_text="The verified domain the seat was claimed with (only for seats claimed by "
        "domain): it may have changed or been cleared since.",
    )
    claim_emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the organisation's admins were emailed that the seat was claimed by "
        "domain (once).",
    )
    left_domain_emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the admins were emailed that this admin's address moved off the "
        "domain the seat was claimed with, the seat being kept (once).",
    )
    made_admin_at = models.DateTimeField(
        null=True, blank=True, help_text="When a colleague last made this person an admin."
    )
    made_admin_emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person was emailed that they were made an admin (once each time).",
    )
    beyond_paid_emailed_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The organisation's seats_over_since this person was emailed about when "
        "their seat, beyond the seats paid for, stopped giving access (once each time).",
    )
    beyond_paid_warned_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The organisation's seats_over_since this person was emailed about when "
        "the notice began, their seat being beyond the seats paid for (once each time).",
    )
    membership_ended_emailed_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The ending this person was emailed about: the ended_notice_sent_at of "
        "the organisation's subscription, or the last day of its staff grant (once for "
        "each ending of the organisation's access).",
    )

    class Meta:
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="seat_once_per_person"),
            models.UniqueConstraint(fields=["organisation", "slot"], name="seat_slot_taken_once"),
            # A seat claimed by domain says which domain; no other seat names one.
            models.CheckConstraint(
                condition=(Q(taken_through="domain") & ~Q(claimed_domain=""))
                | (~Q(taken_through="domain") & Q(claimed_domain="")),
                name="seat_claimed_domain_only_by_domain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"

    @property
    def claimed_by_domain(self) -> bool:
        return self.taken_through == self.TakenThrough.DOMAIN

    @property
    def holder_left_claimed_domain(self) -> bool:
        """Claimed by domain, and the holder's account address is elsewhere now: only an
        admin's seat outlives that (members/organisations/domains.py)."""
        domain = self.user.email.rpartition("@")[2].lower()
        return self.claimed_by_domain and domain != self.claimed_domain


class SeatRemoval(models.Model):
    """A seat an organisation admin (or staff, in the admin) took back from someone: the
    organisation's record of who was removed, by whom and when, and when the person was
    told (once)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="seat_removals"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    removed_at = models.DateTimeField(default=timezone.now)
    by_staff = models.BooleanField(
        "by staff",
        default=False,
        help_text="Taken back by the network's staff in the admin, not by one of the "
        "organisation's admins: the person is told so, and not to ask the remover, "
        "who does not manage the organisation's seats.",
    )
    left_domain = models.CharField(
        max_length=200,
        blank=True,
        help_text="Not taken back by anyone: the seat was claimed with an address at this "
        "domain, and the person's address moved off it.",
    )
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person was emailed that their seat ended."
    )
    admins_emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the organisation's admins were emailed that the seat ended because "
        "the person's address left the domain (once; admins are not told of other removals).",
    )

    class Meta:
        ordering = ["-removed_at"]

    def __str__(self) -> str:
        return f"{self.user} removed from {self.organisation}"


class Invitation(models.Model):
    """An organisation admin's invitation to a colleague to take a seat."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the invitation was last sent; its link expires a set time after.",
    )
    emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the email for the latest sending left; a retried task sends it once.",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        constraints = [
            # One open invitation per address and organisation (emails are stored
            # lower-cased), so a double-click cannot hold two seats for one person.
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation}"

    @property
    def is_open(self) -> bool:
        """Neither accepted nor revoked (it may still have expired)."""
        return self.accepted_at is None and self.revoked_at is None


class OrganisationDetailsChange(models.Model):
    """A change an organisation's admin made to its details (name, region, billing
    contact): who, when, which fields, and the business values before and after. Names
    appear on invoices and in the staff's reports, so a wrong one can be traced and put
    back. Also says whether Stripe's copy of the customer was brought up to date."""

    class StripeUpdate(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed (no Stripe customer)"
        PENDING = "pending", "Waiting for Stripe (tried again later)"
        DONE = "done", "Stripe customer updated"
        FAILED = "failed", "Refused by Stripe (not tried again)"

    # What an organisation's admins may change; the rest (slug, type, verified domain,
    # Stripe ids, seats) stays with the network's staff or its own pages.
    DETAILS_FIELDS = (
        "name",
        "region",
        "billing_contact_name",
        "billing_email",
        "billing_address",
        "purchase_order_number",
    )
    # Values kept before and after: the organisation's own. The billing contact's name and
    # email address can name a person, so for those the record says only that they changed.
    VALUE_FIELDS = ("name", "region", "billing_address", "purchase_order_number")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="details_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The admin who made the change (their pseudonym once their account is "
        "erased; empty if the account was deleted outright).",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    fields_changed = models.JSONField(default=list, help_text="The names of the fields changed.")
    values = models.JSONField(
        default=dict,
        blank=True,
        help_text='{"field": ["before", "after"]} for the name, region, billing address and '
        "PO number.",
    )
    stripe_update = models.CharField(
        "Stripe update",
        max_length=20,
        choices=StripeUpdate.choices,
        default=StripeUpdate.NOT_NEEDED,
    )
    stripe_error = models.TextField(
        blank=True, help_text="What went wrong the last time Stripe was asked."
    )
    stripe_updated_at = models.DateTimeField(null=True, blank=True)
    staff_notified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the membership team was emailed that the name changed (sent once).",
    )
    stripe_refusal_emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the membership team was emailed that Stripe refused the details "
        "(sent once).",
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.organisation} details changed on {self.changed_at:%d %b %Y}"

    @property
    def name_changed(self) -> bool:
        return "name" in self.fields_changed
