"""Plans, subscriptions (the local copy of Stripe's) and their statuses."""

import re

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from members.models.organisations import Organisation
from members.models.people import MemberType, User

# A seat count in a plan's name ("Council (20 seats)"): what the plan starts with.
SEATS_IN_NAME = re.compile(r"\s*\((\d+) seats?\)", re.IGNORECASE)


def pounds_text(pence: int) -> str:
    """£1,800 or £12.50."""
    pounds, pence = divmod(pence, 100)
    return f"£{pounds:,}" if not pence else f"£{pounds:,}.{pence:02d}"


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
        help_text="Price per interval in pence, VAT included: for an organisation plan, the "
        "price of all the seats it includes (its Stripe Price is per seat: this divided by "
        "the seats)."
    )
    seats = models.PositiveIntegerField(
        default=1,
        # The price is divided by the seats (price_pence_for, the dashboard's revenue).
        validators=[MinValueValidator(1, "A plan includes at least one seat: give 1 or more.")],
        help_text="Seats included (1 for individuals).",
    )
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
            models.CheckConstraint(condition=Q(seats__gte=1), name="plan_at_least_one_seat"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def price_pounds(self) -> str:
        return pounds_text(self.price_pence)

    def price_pence_for(self, seats: int) -> int:
        """What `seats` seats cost per interval: Stripe charges the plan's price per seat
        (price_pence's help text), so seats beyond those included cost the same each."""
        return self.price_pence * seats // self.seats

    def name_for(self, seats: int) -> str:
        """The plan's name for a membership of `seats` seats: a seat count in the name
        that is not theirs is left out, so the page beside it can say how many they have
        ("Council (20 seats)" paying for 1 reads "Council")."""
        match = SEATS_IN_NAME.search(self.name)
        if match is None or int(match.group(1)) == seats:
            return self.name
        return SEATS_IN_NAME.sub("", self.name).strip()

    @property
    def included_items(self) -> list[str]:
        return [line.strip() for line in self.included.splitlines() if line.strip()]


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription states; members/access/subscriptions.py maps them to access."""

    ACTIVE = "active", "Active"
    TRIALING = "trialing", "Free trial"
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
    renewal_stopped_by = models.ForeignKey(
        "members.DataRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals_stopped",
        help_text="The account deletion that turned this membership's renewal off. "
        "Cancelling the deletion turns it back on; renewal the member turned off "
        "themselves is never marked, so it stays off.",
    )
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

    @property
    def renewal_being_restored(self) -> bool:
        """Renewal is off only because of an account deletion that has since closed without
        erasing anyone (the person signed in again, or staff closed it): it is being turned
        back on, by a task while Stripe cannot be reached. Reads the deletion: pages that
        show it select_related("renewal_stopped_by"), and only marked rows have one."""
        return (
            self.cancel_at_period_end
            and self.renewal_stopped_by_id is not None
            and not self.renewal_stopped_by.is_open
        )

    @property
    def ends_at_period_end(self) -> bool:
        """Set to end when the period paid for ends: not one whose renewal a cancelled
        deletion had turned off, as it is being turned back on."""
        return self.cancel_at_period_end and not self.renewal_being_restored

    @property
    def plan_name(self) -> str:
        """The plan's name for the seats this subscription pays for now."""
        return self.plan.name_for(self.quantity)
