"""The admin of memberships granted by staff and of requests to change member type."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from members import access, type_changes
from members.models import (
    MembershipGrant,
    MemberTypeChangeRequest,
)
from members.organisations.tasks import seats_over_check
from network.admin_actions import asks_first


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
        if obj.organisation_id:
            # The seats it gives may now be fewer than those in use, or enough again.
            seats_over_check.delay_on_commit(obj.organisation_id)


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
        "decision_notified_at",
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
    @asks_first(
        "Each pending request below is approved: the person's own staff grant takes the "
        "member type they asked for, which changes the forum rooms and newsletters open to "
        "them, and they are emailed the decision."
    )
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
    @asks_first(
        "Each pending request below is rejected: nothing changes for the person, and they "
        "are emailed the decision. To say why, reject one request from its own page with a "
        "note instead."
    )
    def reject(self, request, queryset):
        rejected = 0
        for change_request in queryset.filter(status=MemberTypeChangeRequest.Status.PENDING):
            type_changes.type_change_request_reject(
                change_request=change_request, rejected_by=request.user
            )
            rejected += 1
        self.message_user(request, f"{rejected} request(s) rejected.")
