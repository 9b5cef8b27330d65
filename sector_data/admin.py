"""The editors' side of sector data, in the Django admin.

Councils: the reference table (region, child population, the council's membership).
Datasets: where figures come from, and how the columns of their files map to measures and
dimensions (set once, below the details); "Upload a new version" checks a file against
that mapping and loads it only if every line is right, listing every problem otherwise.
Versions: every upload is kept; one is current, and an older one can be made current again.
Data pages: the charts over datasets, the commentary in Markdown, the library resources
that explain them, and publishing.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from network.admin_labels import LabelledTabularInline
from sector_data import services
from sector_data.forms import VersionUploadForm
from sector_data.models import (
    Chart,
    Council,
    DataPage,
    Dataset,
    DatasetColumn,
    DatasetVersion,
    Measure,
)


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "child_population", "population_year", "organisation"]
    list_filter = ["region"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation"]

    def _may_find_organisations(self, request: HttpRequest) -> bool:
        # What the box that finds organisations asks of the person using it: editors
        # keep the councils' figures but do not see the members' organisations.
        organisations = self.admin_site._registry[Council.organisation.field.related_model]
        return organisations.has_view_or_change_permission(request)

    def get_autocomplete_fields(self, request):
        if self._may_find_organisations(request):
            return self.autocomplete_fields
        return []

    def get_readonly_fields(self, request, obj=None):
        if self._may_find_organisations(request):
            return self.readonly_fields
        # Its name as text: a box whose every search was refused would look broken.
        return [*self.readonly_fields, "organisation"]


class DatasetColumnInline(LabelledTabularInline):
    model = DatasetColumn
    extra = 0
    fields = ["header", "role", "label", "unit", "order"]
    verbose_name = "column of its files"
    verbose_name_plural = (
        "Columns of its files: each heading and what it holds (the first upload fills these "
        "in from its headings; check them, then upload again if you change them)"
    )


class DatasetVersionInline(LabelledTabularInline):
    model = DatasetVersion
    extra = 0
    can_delete = False
    fields = [
        "number", "original_filename", "uploaded_by", "uploaded_at", "row_count",
        "observation_count", "is_current", "note",
    ]  # fmt: skip
    readonly_fields = fields
    verbose_name_plural = "Versions (every upload is kept; the current one is shown on pages)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["title", "source_organisation", "published_on", "is_illustrative", "current"]
    list_filter = ["licence", "is_illustrative"]
    search_fields = ["title", "source_organisation"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [DatasetColumnInline, DatasetVersionInline]
    change_form_template = "admin/sector_data/dataset/change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "is_illustrative"]}),
        (
            "Source",
            {
                "fields": [
                    "source_organisation",
                    "source_url",
                    "published_on",
                    "period_covered",
                    "licence",
                    "method_notes",
                ]  # fmt: skip
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description="Current version")
    def current(self, obj: Dataset) -> str:
        current = next((v for v in obj.versions.all() if v.is_current), None)
        return f"v{current.number}, {current.row_count:,} lines" if current else "none yet"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/upload/", view(self.upload_view), name="sector_data_dataset_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Upload a file: checked whole against the mapping, loaded only if all is right."""
        dataset = get_object_or_404(Dataset, pk=pk)
        if not self.has_change_permission(request, dataset):
            raise PermissionDenied
        form = VersionUploadForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        mapped_now = False
        if request.method == "POST" and form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                mapped_now = not dataset.columns.exists()
                services.dataset_columns_from_file(dataset=dataset, uploaded=uploaded)
                version = services.dataset_version_upload(
                    dataset=dataset,
                    uploaded=uploaded,
                    uploaded_by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                problems = error.messages
            else:
                note = (
                    " Its columns were mapped from its headings: check them below."
                    if mapped_now
                    else ""
                )
                messages.success(
                    request,
                    f"Version {version.number} loaded: {_count(version.row_count, 'line')}, "
                    f"{_count(version.observation_count, 'figure')}. It is now the current "
                    "version." + note,
                )
                return redirect("admin:sector_data_dataset_change", dataset.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "dataset": dataset,
            # The title says first that the upload was refused, as the site's forms do.
            "title": f"{'Error: ' if problems or form.errors else ''}"
            f"Upload a new version: {dataset.title}",
            "form": form,
            "problems": problems,
            # A refused first file still leaves the mapping read from its headings, for the
            # editor to check (a column read as the wrong kind may be what went wrong).
            "mapped_now": mapped_now and bool(problems),
            "columns": list(dataset.columns.all()),
            "versions": list(dataset.versions.select_related("uploaded_by")),
        }
        return render(request, "admin/sector_data/dataset/upload.html", context)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@admin.register(DatasetVersion)
class DatasetVersionAdmin(admin.ModelAdmin):
    # Who uploaded a version is said under when: as columns of their own, beside the
    # admin's menu and the filters on a 1,280 px screen, they pushed whether the version
    # is current out of sight.
    list_display = ["dataset", "number", "original_filename", "uploaded", "row_count", "is_current"]
    list_filter = ["dataset", "is_current"]
    list_select_related = ["dataset", "uploaded_by"]
    actions = ["make_current"]
    readonly_fields = [
        "dataset", "number", "original_filename", "uploaded_by", "uploaded_at", "row_count",
        "observation_count", "is_current", "note",
    ]  # fmt: skip
    exclude = ["file"]

    @admin.display(description="uploaded", ordering="uploaded_at")
    def uploaded(self, version: DatasetVersion) -> str:
        when = date_format(timezone.localtime(version.uploaded_at), "j M Y, H:i")
        if version.uploaded_by is None:
            return when
        return format_html("{}<br>by {}", when, version.uploaded_by)

    def has_add_permission(self, request) -> bool:
        return False  # versions come from "Upload a new version" on their dataset

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # kept, so that what a page showed can be traced

    @admin.action(description="Make the selected version current", permissions=["change"])
    def make_current(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version.", messages.ERROR)
            return
        version = services.dataset_version_make_current(version=queryset.get())
        self.message_user(request, f"{version} is now current.", messages.SUCCESS)


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["label", "dataset", "unit", "slug"]
    list_filter = ["dataset"]
    search_fields = ["label", "dataset__title"]
    list_select_related = ["dataset"]

    def has_add_permission(self, request) -> bool:
        return False  # measures come from the dataset's measure columns


class ChartInline(admin.StackedInline):
    model = Chart
    # One empty chart form is always there, so a page can be composed without JavaScript.
    extra = 1
    fields = [("title", "order"), ("kind", "dimension"), "measure", "per_10k_children"]
    verbose_name_plural = "Charts (the first is the teaser visitors see)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "measure":
            kwargs["queryset"] = Measure.objects.select_related("dataset")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DataPage)
class DataPageAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "is_published", "published_at", "chart_count", "view"]
    list_filter = ["is_published", "topic"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["related_resources"]
    inlines = [ChartInline]
    fields = [
        "title", "slug", "topic", "summary", "commentary", "related_resources", "is_published",
    ]  # fmt: skip
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic").prefetch_related("charts")

    @admin.display(description="Charts")
    def chart_count(self, obj: DataPage) -> int:
        return len(obj.charts.all())

    @admin.display(description="Page")
    def view(self, obj: DataPage) -> str:
        return format_html('<a href="{}">View</a>', obj.get_absolute_url())

    def save_model(self, request, obj, form, change):
        services.data_page_prepare(page=obj)
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish the selected pages", permissions=["change"])
    def publish(self, request, queryset) -> None:
        for page in queryset:
            page.is_published = True
            services.data_page_prepare(page=page)
            page.save(update_fields=["is_published", "published_at", "commentary_html",
                                     "commentary_renderer_version"])  # fmt: skip
        self.message_user(request, "Published.", messages.SUCCESS)

    @admin.action(description="Unpublish the selected pages", permissions=["change"])
    def unpublish(self, request, queryset) -> None:
        queryset.update(is_published=False, published_at=None)
        self.message_user(request, "Unpublished.", messages.SUCCESS)
