"""The admin of people: accounts, their seats and memberships, the members export."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from members import access
from members.accounts import (
    second_step_before_appointment,
    sign_in_address_replace,
)
from members.admin.seats import SeatInline, seat_formset_save
from members.exports import members_csv_lines
from members.models import Seat, User
from members.person_pages import person_admin_links
from network.text import email_that_wraps


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


class SignInAddressMixin:
    """The address typed by staff, as the site's own forms keep it."""

    def clean_email(self) -> str:
        # allauth lowercases every address it stores and looks people up by the
        # lowercased address: one kept with capitals would never sign its owner in, and
        # "Ruth@..." beside "ruth@..." would be two accounts for one mailbox.
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError("Another account already signs in with this address.")
        return email


class MemberCreationForm(SignInAddressMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name"]


class MemberChangeForm(SignInAddressMixin, UserChangeForm):
    def clean_is_staff(self) -> bool:
        is_staff = self.cleaned_data.get("is_staff", False)
        if is_staff and not self.instance.is_staff:
            # Staff set up two-factor before any page opens for them, but an account made
            # staff first would let whoever holds its password set up their own.
            second_step_before_appointment([self.instance], role="staff")
        return is_staff

    def clean_is_superuser(self) -> bool:
        is_superuser = self.cleaned_data.get("is_superuser", False)
        if is_superuser and not self.instance.is_superuser:
            # A superuser holds every power on the site, staff status or not: as for staff.
            second_step_before_appointment([self.instance], role="a superuser")
        return is_superuser

    def clean_groups(self):
        groups = self.cleaned_data.get("groups")
        appointed = groups is not None and groups.filter(name=access.MODERATORS_GROUP).exists()
        already = (
            self.instance.pk is not None
            and self.instance.groups.filter(name=access.MODERATORS_GROUP).exists()
        )
        if appointed and not already:
            # As for staff: the moderators' pages wait for two-factor, and an account
            # appointed first would let whoever holds its password set up their own.
            second_step_before_appointment([self.instance], role="a moderator")
        return groups

    class Meta:
        model = User
        fields = "__all__"
        help_texts = {
            "email": "The address the person signs in with. Changed here, the old address "
            "signs in no more and the person is emailed at the new one to confirm it."
        }


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    # member_type here is the "work" people state about themselves; it opens nothing
    # (the access summary shows the type their membership gives).
    # The region is said under the work: as a column of its own, beside the admin's menu
    # and the filters on a 1,280 px screen, it pushed the date joined out of sight.
    list_display = ["email_address", "name", "work_and_region", "is_staff", "date_joined"]
    list_filter = [MembershipNowFilter, "member_type", "region", "is_staff", "is_active", "groups"]
    search_fields = ["email", "name", "organisation_name", "seats__organisation__name"]
    actions = ["export_csv"]
    ordering = ["email"]
    readonly_fields = [
        "access_summary",
        "kept_elsewhere",
        "last_login",
        "date_joined",
        "erased_at",
    ]
    filter_horizontal = ["groups", "user_permissions", "topics"]
    inlines = [SeatInline]
    fieldsets = [
        (None, {"fields": ["email", "password", "access_summary", "kept_elsewhere"]}),
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
        ("Dates", {"fields": ["last_login", "date_joined", "erased_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]

    @admin.display(description="email address", ordering="email")
    def email_address(self, user: User) -> str:
        return email_that_wraps(user.email)

    @admin.display(description="work", ordering="member_type")
    def work_and_region(self, user: User) -> str:
        work, region = user.get_member_type_display(), user.get_region_display()
        if not region:
            return work or "-"
        return format_html("{}<br>{}", work or "-", region)

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Whoever may edit people could otherwise make themselves (or anyone) staff
            # or a superuser, or give any permission: that stays with superusers.
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # (The same address in other capitals is the same mailbox: nothing to confirm.)
        if change and form.initial["email"].lower() != obj.email:
            sign_in_address_replace(user=obj, old_email=form.initial["email"], request=request)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is Seat:
            seat_formset_save(request, formset)
        else:
            super().save_formset(request, form, formset, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a person would take safeguarding and billing records with them:
        # record an erasure request in the requests log (Data requests) instead, which
        # keeps those records under a pseudonym. A staff member's own deletion too.
        return False

    @admin.display(description="Kept about them")
    def kept_elsewhere(self, obj: User) -> str:
        """Links to their subscriptions, invoices, posts, reports, places and the rest."""
        if obj.pk is None:
            return "-"
        return format_html_join(
            " · ", '<a href="{}">{}</a>', ((url, text) for text, url in person_admin_links(obj))
        )

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
