from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError

from members import access, billing, services, stripe_sync, tasks
from members.models import (
    Invoice,
    InvoiceRequest,
    MembershipGrant,
    Organisation,
    Plan,
    Seat,
    StripeEvent,
    Subscription,
    User,
)


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    autocomplete_fields = ["user", "organisation"]


class MemberCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name"]


class MemberChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = ["email", "name", "member_type", "region", "is_staff", "date_joined"]
    list_filter = ["member_type", "region", "is_staff", "is_active", "groups"]
    search_fields = ["email", "name", "organisation_name"]
    ordering = ["email"]
    readonly_fields = ["access_summary", "last_login", "date_joined"]
    filter_horizontal = ["groups", "user_permissions", "topics"]
    inlines = [SeatInline]
    fieldsets = [
        (None, {"fields": ["email", "password", "access_summary"]}),
        (
            "Profile",
            {
                "fields": [
                    "name",
                    "job_title",
                    "organisation_name",
                    "member_type",
                    "region",
                    "topics",
                ]
            },
        ),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]

    @admin.display(description="Access")
    def access_summary(self, obj: User) -> str:
        if obj.pk is None:
            return "-"
        current = access.membership(obj)
        roles = ", ".join(sorted(access.roles(obj)))
        if current is None:
            return f"No membership. Roles: {roles}."
        where = {
            access.Source.PERSONAL: f"personal subscription ({current.subscription})",
            access.Source.SEAT: f"a seat at {current.organisation}",
            access.Source.GRANT: f"a staff grant ({current.grant})",
        }[current.source]
        return f"Member through {where}; member type {current.member_type}. Roles: {roles}."


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_type", "region", "billing_email", "verified_domain"]
    list_filter = ["org_type", "region"]
    search_fields = ["name", "billing_email", "verified_domain", "stripe_customer_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SeatInline]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "member_type",
        "holder",
        "interval",
        "price_pounds",
        "seats",
        "is_active",
    ]
    list_filter = ["member_type", "holder", "interval", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "stripe_price_id"]


class InvoiceInline(admin.TabularInline):
    model = Invoice
    extra = 0
    can_delete = False
    fields = ["number", "status", "amount_due_pence", "due_date", "paid_out_of_band"]
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
        "past_due_since",
        "ended_at",
        "stripe_updated_at",
        "ending_reminder_sent_for",
        "ended_notice_sent_at",
        "created_at",
    ]
    inlines = [InvoiceInline]
    actions = ["refresh_from_stripe"]

    def has_add_permission(self, request) -> bool:
        # Subscriptions come from Stripe; a membership without one is a grant.
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.stripe_subscription_id:
            return [*self.readonly_fields, "user", "organisation", "plan"]
        return self.readonly_fields

    @admin.action(description="Refresh the selected subscriptions from Stripe")
    def refresh_from_stripe(self, request, queryset):
        done = 0
        for subscription in queryset.exclude(stripe_subscription_id=None):
            try:
                stripe_sync.subscription_sync(
                    stripe_subscription_id=subscription.stripe_subscription_id
                )
                done += 1
            except (billing.StripeUnavailable, billing.StripeRejected) as error:
                self.message_user(
                    request, f"{subscription.stripe_subscription_id}: {error}", messages.ERROR
                )
        self.message_user(request, f"{done} subscription(s) refreshed from Stripe.")


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "subscription",
        "status",
        "amount_due_pence",
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
        "amount_due_pence",
        "due_date",
        "hosted_invoice_url",
        "paid_out_of_band",
        "payment_failed_notice_sent_at",
        "created_at",
    ]
    actions = ["mark_paid_outside_stripe"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Mark paid outside Stripe (bank transfer received)")
    def mark_paid_outside_stripe(self, request, queryset):
        for invoice in queryset.select_related("subscription"):
            try:
                services.invoice_mark_paid_out_of_band(invoice=invoice)
            except ValidationError as error:
                self.message_user(request, f"{invoice}: {' '.join(error.messages)}", messages.ERROR)
            except (billing.StripeUnavailable, billing.StripeRejected) as error:
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
    readonly_fields = [
        "requested_by",
        "organisation",
        "status",
        "detail",
        "subscription",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    actions = ["approve", "reject"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Approve: create the subscription billed by invoice")
    def approve(self, request, queryset):
        for invoice_request in queryset.filter(status=InvoiceRequest.Status.PENDING):
            try:
                services.invoice_request_approve(
                    invoice_request=invoice_request, approved_by=request.user
                )
            except ValidationError as error:
                self.message_user(
                    request, f"{invoice_request}: {' '.join(error.messages)}", messages.ERROR
                )
            except (billing.StripeUnavailable, billing.StripeRejected) as error:
                self.message_user(
                    request, f"{invoice_request}: Stripe said: {error}", messages.ERROR
                )
            else:
                self.message_user(
                    request, f"{invoice_request}: subscription created.", messages.SUCCESS
                )

    @admin.action(description="Reject the selected requests")
    def reject(self, request, queryset):
        for invoice_request in queryset.filter(status=InvoiceRequest.Status.PENDING):
            services.invoice_request_reject(
                invoice_request=invoice_request,
                rejected_by=request.user,
                reason=f"Rejected by {request.user}.",
            )
        self.message_user(request, "The pending requests selected were rejected.")


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

    @admin.action(description="Re-apply the selected events", permissions=["view"])
    def reapply(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        # Re-applying reads Stripe's current state again, so an applied event is safe too.
        StripeEvent.objects.filter(pk__in=ids).update(outcome=StripeEvent.Outcome.PENDING)
        for event_id in ids:
            tasks.stripe_event_apply.delay(event_id)
        self.message_user(request, f"{len(ids)} event(s) queued to be applied again.")


@admin.register(MembershipGrant)
class MembershipGrantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "starts_on", "ends_on", "granted_by"]
    list_filter = ["reason", "ends_on"]
    search_fields = ["user__email", "organisation__name", "note"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation", "granted_by"]
    exclude = ["granted_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
