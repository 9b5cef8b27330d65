"""What the newsletter records as it sends, for years: each edition's emails, each
digest period and each digest's emails. Records, read only: a row made or changed here
would say something that did not happen, or be sent again."""

from django.contrib import admin

from network.admin_lists import LargeTableAdmin
from newsletter.models import Delivery, DigestDelivery, DigestPeriod


@admin.register(Delivery)
class DeliveryAdmin(LargeTableAdmin):
    """Every email of every edition: a row per subscriber and edition, for years."""

    list_display = ["email", "edition", "state", "attempts", "sent_at", "error"]
    list_filter = ["state"]
    search_fields = ["email"]
    list_select_related = ["edition"]
    ordering = ["-id"]  # the latest sends first
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DigestPeriod)
class DigestPeriodAdmin(admin.ModelAdmin):
    """Each daily and weekly digest: a record, read only, as the deliveries are. Not
    deleted either: that would delete the record of who was sent it, and a period
    deleted while it is the latest is made again and sent a second time."""

    list_display = ["kind", "period_start", "period_end", "finished_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in DigestPeriod._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(LargeTableAdmin):
    """Every digest email, as DeliveryAdmin shows the editions' ones: a record, read
    only. A row made or set back to "Waiting" here would be claimed and sent again."""

    list_display = ["period", "subscriber", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["period", "subscriber"]
    # Periods run daily and weekly for years: a box listing them all would be thousands long.
    raw_id_fields = ["period", "subscriber"]
    ordering = ["-id"]  # the latest digests first
    readonly_fields = [f.name for f in DigestDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
