"""Billing records: invoices, Stripe's webhook events, disputed payments and requests to
pay by invoice."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from members.models.grants import MembershipGrant
from members.models.organisations import Organisation
from members.models.subscriptions import Plan, Subscription, pounds_text


class Invoice(models.Model):
    """The local copy of a Stripe invoice of one of our subscriptions (for the account page
    and for staff marking bank transfers paid)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        UNCOLLECTIBLE = "uncollectible", "Uncollectible"
        VOID = "void", "Void"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="invoices"
    )
    stripe_invoice_id = models.CharField(max_length=100, unique=True)
    number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    amount_due_pence = models.PositiveIntegerField(default=0)
    due_date = models.DateTimeField(null=True, blank=True)
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    paid_out_of_band = models.BooleanField(
        default=False, help_text="Marked paid by staff (bank transfer), outside Stripe."
    )
    awaits_confirmation = models.BooleanField(
        default=False,
        help_text="Open, and its card payment waits for the payer to confirm it with their "
        "bank (3-D Secure) on the invoice's payment page.",
    )
    amount_refunded_pence = models.PositiveIntegerField(
        default=0,
        help_text="What staff have refunded of it in Stripe, in total (pending or done).",
    )
    refunded_at = models.DateTimeField(
        "last refunded",
        null=True,
        blank=True,
        help_text="When the latest refund of it was made in Stripe. A refund does not end the "
        "membership: Stripe keeps the subscription running, so to end it too, cancel the "
        "subscription in Stripe.",
    )
    payment_failed_notice_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the 'payment failed' email went out (sent once)."
    )
    paid_after_end_notice_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the membership team was emailed that it was paid for a membership "
        "that had ended (sent once).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subscription", "-created_at"]),
            # The admin's list of every invoice, newest first: six years of them are kept.
            models.Index(fields=["-created_at", "-id"], name="members_invoice_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id

    @property
    def amount_pounds(self) -> str:
        """The amount as the site writes prices (£1,800 or £12.50), so an invoice reads the
        same as the plan it is for."""
        return pounds_text(self.amount_due_pence)

    @property
    def refunded_in_full(self) -> bool:
        return 0 < self.amount_due_pence <= self.amount_refunded_pence

    @property
    def refund_text(self) -> str:
        """What has been refunded of it, in words ("" when nothing): "£60 refunded on
        3 December 2026", or "refunded in full on 3 December 2026"."""
        if not self.amount_refunded_pence:
            return ""
        text = (
            "refunded in full"
            if self.refunded_in_full
            else f"{pounds_text(self.amount_refunded_pence)} refunded"
        )
        if self.refunded_at:
            text += f" on {date_format(timezone.localtime(self.refunded_at), 'j F Y')}"
        return text


class StripeEvent(models.Model):
    """A webhook event from Stripe, stored once by its id and applied by a task."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting to be applied"
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Ignored (not ours)"
        WAITING = "waiting", "Waiting for its person or organisation"
        FAILED = "failed", "Failed"

    stripe_event_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(
        max_length=20, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    detail = models.TextField(blank=True, help_text="What applying it did, or why not.")
    attempts = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "Stripe event"

    def __str__(self) -> str:
        return f"{self.event_type} {self.stripe_event_id}"

    @property
    def needs_attention(self) -> bool:
        return self.outcome in (self.Outcome.WAITING, self.Outcome.FAILED)


class Dispute(models.Model):
    """A payment disputed with the payer's bank (a chargeback), kept by Stripe's id so the
    membership team hears of each once: its event can be delivered twice, re-applied from
    the admin, or its email task run again."""

    stripe_dispute_id = models.CharField(max_length=100, unique=True)
    staff_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the membership team was emailed (sent once)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.stripe_dispute_id


class InvoiceRequest(models.Model):
    """A request to join a plan: paid by invoice against a PO number (councils, mostly),
    or, without Stripe, any plan, for staff to approve as a grant."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for staff approval"
        CREATED = "created", "Subscription created"
        GRANTED = "granted", "Approved: membership granted by staff"
        REJECTED = "rejected", "Rejected"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invoice_requests"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invoice_requests"
    )
    seats = models.PositiveIntegerField(default=1)
    purchase_order_number = models.CharField("PO number", max_length=100, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    detail = models.TextField(blank=True)
    subscription = models.OneToOneField(
        Subscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoice_request",
        help_text="The subscription billed by invoice that this request created.",
    )
    grant = models.OneToOneField(
        MembershipGrant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoice_request",
        help_text="Without Stripe: the year's membership that approving this request granted.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    requester_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person who asked was emailed (sent once)."
    )
    staff_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the membership team was emailed (sent once)."
    )
    decision_notified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person who asked was emailed the decision (sent once).",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        if self.purchase_order_number:
            return f"{self.organisation} ({self.purchase_order_number})"
        return f"{self.organisation}: {self.plan}"

    @property
    def price_pounds(self) -> str:
        """What the seats asked for cost per interval (a council raises its PO for it)."""
        return pounds_text(self.plan.price_pence_for(self.seats))

    @property
    def plan_name(self) -> str:
        """The plan's name for the seats asked for."""
        return self.plan.name_for(self.seats)
