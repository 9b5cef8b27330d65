"""The admin of billing: plans, subscriptions, invoices, requests to pay by invoice and
Stripe's webhook events."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html

from members.billing import gateway, invoicing, sync, tasks
from members.models import (
    Invoice,
    InvoiceRequest,
    MembershipGrant,
    Plan,
    StripeEvent,
    Subscription,
)
from members.models.subscriptions import pounds_text
from network.admin_actions import asks_first
from network.admin_deletion import NamesRelatedRowsInFewQueries
from network.admin_labels import LabelledTabularInline
from network.text import counted


@admin.register(Plan)
class PlanAdmin(NamesRelatedRowsInFewQueries, admin.ModelAdmin):
    # The price says how often and for how many seats: with the interval and the seats as
    # columns of their own the list was wider than the room beside the admin's menu and
    # the filters on a 1,280 px screen.
    list_display = ["name", "member_type", "holder", "price", "is_active"]
    list_filter = ["member_type", "holder", "interval", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "stripe_price_id"]

    @admin.display(description="price", ordering="price_pence")
    def price(self, plan: Plan) -> str:
        every = "a month" if plan.interval == Plan.Interval.MONTH else "a year"
        return format_html("{} {}<br>{}", plan.price_pounds, every, counted(plan.seats, "seat"))

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        changed = set(form.changed_data)
        # A new Price id given with the new figure is the way to change a price: no warning.
        if (
            change
            and changed & {"price_pence", "seats"}
            and "stripe_price_id" not in changed
            and obj.stripe_price_id
        ):
            # Stripe charges from its own Price: the site's figure alone changes nothing
            # anyone pays, and the membership page would now show a price nobody is charged.
            messages.warning(
                request,
                f"The site now shows {obj.price_pounds} for {obj.name}, but Stripe still "
                f"charges its Price {obj.stripe_price_id}. Create a new Price in Stripe at "
                "the new amount (per seat for an organisation plan) and put its id here; "
                "members already paying keep their price until they are moved to it.",
            )


class InvoiceAmount:
    @admin.display(description="Amount", ordering="amount_due_pence")
    def amount(self, invoice: Invoice) -> str:
        """In pounds as the site writes them, not the pence Stripe counts in."""
        return invoice.amount_pounds

    @admin.display(description="Refunded", ordering="amount_refunded_pence")
    def refunded(self, invoice: Invoice) -> str:
        """What staff refunded in Stripe, in pounds; "in full" when it is all of it."""
        if not invoice.amount_refunded_pence:
            return "-"
        pounds = pounds_text(invoice.amount_refunded_pence)
        return f"{pounds} (in full)" if invoice.refunded_in_full else pounds


class InvoiceInline(InvoiceAmount, LabelledTabularInline):
    model = Invoice
    extra = 0
    can_delete = False
    fields = ["number", "status", "amount", "due_date", "paid_out_of_band", "refunded"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Read-mostly: Stripe holds the truth and webhooks keep these rows; staff refresh a
    row from Stripe rather than edit it."""

    list_display = [
        "__str__",
        "status",
        "collection_method",
        "quantity",
        "current_period_end",
        "cancel_at_period_end",
        "past_due_since",
    ]
    list_filter = ["status", "collection_method", "cancel_at_period_end", "plan"]
    search_fields = [
        "user__email",
        "organisation__name",
        "stripe_subscription_id",
        "stripe_customer_id",
    ]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation", "plan"]
    readonly_fields = [
        "status",
        "collection_method",
        "quantity",
        "stripe_subscription_id",
        "stripe_customer_id",
        "current_period_end",
        "cancel_at_period_end",
        "renewal_stopped_by",
        "past_due_since",
        "ended_at",
        "stripe_updated_at",
        "ending_reminder_sent_for",
        "ended_notice_sent_at",
        "created_at",
        "stripe_events",
    ]
    inlines = [InvoiceInline]
    actions = ["refresh_from_stripe"]

    def has_add_permission(self, request) -> bool:
        # Subscriptions come from Stripe; a membership without one is a grant.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # An accounting record (kept six years, members/personal_data.py) that Stripe
        # would recreate at the next event anyway, without its invoices.
        return False

    @admin.display(description="Stripe events")
    def stripe_events(self, obj: Subscription) -> str:
        """Its history as Stripe told it: every event about it or its invoices."""
        if not obj.stripe_subscription_id:
            return "-"
        url = reverse("admin:members_stripeevent_changelist")
        events = StripeEvent.objects.filter(stripe_subscription_id=obj.stripe_subscription_id)
        return format_html(
            '<a href="{}?q={}">{}</a>',
            url,
            obj.stripe_subscription_id,
            counted(events.count(), "event"),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.stripe_subscription_id:
            return [*self.readonly_fields, "user", "organisation", "plan"]
        return self.readonly_fields

    @admin.action(description="Refresh the selected subscriptions from Stripe")
    def refresh_from_stripe(self, request, queryset):
        done = 0
        for subscription in queryset.exclude(stripe_subscription_id=None):
            try:
                sync.subscription_sync(stripe_subscription_id=subscription.stripe_subscription_id)
                done += 1
            except (gateway.StripeUnavailable, gateway.StripeRejected) as error:
                self.message_user(
                    request, f"{subscription.stripe_subscription_id}: {error}", messages.ERROR
                )
        self.message_user(request, f"{done} subscription(s) refreshed from Stripe.")


@admin.register(Invoice)
class InvoiceAdmin(InvoiceAmount, admin.ModelAdmin):
    # What was refunded is said under the amount: as a column of its own it pushed the
    # date the invoice was made out of sight on a 1,280 px screen.
    list_display = [
        "__str__",
        "subscription",
        "status",
        "amount_and_refund",
        "due_date",
        "paid_out_of_band",
        "created_at",
    ]
    list_filter = ["status", "paid_out_of_band", "subscription__collection_method"]
    search_fields = [
        "number",
        "stripe_invoice_id",
        "subscription__organisation__name",
        "subscription__user__email",
    ]
    list_select_related = ["subscription__plan", "subscription__user", "subscription__organisation"]
    readonly_fields = [
        "subscription",
        "stripe_invoice_id",
        "number",
        "status",
        "amount",
        "due_date",
        "hosted_invoice_url",
        "paid_out_of_band",
        # Stripe's word, copied at each event: ticked by hand it would send the payer
        # to confirm a payment with their bank that needs nothing.
        "awaits_confirmation",
        "refunded",
        "refunded_at",
        "payment_failed_notice_sent_at",
        "paid_after_end_notice_sent_at",
        "created_at",
    ]
    # Shown in pounds by `amount` and `refunded`; as fields they would be editable boxes.
    exclude = ["amount_due_pence", "amount_refunded_pence"]
    actions = ["mark_paid_outside_stripe"]

    @admin.display(description="amount", ordering="amount_due_pence")
    def amount_and_refund(self, invoice: Invoice) -> str:
        if not invoice.amount_refunded_pence:
            return invoice.amount_pounds
        return format_html("{}<br>{} refunded", invoice.amount_pounds, self.refunded(invoice))

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # An accounting record: a wrong one is voided in Stripe, and the copy follows.
        return False

    @admin.action(description="Mark paid outside Stripe (bank transfer received)")
    @asks_first(
        "Stripe is told that each open invoice below was paid outside it (by bank "
        "transfer, say): Stripe closes the invoice, and a membership overdue for it is "
        "active again. A paid invoice cannot be opened again."
    )
    def mark_paid_outside_stripe(self, request, queryset):
        for invoice in queryset.select_related("subscription"):
            try:
                invoicing.invoice_mark_paid_out_of_band(invoice=invoice)
            except ValidationError as error:
                self.message_user(request, f"{invoice}: {' '.join(error.messages)}", messages.ERROR)
            except (gateway.StripeUnavailable, gateway.StripeRejected) as error:
                self.message_user(request, f"{invoice}: Stripe said: {error}", messages.ERROR)
            else:
                self.message_user(request, f"Invoice {invoice} is marked paid.", messages.SUCCESS)


@admin.register(InvoiceRequest)
class InvoiceRequestAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "plan",
        "seats",
        "purchase_order_number",
        "requested_by",
        "status",
        "created_at",
    ]
    list_filter = ["status", "plan"]
    search_fields = ["organisation__name", "purchase_order_number", "requested_by__email"]
    list_select_related = ["organisation", "plan", "requested_by"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # What a council asked for, its PO number and the decision: an accounting record
        # like the invoices it led to. A wrong one is rejected, not deleted.
        return False

    readonly_fields = [
        "requested_by",
        "organisation",
        "status",
        "detail",
        "subscription",
        "grant",
        "decided_by",
        "decided_at",
        "created_at",
        "requester_notified_at",
        "staff_notified_at",
        # The send-once mark of the decision email: set by hand, the email never goes.
        "decision_notified_at",
    ]
    actions = ["approve", "reject"]

    def has_add_permission(self, request) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != InvoiceRequest.Status.PENDING:
            # Decided: the request records what was approved or refused. Staff adjust the
            # plan, seats or PO number before deciding, not after.
            fields += ["plan", "seats", "purchase_order_number"]
        return fields

    @admin.action(
        description="Approve: create the subscription billed by invoice (without Stripe: "
        "grant a year's membership)"
    )
    @asks_first(
        "For each pending request below, a subscription billed by invoice is created in "
        "Stripe, which sends the invoice to the billing email (without Stripe, a year's "
        "membership is granted by staff), and the person who asked is emailed that it is "
        "approved. Access opens at once, before the invoice is paid: check that the "
        "organisation and its PO number are genuine first."
    )
    def approve(self, request, queryset):
        left = queryset.exclude(status=InvoiceRequest.Status.PENDING).count()
        if left:
            self.message_user(
                request,
                f"{counted(left, 'request')} already decided, left as before.",
                messages.WARNING,
            )
        for invoice_request in queryset.filter(status=InvoiceRequest.Status.PENDING):
            try:
                result = invoicing.invoice_request_approve(
                    invoice_request=invoice_request, approved_by=request.user
                )
            except ValidationError as error:
                self.message_user(
                    request, f"{invoice_request}: {' '.join(error.messages)}", messages.ERROR
                )
            except (gateway.StripeUnavailable, gateway.StripeRejected) as error:
                self.message_user(
                    request, f"{invoice_request}: Stripe said: {error}", messages.ERROR
                )
            else:
                if isinstance(result, MembershipGrant):
                    message = (
                        f"{invoice_request}: Stripe is not set up, so no subscription could "
                        f"be created; a {result.get_member_type_display()} membership is "
                        f"granted by staff for a year, until {date_format(result.ends_on, 'j F Y')}."
                    )
                else:
                    message = f"{invoice_request}: subscription created."
                self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Reject the selected requests")
    @asks_first(
        "Each pending request below is rejected, and the person who asked is emailed "
        "that it is declined. A rejected request cannot be approved later."
    )
    def reject(self, request, queryset):
        rejected = 0
        for invoice_request in queryset.filter(status=InvoiceRequest.Status.PENDING):
            invoicing.invoice_request_reject(
                invoice_request=invoice_request,
                rejected_by=request.user,
                reason=f"Rejected by {request.user}.",
            )
            rejected += 1
        # Requests already decided are left as they are: say so, not only what changed.
        left = queryset.count() - rejected
        message = f"{counted(rejected, 'request')} rejected."
        if left:
            message += f" {counted(left, 'request')} already decided, left as before."
        self.message_user(request, message)


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    """Read-only: what Stripe sent and what applying it did, with a re-apply button."""

    list_display = [
        "stripe_event_id",
        "event_type",
        "outcome",
        "attempts",
        "received_at",
        "stripe_subscription_id",
    ]
    list_filter = ["outcome", "event_type"]
    search_fields = ["stripe_event_id", "stripe_subscription_id", "detail"]
    date_hierarchy = "received_at"
    actions = ["reapply"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # What Stripe told us and what we did with it, until retention removes it.
        return False

    @admin.action(description="Re-apply the selected events", permissions=["view"])
    def reapply(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        # Re-applying reads Stripe's current state again, so an applied event is safe too.
        StripeEvent.objects.filter(pk__in=ids).update(outcome=StripeEvent.Outcome.PENDING)
        for event_id in ids:
            tasks.stripe_event_apply.delay(event_id)
        self.message_user(request, f"{len(ids)} event(s) queued to be applied again.")
