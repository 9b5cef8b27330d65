"""The event admin: the form (with the slides' file widget), speakers, the list's
actions, and saving, which tells registrants of changes and cancels once."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from events import services
from events.admin.pages import EventPages, being_emailed
from events.models import Eligibility, Event, EventStatus, Speaker
from network.admin_actions import asks_first
from network.admin_labels import LabelledTabularInline
from network.files import attachment_file_check, protected_files_discard
from network.forms import UKSplitDateTimeField
from network.widgets import AsksToChooseAgain


class SpeakerInline(LabelledTabularInline):
    model = Speaker
    extra = 1
    fields = ["name", "role", "order"]


def _formfield(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # what staff paste is https (Django 6's default)
    return db_field.formfield(**kwargs)


class _CurrentSlides:
    """What the file widget shows as "Currently": the original name, linked to the view
    that serves the slides (the file itself has no public URL)."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class SlidesInput(AsksToChooseAgain, forms.ClearableFileInput):
    current: _CurrentSlides | None = None

    def is_initial(self, value) -> bool:
        return bool(value) and self.current is not None

    def format_value(self, value):
        if value and not hasattr(value, "content_type") and self.current is not None:
            return self.current
        return super().format_value(value) if hasattr(value, "content_type") else None


# A cancelled event's time and place: what everyone registered was told it was, and what
# the calendar entry they were sent (and the public feed) say was cancelled.
CANCELLED_FIXED = ("starts_at", "ends_at", "format", "region", "venue", "address")
CANCELLED_FIXED_HELP = (
    "The event is cancelled, so its time and place stay as they were when it was "
    "cancelled: that is what registrants and calendars were told. To hold it at another "
    "time or place, make a new event."
)


def kept_for_registrations(events: list[Event]) -> str:
    """Why events people registered for are not deleted, and what to do instead."""
    names = ", ".join(f"“{event.title}”" for event in events)
    one = len(events) == 1
    return (
        f"{names} {'stays' if one else 'stay'}: people have registered, and their places, "
        "attendance and certificates belong to it. To call "
        f"{'it' if one else 'them'} off, set the status to Cancelled: everyone registered "
        "is emailed."
    )


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title", "slug", "status", "format", "summary", "description", "starts_at",
            "ends_at", "cpd_hours", "region", "venue", "address", "travel_notes",
            "online_link", "topics", "for_providers", "for_commissioners", "for_policy",
            "eligibility", "member_type", "capacity", "registration_opens_at",
            "registration_closes_at", "recording_url", "slides",
        ]  # fmt: skip
        widgets = {"slides": SlidesInput}
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A negative number is refused by the field itself: the same words as for 0.
        self.fields["capacity"].error_messages["min_value"] = "An event needs at least one place."
        if "online_link" in self.fields:
            # The model's help text can only name the setting; staff need its value.
            self.fields["online_link"].help_text = (
                "For webinars and hybrid events: shown only to people with a place, from "
                f"{settings.EVENTS_JOINING_LINK_MINUTES} minutes before the start."
            )
        instance = self.instance
        if instance.pk and instance.slides:
            self.fields["slides"].widget.current = _CurrentSlides(
                instance.slides_filename or "slides",
                reverse("events:slides", kwargs={"slug": instance.slug}),
            )

    def clean_cpd_hours(self):
        hours = self.cleaned_data.get("cpd_hours")
        # Printed on certificates as the hours someone attended.
        if hours is not None and hours <= 0:
            raise forms.ValidationError(
                "CPD hours must be more than 0. Leave the box empty to use the event's length."
            )
        return hours

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < 1:
            raise forms.ValidationError("An event needs at least one place.")
        return capacity

    def clean_slides(self):
        slides = self.cleaned_data.get("slides")
        if slides and "slides" in self.changed_data and hasattr(slides, "content_type"):
            self._checked_slides = attachment_file_check(slides)
        return slides

    def clean(self):
        cleaned = super().clean()
        eligibility = cleaned.get("eligibility")
        if eligibility == Eligibility.MEMBER_TYPE and not cleaned.get("member_type"):
            self.add_error("member_type", "Choose the member type this event is for.")
        if eligibility != Eligibility.MEMBER_TYPE and cleaned.get("member_type"):
            self.add_error("member_type", "Leave this empty unless the event is for one type.")
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must be after the start.")
        # Registration closes at its closing time, else at the start: opening at or after
        # that, it would never be open, and the page would say "not opened yet", then
        # "closed".
        opens = cleaned.get("registration_opens_at")
        closes = cleaned.get("registration_closes_at") or starts
        if opens and closes and opens >= closes:
            self.add_error(
                "registration_opens_at",
                "Registration must open before it closes (with no closing time, it closes "
                "when the event starts).",
            )
        fmt = cleaned.get("format")
        if fmt in ("in-person", "hybrid") and not cleaned.get("address"):
            self.add_error("address", "Give the venue's address for an event held in person.")
        if fmt == "in-person" and cleaned.get("region") == "online":
            self.add_error("region", "Choose the region where the event is held.")
        return cleaned


@admin.register(Event)
class EventAdmin(EventPages, admin.ModelAdmin):
    form = EventAdminForm
    list_display = [
        "title",
        "starts_at",
        "format",
        "region",
        "status",
        "capacity",
        "confirmed_count",
        "registrations_link",
    ]
    list_filter = ["status", "format", "region", "eligibility", "topics"]
    search_fields = ["title", "summary"]
    date_hierarchy = "starts_at"
    # The latest first: after a few years the oldest would fill the first pages. Given
    # here, not only in the model, because the places count (get_queryset) drops the
    # model's order, and the boxes that find events (a newsletter's sections) page by it.
    ordering = ["-starts_at", "-pk"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    inlines = [SpeakerInline]
    readonly_fields = ["sequence", "published_at", "cancelled_at", "resource_link", "tools"]
    actions = ["publish", "cancel_events", "finish"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "status", "format", "summary", "description", "tools"]},
        ),
        ("When (UK time)", {"fields": ["starts_at", "ends_at", "cpd_hours"]}),
        ("Where", {"fields": ["region", "venue", "address", "travel_notes", "online_link"]}),
        (
            "Who it is for",
            {
                "fields": [
                    "topics",
                    ("for_providers", "for_commissioners", "for_policy"),
                    "eligibility",
                    "member_type",
                ]
            },
        ),
        (
            "Registration",
            {"fields": ["capacity", "registration_opens_at", "registration_closes_at"]},
        ),
        ("After the event", {"fields": ["recording_url", "slides", "resource_link"]}),
        ("Record", {"fields": ["sequence", "published_at", "cancelled_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == EventStatus.CANCELLED:
            return [*self.readonly_fields, *CANCELLED_FIXED]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is None or obj.status != EventStatus.CANCELLED:
            return self.fieldsets
        # Shown as text, not as boxes: the section says why they cannot change.
        return [
            (name, {**options, "description": CANCELLED_FIXED_HELP})
            if name in ("When (UK time)", "Where")
            else (name, options)
            for name, options in self.fieldsets
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        if isinstance(db_field, models.DateTimeField):
            kwargs["form_class"] = UKSplitDateTimeField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        from events.selectors import with_places

        return with_places(super().get_queryset(request))

    @admin.display(description="places taken")
    def confirmed_count(self, obj) -> int:
        return getattr(obj, "places_taken", 0)

    @admin.display(description="registrations")
    def registrations_link(self, obj) -> str:
        url = reverse("admin:events_registration_changelist") + f"?event__id__exact={obj.pk}"
        return format_html('<a href="{}">Registrations</a>', url)

    @admin.display(description="Library resource")
    def resource_link(self, obj) -> str:
        if obj.resource_id is None:
            return "None yet: use 'Put the recording in the library' below."
        url = reverse("admin:practice_library_resource_change", args=[obj.resource_id])
        return format_html('<a href="{}">{}</a>', url, obj.resource)

    @admin.display(description="Run the event")
    def tools(self, obj) -> str:
        if not obj.pk:
            return "Save the event first."
        return format_html(
            '<a href="{}">Registrations</a> · <a href="{}">Attendance register</a> · '
            '<a href="{}">Email everyone registered</a> · <a href="{}">Put the recording in '
            'the library</a> · <a href="{}">View on site</a>',
            reverse("admin:events_registration_changelist") + f"?event__id__exact={obj.pk}",
            reverse("admin:events_event_register", args=[obj.pk]),
            reverse("admin:events_event_message", args=[obj.pk]),
            reverse("admin:events_event_library", args=[obj.pk]),
            obj.get_absolute_url(),
        )

    def save_model(self, request, obj, form, change):
        before: dict = {}
        old_capacity = None
        cancelling = False
        stored_slides = ""
        if change:
            old = Event.objects.get(pk=obj.pk)
            stored_slides = old.slides.name
            before = {name: getattr(old, name) for name in services.CALENDAR_FIELDS}
            old_capacity = old.capacity
            if old.status == EventStatus.CANCELLED and obj.status != EventStatus.CANCELLED:
                obj.status = EventStatus.CANCELLED  # cancelling is final: make a new event
                messages.warning(request, "A cancelled event stays cancelled.")
            cancelling = old.status != EventStatus.CANCELLED and obj.status == EventStatus.CANCELLED
            if cancelling:
                obj.status = old.status  # event_cancel() cancels it and emails everyone
        checked = getattr(form, "_checked_slides", None)
        if checked is not None:
            obj.slides_filename = (form.cleaned_data["slides"].name or "slides")[:200]
            obj.slides_extension = checked.extension
            obj.slides_content_type = checked.content_type
        services.event_prepare(event=obj)
        super().save_model(request, obj, form, change)
        if stored_slides != obj.slides.name:
            protected_files_discard([stored_slides])  # slides replaced or cleared
        if cancelling:
            try:
                count = services.event_cancel(event=obj)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return
            obj.refresh_from_db()
            messages.success(request, f"Event cancelled: {being_emailed(count)}.")
            return
        count = services.event_changed(event=obj, before=before)
        if count:
            messages.info(request, f"{being_emailed(count)} the new details.")
        if old_capacity is not None and obj.capacity > old_capacity:
            services.event_update_after_capacity_change(event=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # No "Delete" button on an event people registered for: cancelling is the way.
        if obj is not None and obj.registrations.exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        # Reached by its address with registrations: say why not, rather than Django's
        # "permission" page.
        event = self.get_object(request, unquote(object_id))
        if event is not None and event.registrations.exists():
            self.message_user(request, kept_for_registrations([event]), messages.WARNING)
            return redirect(reverse("admin:events_event_change", args=[event.pk]))
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                EventAdmin.delete_selected_events,
                "delete_selected",
                actions["delete_selected"][2],
            )
        return actions

    def delete_selected_events(self, request, queryset):
        registered = list(queryset.filter(registrations__isnull=False).distinct())
        if registered:
            self.message_user(request, kept_for_registrations(registered), messages.WARNING)
            return None
        return delete_selected(self, request, queryset)

    def delete_model(self, request, obj):
        slides = obj.slides.name
        super().delete_model(request, obj)
        protected_files_discard([slides])

    def delete_queryset(self, request, queryset):
        slides = list(queryset.values_list("slides", flat=True))
        super().delete_queryset(request, queryset)
        protected_files_discard(slides)

    @admin.action(description="Publish the selected events", permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for event in queryset.filter(status=EventStatus.DRAFT):
            event.status = EventStatus.PUBLISHED
            services.event_prepare(event=event)
            event.save()
            count += 1
        self.message_user(request, f"{count} event(s) published.")

    @admin.action(
        description="Cancel the selected events (emails everyone)", permissions=["change"]
    )
    @asks_first(
        "Each event below that has not yet taken place is cancelled, and everyone who "
        "holds a place or waits for one is emailed that it is cancelled. A cancelled event "
        "stays cancelled: it cannot be published again. Events already over are left as "
        "they are."
    )
    def cancel_events(self, request, queryset):
        emailed = 0
        refused = []
        with transaction.atomic():
            for event in queryset.exclude(status=EventStatus.CANCELLED):
                try:
                    emailed += services.event_cancel(event=event)
                except ValidationError as error:
                    refused.extend(error.messages)
        self.message_user(request, f"Cancelled; {being_emailed(emailed)}.")
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Mark the selected events finished", permissions=["change"])
    def finish(self, request, queryset):
        # update() skips auto_now: set updated_at, which the feeds' ETags read.
        count = queryset.filter(status=EventStatus.PUBLISHED).update(
            status=EventStatus.FINISHED, updated_at=timezone.now()
        )
        self.message_user(request, f"{count} event(s) marked finished.")
