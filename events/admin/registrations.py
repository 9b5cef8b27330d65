"""Registrations: filters, attendance marked in bulk, cancelling a place (never deleting
it), the CSV export, and the emails each person was sent; and the log of messages staff
sent to everyone registered."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import date_format

from events import attendance, exports, services
from events.models import Event, EventMessage, Notice, Registration, RegistrationStatus
from members.admin.account_fields import AccountFieldsAsText, account_address
from network.admin_actions import asks_first
from network.admin_labels import LabelledTabularInline
from network.text import counted


class AttendedFilter(admin.SimpleListFilter):
    title = "attended"
    parameter_name = "attended"

    def lookups(self, request, model_admin):
        return [("yes", "Attended"), ("no", "Not marked attended")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(attended=True)
        if self.value() == "no":
            return queryset.filter(attended=False)
        return queryset


class RecentEventFilter(admin.SimpleListFilter):
    """The events of the past year and those to come, latest first. Years of events
    would make a list hundreds long; an older event's registrations open from its own
    page, whose link passes the same parameter, and the event chosen is always listed.
    Each is named with its date: a monthly meeting keeps its title, and a column of
    links that all read the same would not say which one leads where."""

    title = "event (the past year's and those to come)"
    parameter_name = "event__id__exact"

    def lookups(self, request, model_admin):
        recent = Q(starts_at__gte=timezone.now() - timedelta(days=365))
        chosen = self.value()
        if chosen is not None and chosen.isdigit():
            recent |= Q(pk=int(chosen))
        events = Event.objects.filter(recent).order_by("-starts_at", "-pk")
        return [
            (
                str(event.pk),
                f"{event.title} ({date_format(timezone.localtime(event.starts_at), 'j M Y')})",
            )
            for event in events.only("title", "starts_at")
        ]

    def queryset(self, request, queryset):
        chosen = self.value()
        if chosen is None:
            return queryset
        if not chosen.isdigit():
            return queryset.none()  # from the address bar: no event, so no rows
        return queryset.filter(event_id=int(chosen))


class NoticeInline(LabelledTabularInline):
    model = Notice
    extra = 0
    can_delete = False
    fields = ["kind", "state", "attempts", "sent_at", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class RegistrationAdminForm(forms.ModelForm):
    def clean_attended(self) -> bool:
        attended = self.cleaned_data.get("attended")
        # As the register and the bulk action: attendance opens a certificate, so only
        # someone who held a confirmed place can have attended.
        if attended and "attended" in self.changed_data:
            status = self.instance.status
            if status != RegistrationStatus.CONFIRMED:
                label = RegistrationStatus(status).label.lower()
                raise forms.ValidationError(
                    f"Only a confirmed place can be marked attended: this registration is "
                    f"“{label}”."
                )
        return attended


@admin.register(Registration)
class RegistrationAdmin(AccountFieldsAsText, admin.ModelAdmin):
    form = RegistrationAdminForm
    # Five columns that wrap fit beside the admin's menu and the filters on a 1,280 px
    # screen. The event as a plain column would not wrap (Django keeps a related row's
    # name on one line), and neither would the date: they pushed the status and the
    # attendance out of sight. The status says the place and the attendance too.
    list_display = ["name", "organisation", "event_title", "status_and_place", "registered"]
    list_filter = ["status", AttendedFilter, RecentEventFilter]
    search_fields = ["name", "organisation_name", "user__email", "event__title"]
    list_select_related = ["event", "user"]
    raw_id_fields = ["user", "event"]
    # The needs are the person's own words, given when registering: staff read them to
    # make arrangements, but do not rewrite them.
    readonly_fields = [
        "event", "user", "status", "place", "name", "organisation_name", "waiting_since",
        "offer_expires_at", "confirmed_at", "cancelled_at", "created_at", "attendance_marked_at",
        "needs",
    ]  # fmt: skip
    fields = [*readonly_fields, "attended"]
    account_fields = {"user": "account"}
    account = account_address("user", "account")
    inlines = [NoticeInline]
    actions = ["mark_attended", "mark_not_attended", "cancel_places", "export_csv"]

    def has_add_permission(self, request) -> bool:
        return False  # people register themselves, one place at a time, through the site

    @admin.display(description="organisation", ordering="organisation_name")
    def organisation(self, obj) -> str:
        return obj.organisation_name

    @admin.display(description="event", ordering="event__starts_at")
    def event_title(self, obj) -> str:
        return (
            f"{obj.event.title} ({date_format(timezone.localtime(obj.event.starts_at), 'j M Y')})"
        )

    @admin.display(description="status", ordering="status")
    def status_and_place(self, obj) -> str:
        said = [obj.get_status_display()]
        if obj.place is not None:
            said.append(f"place {obj.place}")
        if obj.attended:
            said.append("attended")
        return ", ".join(said)

    @admin.display(description="registered", ordering="created_at")
    def registered(self, obj) -> str:
        return date_format(timezone.localtime(obj.created_at), "j M Y, H:i")

    def save_model(self, request, obj, form, change) -> None:
        # Attendance goes through events/attendance.py, as from the register: counted for
        # the insight reports when ticked, taken back when unticked.
        changed = [name for name in form.changed_data if name != "attended"]
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])
        if "attended" in form.changed_data:
            attendance.attendance_mark(registration_ids=[obj.pk], attended=obj.attended)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting the row would free a place without offering it to the waiting list or
        # telling the person: a place is given up through "Cancel the selected places".
        # Erasing a person keeps their rows too (events/personal_data.py).
        return False

    @admin.action(
        description="Cancel the selected places (emails each person)", permissions=["change"]
    )
    @asks_first(
        "Each person below loses their place (or leaves the waiting list) and is emailed "
        "that their registration is cancelled. Each place freed is offered to the first "
        "person on the waiting list. A cancelled place cannot be given back: the person "
        "would register again, behind anyone waiting."
    )
    def cancel_places(self, request, queryset):
        cancelled, refused = 0, []
        for registration in queryset.select_related("event"):
            try:
                cancelled += services.registration_cancel(registration=registration)
            except ValidationError as error:
                refused.append(f"{registration.name or registration.user}: {_staff_reason(error)}")
        self.message_user(
            request,
            f"{counted(cancelled, 'registration')} cancelled; each person is emailed, and each "
            "place freed is offered to the first on the waiting list."
            if cancelled
            else "Nothing cancelled: no one selected held a place or waited for one.",
            messages.SUCCESS if cancelled else messages.WARNING,
        )
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Mark the selected people as attended", permissions=["change"])
    def mark_attended(self, request, queryset):
        count = attendance.attendance_mark(
            registration_ids=list(queryset.values_list("pk", flat=True)), attended=True
        )
        self.message_user(request, f"{count} marked as attended (confirmed places only).")

    @admin.action(description="Mark the selected people as not attended", permissions=["change"])
    def mark_not_attended(self, request, queryset):
        count = attendance.attendance_mark(
            registration_ids=list(queryset.values_list("pk", flat=True)), attended=False
        )
        self.message_user(request, f"{count} marked as not attended.")

    @admin.action(description="Export the selected registrations as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        rows = queryset.select_related("event", "user").order_by("event__starts_at", "name")
        response = StreamingHttpResponse(
            exports.registrations_csv_lines(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="registrations.csv"'
        return response


def _staff_reason(error: ValidationError) -> str:
    """Why a place could not be cancelled, said to staff (the service speaks to the person)."""
    if error.code == "event_cancelled":
        return "not cancelled: the event is cancelled, so the place went with it."
    if error.code == "finished":
        return "not cancelled: the event has finished, and attendance stands as marked."
    return " ".join(error.messages)


@admin.register(EventMessage)
class EventMessageAdmin(AccountFieldsAsText, admin.ModelAdmin):
    list_display = ["subject", "event", "sent_by", "created_at"]
    list_filter = [RecentEventFilter]
    # Named, not left to Django: on its own it follows only the keys that cannot be
    # empty, and sent_by can, so each row would read its sender with a query of its own.
    list_select_related = ["event", "sent_by"]
    readonly_fields = ["event", "subject", "body", "include_waiting", "sent_by", "created_at"]
    account_fields = {"sent_by": "sent_by_address"}
    sent_by_address = account_address("sent_by", "sent by")

    def has_add_permission(self, request) -> bool:
        return False  # written from the event's "Email everyone registered" page
