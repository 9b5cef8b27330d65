"""The requests log: people's requests for a copy of their data or for erasure, made on
their account page or recorded by staff from an email or a letter, with their one-month
deadline, state and outcome. Staff run the export or the erasure from here, through the
same services the account pages use."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from members import data_rights
from members.billing.gateway import StripeRejected, StripeUnavailable
from members.models import DataRequest
from network.admin_actions import asks_first


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", "Open past its deadline"), ("open", "Open")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.open().filter(due_by__lt=timezone.now())
        if self.value() == "open":
            return queryset.open()
        return queryset


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    # Where a request stands and when it is due come first: a phone shows the first
    # columns without scrolling sideways.
    list_display = ["user", "kind", "state", "due_by", "is_overdue", "received_at", "source"]
    list_filter = [OverdueFilter, "kind", "state", "source"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__name"]
    autocomplete_fields = ["user"]
    date_hierarchy = "received_at"
    actions = ["run_export", "run_erasure"]
    fields = [
        "user",
        "kind",
        "source",
        "received_at",
        "due_by",
        "keep_post_text",
        "state",
        "outcome",
        "erase_after",
        "renewals_stop_pending",
        "closed_at",
        "recorded_by",
        "export_expires_at",
        "export_downloaded_at",
        "notified_at",
    ]
    readonly_fields = [
        "due_by",
        "erase_after",
        "renewals_stop_pending",
        "closed_at",
        "recorded_by",
        "export_expires_at",
        "export_downloaded_at",
        "notified_at",
    ]

    @admin.display(boolean=True, description="Overdue")
    def is_overdue(self, obj: DataRequest) -> bool:
        return obj.is_overdue

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            # A new request starts as received: staff then run the export or the
            # erasure from the list (a state picked here would do neither).
            return [*self.readonly_fields, "state"]
        # Who and what a request is about never changes once logged.
        return [*self.readonly_fields, "user", "kind", "received_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        # A closed request is the record of what was done: it stays as it was closed,
        # shown read-only (no save buttons offering changes that could not be made).
        if obj is not None and not obj.is_open:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
            if obj.source == DataRequest.Source.ACCOUNT:
                obj.source = DataRequest.Source.OTHER
        if not obj.is_open and not obj.closed_at:
            # Its two years in the log count from here (members' retention rules).
            obj.closed_at = timezone.now()
        super().save_model(request, obj, form, change)
        if change and obj.state in data_rights.CLOSED_WITHOUT_ERASURE:
            # A deletion closed by hand erases no one: its membership renews again.
            data_rights.account_deletion_renewals_put_back(data_request=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the log is kept (its own retention period removes old entries)

    @admin.action(description="Prepare the download and email the person its link")
    def run_export(self, request, queryset):
        started = 0
        for data_request in queryset.filter(kind=DataRequest.Kind.ACCESS).select_related("user"):
            if data_request.user.is_erased:
                continue
            data_rights.data_export_run(data_request=data_request)
            started += 1
        messages.success(request, f"Preparing {started} download(s); each person is emailed.")

    @admin.action(description="Erase the person now (no grace period)")
    @asks_first(
        "Each person named in a selected erasure request is erased now, without the "
        "grace period: their personal subscriptions are cancelled in Stripe, every part "
        "of the site erases what it holds about them, and their account becomes a "
        '"former member" with nothing personal. Forum posts are kept or removed as '
        "each request says. Each person is emailed that it was done, with what was kept "
        "and why. This cannot be undone."
    )
    def run_erasure(self, request, queryset):
        for data_request in queryset.filter(kind=DataRequest.Kind.ERASURE).select_related("user"):
            try:
                data_rights.account_erase(data_request=data_request, erased_by=request.user)
            except ValidationError as error:
                messages.error(request, f"{data_request.user}: {' '.join(error.messages)}")
            except (StripeUnavailable, StripeRejected) as error:
                messages.error(
                    request, f"{data_request.user}: Stripe refused or is down ({error})."
                )
            else:
                messages.success(request, f"Erased: now {data_request.user}.")
