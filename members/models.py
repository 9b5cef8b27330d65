"""People, organisations, plans and memberships.

Whether a person may read something is decided in members/access.py from these rows;
nothing else tests their fields.
"""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MemberType(models.TextChoices):
    PROVIDER = "provider", "Provider"
    COMMISSIONER = "commissioner", "Commissioner"
    POLICY = "policy", "Policy maker or other"


class Region(models.TextChoices):
    """The nine regions of England."""

    NORTH_EAST = "north-east", "North East"
    NORTH_WEST = "north-west", "North West"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east-midlands", "East Midlands"
    WEST_MIDLANDS = "west-midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account, identified by email. Their profile lives here too, so
    pages that show authors need no extra join."""

    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, help_text="How the person is named on the site.")
    job_title = models.CharField(max_length=150, blank=True)
    organisation_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the person works, as they wrote it (not a membership).",
    )
    member_type = models.CharField(
        "work",
        max_length=20,
        choices=MemberType.choices,
        blank=True,
        help_text="What the person says they do, for a registered person's profile. It opens "
        "nothing: the member type that decides access comes from the membership (the plan, "
        "the organisation or the staff grant).",
    )
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    topics = models.ManyToManyField(
        "network.Topic",
        blank=True,
        related_name="interested_users",
        verbose_name="topics of interest",
    )
    is_staff = models.BooleanField(
        default=False, help_text="Can reach the admin site (after setting up two-factor)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Seat(models.Model):
    """A person's place in an organisation's membership."""

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

    class Meta:
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="seat_once_per_person"),
            models.UniqueConstraint(fields=["organisation", "slot"], name="seat_slot_taken_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"


class Plan(models.Model):
    """What a person or organisation can buy. Each plan maps to one Stripe Price."""

    class Holder(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        ORGANISATION = "organisation", "Organisation"

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Annual"

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    member_type = models.CharField(max_length=20, choices=MemberType.choices)
    holder = models.CharField(max_length=20, choices=Holder.choices)
    interval = models.CharField(max_length=10, choices=Interval.choices)
    price_pence = models.PositiveIntegerField(
        help_text="Price per interval in pence, VAT included."
    )
    seats = models.PositiveIntegerField(default=1, help_text="Seats included (1 for individuals).")
    included = models.TextField(
        blank=True, help_text="What the plan includes, one item per line (shown on the page)."
    )
    stripe_price_id = models.CharField(max_length=100, blank=True, db_index=True)
    trial_days = models.PositiveSmallIntegerField(default=0)
    allow_promotion_codes = models.BooleanField(default=False)
    allow_invoice = models.BooleanField(
        default=False, help_text="Offer payment by invoice against a PO number."
    )
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "member_type", "holder", "interval"]
        constraints = [
            models.CheckConstraint(
                condition=Q(holder="organisation") | Q(seats=1), name="individual_plan_one_seat"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def price_pounds(self) -> str:
        pounds, pence = divmod(self.price_pence, 100)
        return f"£{pounds:,}" if not pence else f"£{pounds:,}.{pence:02d}"

    @property
    def included_items(self) -> list[str]:
        return [line.strip() for line in self.included.splitlines() if line.strip()]


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription states; members/access.py maps them to access."""

    ACTIVE = "active", "Active"
    TRIALING = "trialing", "Trialing"
    PAST_DUE = "past_due", "Past due"
    UNPAID = "unpaid", "Unpaid"
    CANCELED = "canceled", "Cancelled"
    INCOMPLETE = "incomplete", "Incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete (expired)"
    PAUSED = "paused", "Paused"


# A membership that reaches one of these has ended ("membership ended" email). An
# abandoned Checkout's subscription (incomplete, then incomplete_expired) never started.
ENDED_STATUSES = {SubscriptionStatus.CANCELED, SubscriptionStatus.UNPAID}


class Subscription(models.Model):
    """The local copy of a Stripe subscription, held by one person or one organisation."""

    class CollectionMethod(models.TextChoices):
        CARD = "charge_automatically", "Card"
        INVOICE = "send_invoice", "Invoice"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=20, choices=SubscriptionStatus.choices, db_index=True)
    collection_method = models.CharField(
        max_length=30, choices=CollectionMethod.choices, default=CollectionMethod.CARD
    )
    quantity = models.PositiveIntegerField(default=1, help_text="Seats paid for.")
    stripe_subscription_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    past_due_since = models.DateTimeField(
        null=True, blank=True, help_text="When payment first failed; the grace period runs from it."
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    stripe_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="When Stripe's copy was last read into this row."
    )
    ending_reminder_sent_for = models.DateTimeField(
        null=True, blank=True, help_text="The period end the 'ending soon' email was sent for."
    )
    ended_notice_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(organisation__isnull=True))
                | (Q(user__isnull=True) & Q(organisation__isnull=False)),
                name="subscription_has_one_holder",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["organisation", "status"]),
            # The daily "ending soon" reminder looks for non-renewing periods ending soon.
            models.Index(fields=["cancel_at_period_end", "current_period_end"]),
        ]

    def __str__(self) -> str:
        return f"{self.holder} - {self.plan} ({self.get_status_display()})"

    @property
    def holder(self) -> "User | Organisation":
        return self.user or self.organisation


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
    payment_failed_notice_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the 'payment failed' email went out (sent once)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subscription", "-created_at"])]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id

    @property
    def amount_pounds(self) -> str:
        pounds, pence = divmod(self.amount_due_pence, 100)
        return f"£{pounds:,}.{pence:02d}"


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


class InvoiceRequest(models.Model):
    """A request to pay by invoice against a PO number (councils, mostly)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for staff approval"
        CREATED = "created", "Subscription created"
        REJECTED = "rejected", "Rejected"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invoice_requests"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invoice_requests"
    )
    seats = models.PositiveIntegerField(default=1)
    purchase_order_number = models.CharField("PO number", max_length=100)
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
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.purchase_order_number})"


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
