from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from members import access
from members.models import MembershipGrant, Organisation, Plan, Seat, Subscription, User


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
