"""The admin's record of changes organisations' admins made to their details: read only,
as the seats taken back are."""

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from members.admin.seats import OrganisationFilter
from members.models import Organisation, OrganisationDetailsChange, Region
from network.text import email_that_wraps

FIELD_LABELS = {
    name: str(Organisation._meta.get_field(name).verbose_name)
    for name in OrganisationDetailsChange.DETAILS_FIELDS
}


def _shown(name: str, value: str) -> str:
    if not value:
        return "(empty)"
    if name == "region":
        return dict(Region.choices).get(value, value)
    return value


@admin.register(OrganisationDetailsChange)
class OrganisationDetailsChangeAdmin(admin.ModelAdmin):
    # Who made a change is said under when: as columns of their own, beside the admin's
    # menu and the filters on a 1,280 px screen, they pushed Stripe's update out of sight.
    list_display = ["organisation", "changed", "fields_list", "stripe_update"]
    list_filter = [OrganisationFilter, "stripe_update"]
    list_select_related = ["organisation", "changed_by"]
    search_fields = ["organisation__name", "changed_by__email"]
    ordering = ["-changed_at", "-pk"]
    fields = [
        "organisation",
        "changed_by",
        "changed_at",
        "fields_list",
        "before_and_after",
        "stripe_update",
        "stripe_error",
        "stripe_updated_at",
        "staff_notified_at",
    ]
    readonly_fields = fields

    @admin.display(description="changed", ordering="changed_at")
    def changed(self, change: OrganisationDetailsChange) -> str:
        when = date_format(timezone.localtime(change.changed_at), "j M Y, H:i")
        if change.changed_by is None:
            return when
        return format_html("{}<br>by {}", when, email_that_wraps(change.changed_by.email))

    @admin.display(description="fields changed")
    def fields_list(self, change: OrganisationDetailsChange) -> str:
        return ", ".join(FIELD_LABELS.get(name, name) for name in change.fields_changed)

    @admin.display(description="before and after")
    def before_and_after(self, change: OrganisationDetailsChange) -> str:
        """The organisation's own values; the billing contact's name and email are not
        kept (they can name a person), only that they changed."""
        if not change.values:
            return "-"
        rows = format_html_join(
            "",
            "<li><strong>{}</strong>: {} → {}</li>",
            (
                (FIELD_LABELS.get(name, name), _shown(name, before), _shown(name, after))
                for name, (before, after) in change.values.items()
            ),
        )
        return format_html("<ul>{}</ul>", rows)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A record of who changed what: it goes with its organisation, not on its own.
        return False
