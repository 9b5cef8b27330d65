"""Admin for moderation: the audit log (read and export only), the watch list, members'
reports with each reporter's record (read only), and suspensions (read, and lift through forum/moderation/suspensions.py so the lift is logged).

Imported by forum/admin.py so that Django's admin autodiscovery registers it.
"""

import csv
import json
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from forum.models import (
    URGENT_REPORT_REASONS,
    ModerationAction,
    Report,
    Resolution,
    Suspension,
    WatchPattern,
)
from forum.moderation import suspensions
from network.admin_actions import asks_first

CSV_COLUMNS = [
    ("time", lambda a: a.created_at.isoformat()),
    ("actor", lambda a: a.actor_label or "automatic"),
    ("actor_id", lambda a: a.actor_id or ""),
    ("action", lambda a: a.action),
    ("action_label", lambda a: a.get_action_display()),
    ("target", lambda a: a.target_label),
    ("post_id", lambda a: a.post_id or ""),
    ("thread_id", lambda a: a.thread_id or ""),
    ("member_id", lambda a: a.member_id or ""),
    ("reason", lambda a: a.reason),
    ("hash_before", lambda a: a.hash_before),
    ("hash_after", lambda a: a.hash_after),
    # JSON, as stored: what a script reading the export can parse (str() gave Python's repr).
    ("details", lambda a: json.dumps(a.details, sort_keys=True) if a.details else ""),
]


def _safe_cell(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a reason or a name
    written by a member must stay text when staff open the export."""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


class AutomaticFilter(admin.SimpleListFilter):
    title = "taken by"
    parameter_name = "by"

    def lookups(self, request, model_admin):
        return [("moderator", "A moderator"), ("automatic", "Automatically")]

    def queryset(self, request, queryset):
        if self.value() == "automatic":
            return queryset.filter(actor__isnull=True)
        if self.value() == "moderator":
            return queryset.filter(actor__isnull=False)
        return queryset


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit log: staff read, filter, search and export it; nobody adds, changes or
    deletes an entry (the model and, on PostgreSQL, a trigger refuse that as well)."""

    change_list_template = "admin/forum/moderationaction/change_list.html"
    list_display = [
        "created_at",
        "actor_display",
        "action",
        "target_label",
        "thread_now",
        "short_reason",
    ]
    list_filter = [AutomaticFilter, "action", "created_at"]
    search_fields = ["actor_label", "target_label", "reason", "hash_before", "hash_after"]
    date_hierarchy = "created_at"
    list_select_related = ["thread"]
    show_full_result_count = False
    actions = None
    fields = [
        "created_at",
        "actor_label",
        "action",
        "target_label",
        "post_id",
        "thread_id",
        "member_id",
        "reason",
        "hash_before",
        "hash_after",
        "details",
    ]
    readonly_fields = fields

    @admin.display(description="who", ordering="actor_label")
    def actor_display(self, obj: ModerationAction) -> str:
        return obj.actor_label or "Automatic"

    @admin.display(description="thread as it is now")
    def thread_now(self, obj: ModerationAction) -> str:
        """The thread's current title (the log names it by id only, since a title can be
        redacted), linking to its moderation page."""
        if obj.thread is None:
            return "–"
        url = reverse("forum:moderation_thread", kwargs={"pk": obj.thread_id})
        return format_html('<a href="{}">{}</a>', url, obj.thread.title)

    @admin.display(description="reason")
    def short_reason(self, obj: ModerationAction) -> str:
        return obj.reason if len(obj.reason) <= 80 else obj.reason[:79] + "…"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("export.csv", view(self.export_csv), name="forum_moderationaction_export"),
            *super().get_urls(),
        ]

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The entries the change list shows now (its filters and search), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            entries = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            # As the change list does with a filter it cannot apply: start afresh.
            return redirect(reverse("admin:forum_moderationaction_changelist") + "?e=1")

        def rows() -> Iterator[str]:
            writer = csv.writer(_Echo())
            yield writer.writerow([name for name, _ in CSV_COLUMNS])
            for entry in entries.iterator(chunk_size=2000):
                yield writer.writerow([_safe_cell(get(entry)) for _, get in CSV_COLUMNS])

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="moderation-log-{stamp}.csv"'
        return response


@admin.register(WatchPattern)
class WatchPatternAdmin(admin.ModelAdmin):
    """The watch list. WatchPattern.clean() explains a pattern that does not compile or
    that matches empty text, and asks for a message when the action is Block."""

    # The extra check is said under the pattern it narrows: as a column of its own it
    # pushed the last columns out of sight on a 1,280 px screen.
    list_display = ["name", "kind", "pattern_and_check", "action", "is_active", "updated_at"]
    list_filter = ["is_active", "action", "kind"]
    search_fields = ["name", "pattern", "message"]
    fields = ["name", "kind", "pattern", "extra_check", "action", "message", "is_active"]

    @admin.display(description="pattern", ordering="pattern")
    def pattern_and_check(self, watch: WatchPattern) -> str:
        if not watch.extra_check:
            return watch.pattern
        return format_html("{}<br>if it passes: {}", watch.pattern, watch.get_extra_check_display())


class InForceFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", "In force now"), ("no", "Ended or lifted")]

    def queryset(self, request, queryset):
        in_force = Suspension.objects.in_force().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=in_force)
        if self.value() == "no":
            return queryset.exclude(pk__in=in_force)
        return queryset


@admin.register(Suspension)
class SuspensionAdmin(admin.ModelAdmin):
    """Suspensions are made on the moderators' pages (so each is logged); here staff see
    them and may lift them, which is logged too."""

    list_display = ["member", "starts_at", "until", "lifted_at", "created_by", "reason"]
    list_filter = [InForceFilter, "starts_at"]
    search_fields = ["member__email", "member__name", "reason"]
    list_select_related = ["member", "created_by"]
    readonly_fields = [
        "member",
        "starts_at",
        "until",
        "reason",
        "created_by",
        "created_at",
        "lifted_at",
        "lifted_by",
    ]
    actions = ["lift"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Lift the selected suspensions")
    @asks_first(
        "Each suspension below is lifted now: the member may post, reply and react again at "
        "once, and the moderation log records that it was lifted in the admin."
    )
    def lift(self, request: HttpRequest, queryset) -> None:
        lifted = 0
        for suspension in queryset.select_related("member"):
            try:
                suspensions.suspension_lift(
                    actor=request.user, suspension=suspension, reason="Lifted in the admin"
                )
            except PermissionDenied:
                self.message_user(
                    request, "Only forum moderators may lift suspensions.", messages.ERROR
                )
                return
            except ValidationError:
                continue  # already ended or lifted
            lifted += 1
        self.message_user(request, f"{lifted} suspension{'s' if lifted != 1 else ''} lifted.")


def _count_of_reporters_reports(condition: Q | None = None) -> Subquery:
    reports = Report.objects.filter(reporter=OuterRef("reporter"))
    if condition is not None:
        reports = reports.filter(condition)
    counted = reports.order_by().values("reporter").annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted), 0)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Members' reports, each with its reporter's record (filed, upheld, rejected), so
    staff can see who reports well. Reports are made and resolved on the forum's pages;
    here they are read only. The record is computed in the list's one query."""

    list_display = ["created_at", "reason", "post", "reporter", "reporter_record", "outcome"]
    list_filter = ["reason", "review_item__resolution", "created_at"]
    search_fields = ["reporter__email", "reporter__name", "details"]
    list_select_related = ["reporter", "post__thread", "review_item"]
    date_hierarchy = "created_at"
    fields = ["created_at", "reason", "details", "post", "reporter", "reporter_record", "outcome"]
    readonly_fields = fields

    def get_queryset(self, request):
        since = timezone.now() - timedelta(days=settings.FORUM_URGENT_REPORTS_REJECTED_WINDOW_DAYS)
        rejected = Q(review_item__resolution=Resolution.DISAGREE)
        return (
            super()
            .get_queryset(request)
            .annotate(
                reporter_filed=_count_of_reporters_reports(),
                reporter_upheld=_count_of_reporters_reports(
                    Q(review_item__resolution=Resolution.AGREE)
                ),
                reporter_rejected=_count_of_reporters_reports(rejected),
                reporter_urgent_rejected=_count_of_reporters_reports(
                    rejected
                    & Q(reason__in=URGENT_REPORT_REASONS, review_item__resolved_at__gte=since)
                ),
            )
        )

    @admin.display(description="reporter's record")
    def reporter_record(self, obj: Report) -> str:
        record = (
            f"{obj.reporter_filed} filed, {obj.reporter_upheld} upheld, "
            f"{obj.reporter_rejected} rejected"
        )
        if obj.reporter_urgent_rejected >= settings.FORUM_URGENT_REPORTS_REJECTED_LIMIT:
            record += "; urgent reports no longer hide posts at once"
        return record

    @admin.display(description="outcome")
    def outcome(self, obj: Report) -> str:
        item = obj.review_item
        if item is None or not item.resolution:
            return "Waiting"
        return item.get_resolution_display()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
