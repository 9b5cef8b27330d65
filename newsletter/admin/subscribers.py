"""Subscribers and their consent, as staff and editors see them."""

from django.contrib import admin

from members.admin.account_fields import AccountFieldsAsText, account_address
from network.admin_labels import LabelledTabularInline
from newsletter.models import Consent, Subscriber


class ConsentInline(LabelledTabularInline):
    model = Consent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "form", "text", "choices"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscriber)
class SubscriberAdmin(AccountFieldsAsText, admin.ModelAdmin):
    list_display = ["email", "name", "state", "weekly_digest", "daily_digest", "created_at"]
    list_filter = ["state", "newsletters", "weekly_digest", "daily_digest"]
    search_fields = ["email", "name"]
    raw_id_fields = ["user"]
    filter_horizontal = ["newsletters", "topics"]
    readonly_fields = ["created_at", "confirmed_at", "unsubscribed_at", "bounced_at"]
    inlines = [ConsentInline]
    list_per_page = 100
    show_full_result_count = False

    account_fields = {"user": "account"}
    account = account_address("user", "account")
