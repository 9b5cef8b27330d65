"""Addresses we must never write to again (newsletter/suppressions.py). Each entry is a
keyed hash, so the list cannot be read: staff find an address's entry by typing it in
full in the search box. Deleting an entry lets the address be written to again; do it
only when the person asks (through the contact page) and the complaint was a mistake."""

from django.contrib import admin
from django.http import HttpRequest

from newsletter import suppressions
from newsletter.models import Suppression


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["address_hash"]
    search_help_text = "Type the whole email address: only an exact match is found."
    readonly_fields = ["reason", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded from the email service's reports only

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        if not search_term.strip():
            return queryset, False
        digest = suppressions.address_hash(search_term)
        return queryset.filter(address_hash=digest), False
