from django.contrib import admin

from network.admin_labels import LabelledListEditable
from network.models import ContactMessage, Topic


@admin.register(Topic)
class TopicAdmin(LabelledListEditable, admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(ContactMessage)
class ContactMessageAdmin(LabelledListEditable, admin.ModelAdmin):
    list_display = ["subject", "name", "email", "received_at", "handled", "notified_at"]
    list_filter = ["handled", "received_at"]
    list_editable = ["handled"]
    search_fields = ["name", "email", "subject", "message"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "name",
        "email",
        "subject",
        "message",
        "received_at",
        "notified_at",
        "notify_attempts",
        "notify_error",
    ]
    fields = readonly_fields[:5] + ["handled", "handled_note"] + readonly_fields[5:]
    actions = ["mark_handled"]

    @admin.action(description="Mark the selected messages as handled")
    def mark_handled(self, request, queryset):
        updated = queryset.update(handled=True)
        self.message_user(request, f"{updated} message(s) marked as handled.")

    def has_add_permission(self, request) -> bool:
        return False
