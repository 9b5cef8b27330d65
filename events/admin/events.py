"""The event admin: speakers, the event's numbers and tools, the list's actions, and
saving, which tells registrants of changes and cancels once (the form: event_form.py)."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from events import access as events_access
from events import services
from events.admin.event_form import EventAdminForm
from events.admin.pages import EventPages, being_emailed
from events.models import ONLINE, Event, EventStatus, Speaker
from network.admin_actions import asks_first
from network.admin_labels import LabelledTabularInline
from network.files import protected_files_discard
from network.forms import UKSplitDateTimeField
from network.text import counted


class SpeakerInline(LabelledTabularInline):
    model = Speaker
    extra = 1
    fields = ["name", "role", "order"]


CANCELLED_FIXED = ("starts_at", "ends_at", "format", "region", "venue", "address")
CANCELLED_FIXED_HELP = (
    "The event is cancelled, so its time and place stay as they were when it was "
    "cancelled: that is what registrants and calendars were told. To hold it at another "
    "time or place, make a new event."
)
# Said to everyone who opens an event, editors included: the registration form tells
# people the same.
WHO_SEES_REGISTRATIONS = (
    "Who registered, and the access and dietary needs they gave, are seen only by the "
    "network's event organisers (staff who may see registrations)."
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


def _swapped(fields, old: str, new: str) -> list:
    return [new if field == old else field for field in fields]


def _tools(event: Event, *, registrations: bool) -> str:
    """Links to the event's own pages; those naming the people registered only for the
    staff who may see them."""
    if not event.pk:
        return "Save the event first."
    links = [
        ("Email everyone registered", reverse("admin:events_event_message", args=[event.pk])),
        (
            "Put the recording in the library",
            reverse("admin:events_event_library", args=[event.pk]),
        ),
        ("View on site", event.get_absolute_url()),
    ]
    if registrations:
        links[:0] = [
            (
                "Registrations",
                reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}",
            ),
            ("Attendance register", reverse("admin:events_event_register", args=[event.pk])),
        ]
    return format_html_join(" · ", '<a href="{1}">{0}</a>', links)


@admin.register(Event)
class EventAdmin(EventPages, admin.ModelAdmin):
    form = EventAdminForm
    # Five columns fit beside the admin's menu and the filters on a 1,280 px screen: the
    # format shares one with the region, and the places one with the waiting list and,
    # for the staff who may see them, the link to the registrations.
    list_display = ["title", "starts_at", "where", "status", "places_and_registrations"]
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
    readonly_fields = [
        "sequence", "published_at", "cancelled_at", "resource_link", "tools", "event_tools",
        "numbers",
    ]  # fmt: skip
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
            {
                "fields": [
                    "capacity",
                    "numbers",
                    "registration_opens_at",
                    "registration_closes_at",
                ],
                "description": WHO_SEES_REGISTRATIONS,
            },
        ),
        ("After the event", {"fields": ["recording_url", "slides", "resource_link"]}),
        ("Record", {"fields": ["sequence", "published_at", "cancelled_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == EventStatus.CANCELLED:
            return [*self.readonly_fields, *CANCELLED_FIXED]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = self.fieldsets
        if not events_access.can_see_registrations(request.user):
            # The same tools, without the pages that name the people registered.
            fieldsets = [
                (name, {**options, "fields": _swapped(options["fields"], "tools", "event_tools")})
                for name, options in fieldsets
            ]
        if obj is None or obj.status != EventStatus.CANCELLED:
            return fieldsets
        # Shown as text, not as boxes: the section says why they cannot change.
        return [
            (name, {**options, "description": CANCELLED_FIXED_HELP})
            if name in ("When (UK time)", "Where")
            else (name, options)
            for name, options in fieldsets
        ]

    def get_list_display(self, request):
        if events_access.can_see_registrations(request.user):
            return self.list_display
        return _swapped(self.list_display, "places_and_registrations", "places")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        if isinstance(db_field, models.DateTimeField):
            kwargs["form_class"] = UKSplitDateTimeField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        from events.selectors import with_numbers

        return with_numbers(super().get_queryset(request))

    @admin.display(description="where", ordering="format")
    def where(self, obj) -> str:
        if obj.region == ONLINE:
            return obj.get_format_display()
        return f"{obj.get_format_display()}, {obj.get_region_display()}"

    @admin.display(description="places", ordering="places_taken")
    def places(self, obj) -> str:
        taken, waiting = getattr(obj, "places_taken", 0), getattr(obj, "waiting", 0)
        return f"{taken:,} of {obj.capacity:,} taken, {waiting:,} waiting"

    @admin.display(description="places", ordering="places_taken")
    def places_and_registrations(self, obj) -> str:
        url = reverse("admin:events_registration_changelist") + f"?event__id__exact={obj.pk}"
        return format_html('{}<br><a href="{}">Registrations</a>', self.places(obj), url)

    @admin.display(description="Places")
    def numbers(self, obj) -> str:
        if obj.pk is None:
            return "None taken yet: save the event and publish it to open registration."
        taken, waiting = getattr(obj, "places_taken", 0), getattr(obj, "waiting", 0)
        return (
            f"{taken:,} of {obj.capacity:,} taken; "
            f"{counted(waiting, 'person', 'people')} on the waiting list."
        )

    @admin.display(description="Library resource")
    def resource_link(self, obj) -> str:
        if obj.resource_id is None:
            return "None yet: use 'Put the recording in the library' below."
        url = reverse("admin:practice_library_resource_change", args=[obj.resource_id])
        return format_html('<a href="{}">{}</a>', url, obj.resource)

    @admin.display(description="Run the event")
    def tools(self, obj) -> str:
        return _tools(obj, registrations=True)

    @admin.display(description="Run the event")
    def event_tools(self, obj) -> str:
        return _tools(obj, registrations=False)

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
