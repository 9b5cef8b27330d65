from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.utils import timezone

from members import access, type_changes
from members.billing import gateway, services, sync, tasks
from members.exports import members_csv_lines
from members.models import (
    Invitation,
    Invoice,
    InvoiceRequest,
    MembershipGrant,
    MemberTypeChangeRequest,
    Organisation,
    Plan,
    Seat,
    StripeEvent,
    Subscription,
    User,
)
from members.organisations import invitations, seats


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    autocomplete_fields = ["user", "organisation"]
    fields = ["user", "organisation", "is_admin", "slot", "created_at"]
    readonly_fields = ["created_at"]


class MembershipNowFilter(admin.SimpleListFilter):
    """Who is a member today, by the same rule as the site (access.members_now_q)."""

    title = "membership now"
    parameter_name = "membership"

    def lookups(self, request, model_admin):
        return [("member", "Member"), ("not-member", "Not a member")]

    def queryset(self, request, queryset):
        if self.value() == "member":
            return queryset.filter(access.members_now_q())
        if self.value() == "not-member":
            return queryset.exclude(access.members_now_q())
        return queryset


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
    # member_type here is the "work" people state about themselves; it opens nothing
    # (the access summary shows the type their membership gives).
    list_display = ["email", "name", "member_type", "region", "is_staff", "date_joined"]
    list_filter = [MembershipNowFilter, "member_type", "region", "is_staff", "is_active", "groups"]
    search_fields = ["email", "name", "organisation_name", "seats__organisation__name"]
    actions = ["export_csv"]
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

    @admin.action(description="Export selected people as CSV (with their membership)")
    def export_csv(self, request, queryset):
        people = queryset.order_by("email").iterator(chunk_size=500)
        response = StreamingHttpResponse(members_csv_lines(people), content_type="text/csv")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="members-{stamp}.csv"'
        return response


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["email", "invited_by", "sent_at", "accepted_at", "accepted_by", "revoked_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # invitations are sent by organisation admins (or from the list)


class OrganisationGrantInline(admin.TabularInline):
    model = MembershipGrant
    fk_name = "organisation"
    extra = 0
    fields = ["seats", "starts_on", "ends_on", "reason", "member_type", "note"]
    verbose_name = "membership granted by staff"
    verbose_name_plural = "memberships granted by staff"


class HasVerifiedDomainFilter(admin.SimpleListFilter):
    title = "verified email domain"
    parameter_name = "domain"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "None")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(verified_domain="")
        if self.value() == "no":
            return queryset.filter(verified_domain="")
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Organisations with their seats, invitations and staff grants.

    Staff verify an organisation's email domain by entering it here, after checking
    (e.g. by a call to a known number) that the organisation owns it.
    """

    list_display = ["name", "org_type", "region", "seats_taken", "verified_domain", "created_at"]
    list_filter = ["org_type", "region", HasVerifiedDomainFilter]
    search_fields = [
        "name",
        "billing_email",
        "verified_domain",
        "stripe_customer_id",
        "seats__user__email",
    ]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["seats_summary", "created_at"]
    inlines = [SeatInline, InvitationInline, OrganisationGrantInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "org_type", "region", "seats_summary"]}),
        ("Seats by email domain", {"fields": ["verified_domain"]}),
        (
            "Billing",
            {
                "fields": [
                    "billing_contact_name",
                    "billing_email",
                    "billing_address",
                    "purchase_order_number",
                    "stripe_customer_id",
                ]
            },
        ),
        ("Dates", {"fields": ["created_at"]}),
    ]

    def get_queryset(self, request):
        # One count per page of organisations, not one query per row.
        return super().get_queryset(request).annotate(seat_count=Count("seats", distinct=True))

    @admin.display(description="seats taken", ordering="seat_count")
    def seats_taken(self, obj: Organisation) -> int:
        return obj.seat_count

    @admin.display(description="Seats")
    def seats_summary(self, obj: Organisation) -> str:
        if obj.pk is None:
            return "-"
        current = access.organisation_membership(obj)
        usage = seats.seats_usage(obj, total=current.seats if current else 0)
        if current is None:
            return f"No active membership; {usage.taken} people hold seats that give no access."
        where = "a subscription" if current.subscription else "a staff grant"
        ends = current.ends_at or current.renews_at
        when = f", until {ends:%d %B %Y}" if ends else ""
        return (
            f"{usage.used} of {usage.total} seats in use ({usage.taken} people, {usage.held} "
            f"invitations), from {where}{when}."
        )


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("open", "Waiting (holds a seat)"),
            ("expired", "Expired"),
            ("accepted", "Accepted"),
            ("revoked", "Revoked"),
        ]

    def queryset(self, request, queryset):
        cutoff = timezone.now() - seats.invitation_lifetime()
        waiting = Q(accepted_at__isnull=True, revoked_at__isnull=True)
        if self.value() == "open":
            return queryset.filter(waiting, sent_at__gt=cutoff)
        if self.value() == "expired":
            return queryset.filter(waiting, sent_at__lte=cutoff)
        if self.value() == "accepted":
            return queryset.filter(accepted_at__isnull=False)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "invited_by", "sent_at", "accepted_at", "revoked_at"]
    list_filter = [InvitationStateFilter]
    search_fields = ["email", "organisation__name", "invited_by__email"]
    list_select_related = ["organisation", "invited_by"]
    readonly_fields = [
        "organisation",
        "email",
        "invited_by",
        "created_at",
        "sent_at",
        "emailed_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # organisation admins invite from their organisation page

    @admin.action(description="Revoke selected invitations (frees their seats)")
    def revoke(self, request, queryset):
        revoked = 0
        for invitation in queryset:
            try:
                invitations.invitation_revoke(invitation=invitation, revoked_by=request.user)
            except ValidationError as error:
                messages.warning(request, f"{invitation}: {' '.join(error.messages)}")
            else:
                revoked += 1
        messages.success(request, f"{revoked} invitation(s) revoked.")


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
                sync.subscription_sync(stripe_subscription_id=subscription.stripe_subscription_id)
                done += 1
            except (gateway.StripeUnavailable, gateway.StripeRejected) as error:
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
            except (gateway.StripeUnavailable, gateway.StripeRejected) as error:
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


class GrantCurrentFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("now", "Now"), ("future", "Starts later"), ("ended", "Ended")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "now":
            return queryset.filter(starts_on__lte=today, ends_on__gte=today)
        if self.value() == "future":
            return queryset.filter(starts_on__gt=today)
        if self.value() == "ended":
            return queryset.filter(ends_on__lt=today)
        return queryset


class MembershipGrantForm(forms.ModelForm):
    class Meta:
        model = MembershipGrant
        fields = [
            "user",
            "organisation",
            "member_type",
            "seats",
            "starts_on",
            "ends_on",
            "reason",
            "note",
        ]

    def clean(self):
        cleaned = super().clean()
        has_user = bool(cleaned.get("user"))
        has_organisation = bool(cleaned.get("organisation"))
        if has_user == has_organisation:
            raise ValidationError("Choose either a person or an organisation (not both).")
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last day of access cannot be before the first.")
        return cleaned


@admin.register(MembershipGrant)
class MembershipGrantAdmin(admin.ModelAdmin):
    """Memberships staff give a person or an organisation (with seats), from a start day
    to an end day (both included), with a reason: complimentary, partner, invoice paid
    offline."""

    list_display = [
        "__str__",
        "holder_kind",
        "seats",
        "reason",
        "starts_on",
        "ends_on",
        "granted_by",
    ]
    list_filter = [GrantCurrentFilter, "reason", "member_type"]
    search_fields = ["user__email", "user__name", "organisation__name", "note"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation", "granted_by"]
    date_hierarchy = "ends_on"
    form = MembershipGrantForm
    fields = [
        "user",
        "organisation",
        "member_type",
        "seats",
        "starts_on",
        "ends_on",
        "reason",
        "note",
    ]

    @admin.display(description="for")
    def holder_kind(self, obj: MembershipGrant) -> str:
        return "organisation" if obj.organisation_id else "person"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(MemberTypeChangeRequest)
class MemberTypeChangeRequestAdmin(admin.ModelAdmin):
    """Members' requests to change the member type that decides their access.

    Approve changes the person's own staff grant; when their type comes from a plan or an
    organisation, change that instead and reject the request with a note (the note is
    shown to the member on their account page).
    """

    list_display = ["user", "current_type", "requested_type", "status", "created_at"]
    list_filter = ["status", "requested_type"]
    search_fields = ["user__email", "user__name", "reason"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "membership_now",
        "current_type",
        "requested_type",
        "reason",
        "status",
        "decided_by",
        "decided_at",
        "staff_notified_at",
        "created_at",
    ]
    fields = [*readonly_fields[:6], "decision_note", *readonly_fields[6:]]
    actions = ["approve", "reject"]

    def has_add_permission(self, request) -> bool:
        return False  # members ask from their account page

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != MemberTypeChangeRequest.Status.PENDING:
            return [*self.readonly_fields, "decision_note"]
        return self.readonly_fields

    @admin.display(description="membership now")
    def membership_now(self, obj: MemberTypeChangeRequest) -> str:
        current = access.membership(obj.user)
        if current is None:
            return "No membership now."
        where = {
            access.Source.PERSONAL: f"the plan {current.subscription.plan if current.subscription else ''}",
            access.Source.SEAT: f"a seat at {current.organisation}",
            access.Source.GRANT: f"their own staff grant ({current.grant})",
        }[current.source]
        return f"{current.member_type_label}, from {where}."

    @admin.action(description="Approve: give their staff grant the type asked for")
    def approve(self, request, queryset):
        for change_request in queryset.filter(status=MemberTypeChangeRequest.Status.PENDING):
            try:
                type_changes.type_change_request_approve(
                    change_request=change_request, approved_by=request.user
                )
            except ValidationError as error:
                self.message_user(
                    request, f"{change_request}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, f"{change_request}: approved.", messages.SUCCESS)

    @admin.action(description="Reject the selected requests")
    def reject(self, request, queryset):
        rejected = 0
        for change_request in queryset.filter(status=MemberTypeChangeRequest.Status.PENDING):
            type_changes.type_change_request_reject(
                change_request=change_request, rejected_by=request.user
            )
            rejected += 1
        self.message_user(request, f"{rejected} request(s) rejected.")
