from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.utils import timezone

from members import access, organisations
from members.exports import members_csv_lines
from members.models import (
    Invitation,
    MembershipGrant,
    Organisation,
    Plan,
    Seat,
    Subscription,
    User,
)


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
        usage = organisations.seats_usage(obj, total=current.seats if current else 0)
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
        cutoff = timezone.now() - organisations.invitation_lifetime()
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
                organisations.invitation_revoke(invitation=invitation, revoked_by=request.user)
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


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "collection_method", "quantity", "current_period_end"]
    list_filter = ["status", "collection_method", "plan"]
    search_fields = [
        "user__email",
        "organisation__name",
        "stripe_subscription_id",
        "stripe_customer_id",
    ]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation", "plan"]


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
