"""The editors' side of the library, in the Django admin.

Workflow: draft -> in review -> published (now, back-dated, or scheduled with "publish
at") -> archived. Bulk actions publish, archive and set a review date. "Resources due
for review" lists those whose review date has passed. Saving goes through
practice_library/services.py: the body is rendered, audiences set, files checked from
their bytes, their text extracted in a task, and the search vector refreshed.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst

from members.models import MemberType
from network.admin_labels import LabelledListEditable, LabelledTabularInline
from network.admin_lists import LargeTableAdmin, year_filter
from network.files import ACCEPTED_DESCRIPTION, protected_files_discard
from network.widgets import ProtectedFileInput
from practice_library import services
from practice_library.models import (
    Attachment,
    Bookmark,
    FreeRead,
    RecentRead,
    Resource,
    ResourceAudience,
    ResourceDueForReview,
    ResourceType,
)


@admin.register(ResourceType)
class ResourceTypeAdmin(LabelledListEditable, admin.ModelAdmin):
    list_display = ["name", "slug", "order", "resource_count"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(resource_count=Count("resources"))

    @admin.display(description="Resources", ordering="resource_count")
    def resource_count(self, obj) -> int:
        return obj.resource_count


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["title", "file", "order"]
        help_texts = {"file": f"{ACCEPTED_DESCRIPTION}. The type is checked from the file itself."}
        widgets = {"file": ProtectedFileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attachment = self.instance
        # The file stored before this edit, deleted from storage once it is replaced.
        self.stored_file_name = attachment.file.name if attachment.pk else ""
        if attachment.pk and attachment.file:
            # Through the readers' download view, so the access policy decides here too.
            self.fields["file"].widget.describe(
                download_url=reverse(
                    "practice_library:download",
                    kwargs={"slug": attachment.resource.slug, "attachment_id": attachment.pk},
                ),
                original_name=attachment.original_filename,
                kind=attachment.kind,
                size_bytes=attachment.size_bytes,
            )

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if isinstance(uploaded, UploadedFile):
            try:
                services.attachment_prepare(attachment=self.instance, uploaded=uploaded)
            except ValidationError as error:
                raise ValidationError(error.messages) from error
        return uploaded


class AttachmentInline(LabelledTabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 1
    # The file's widget shows its name, type and size, with the download link.
    fields = ["title", "file", "order", "text_status", "download_count"]
    readonly_fields = ["text_status", "download_count"]

    @admin.display(description="Text for search")
    def text_status(self, obj) -> str:
        if not obj.pk or obj.extension not in ("pdf", "docx"):
            return "-"
        if obj.text_extracted_at is None:
            return "Being read"
        return f"{len(obj.extracted_text):,} characters"


class ResourceForm(forms.ModelForm):
    audiences = forms.MultipleChoiceField(
        choices=MemberType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Who the resource is written for.",
    )

    class Meta:
        model = Resource
        fields = [
            "title", "slug", "resource_type", "summary", "body", "access_level", "topics",
            "source", "status", "publish_at", "reviewed_on", "review_due", "related",
            "young_person_version",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["audiences"] = [a.audience for a in self.instance.audiences.all()]


class AudienceFilter(admin.SimpleListFilter):
    title = "audience"
    parameter_name = "audience"

    def lookups(self, request, model_admin):
        return MemberType.choices

    def queryset(self, request, queryset):
        if self.value() in MemberType.values:
            return queryset.filter(
                pk__in=ResourceAudience.objects.filter(audience=self.value()).values("resource_id")
            )
        return queryset


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "Review due (date passed)"), ("none", "No review date")]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.review_due()
        if self.value() == "none":
            return queryset.filter(review_due__isnull=True)
        return queryset


class ReviewDateForm(forms.Form):
    review_date = forms.DateField(
        required=False,
        label="Review date (for “Set review date”)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ResourceActionForm(ActionForm, ReviewDateForm):
    """The action bar with a date box beside it for “Set review date”."""


# Django lists a related row of a model without an admin as "<Verbose name>: <str>".
READERS_ROWS = tuple(
    f"{capfirst(model._meta.verbose_name)}: " for model in (Bookmark, FreeRead, RecentRead)
)


def _without_readers(nested: list) -> list:
    """Django's nested list of what a deletion takes with it, without readers' rows."""
    kept = []
    dropped = False
    for item in nested:
        if isinstance(item, list):
            # A row's own list follows it: it goes with the row.
            if not dropped:
                kept.append(_without_readers(item))
        else:
            dropped = str(item).startswith(READERS_ROWS)
            if not dropped:
                kept.append(item)
    return kept


@admin.register(Resource)
class ResourceAdmin(LargeTableAdmin):
    form = ResourceForm
    action_form = ResourceActionForm
    inlines = [AttachmentInline]
    # When a resource was published, or is to be, is one column: two columns of dates
    # pushed the review date out of sight beside the admin's menu and the filters on a
    # 1,280 px screen.
    list_display = ["title", "resource_type", "status", "access_level", "published", "review_due"]
    list_filter = [
        "status",
        "resource_type",
        "topics",
        AudienceFilter,
        "access_level",
        ReviewDueFilter,
        year_filter("published_at", "year published"),
    ]
    list_select_related = ["resource_type"]
    search_fields = ["title", "summary", "source"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    autocomplete_fields = ["related", "young_person_version"]
    readonly_fields = ["published_at", "preview_links", "updated_at"]
    actions = ["publish", "archive", "set_review_date"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "resource_type", "summary", "body", "preview_links"]}),
        ("Who it is for", {"fields": ["access_level", "topics", "audiences", "source"]}),
        (
            "Workflow",
            {"fields": ["status", "publish_at", "published_at", "reviewed_on", "review_due"]},
        ),
        ("Links", {"fields": ["related", "young_person_version", "updated_at"]}),
    ]

    @admin.display(description="published", ordering="published_at")
    def published(self, resource: Resource) -> str:
        if resource.published_at is not None:
            return date_format(timezone.localtime(resource.published_at), "j M Y, H:i")
        if resource.publish_at is not None:
            when = date_format(timezone.localtime(resource.publish_at), "j M Y, H:i")
            return f"To be published {when}"
        return "-"

    @admin.display(description="Preview")
    def preview_links(self, obj) -> str:
        if not obj.pk:
            return "Save the resource to preview it."
        url = reverse("practice_library:preview", kwargs={"pk": obj.pk})
        return format_html(
            '<a href="{}?as=member" target="_blank">as a member</a> · '
            '<a href="{}?as=registered" target="_blank">as a signed-in non-member</a> · '
            '<a href="{}?as=anonymous" target="_blank">as a visitor</a> '
            "(the last saved version)",
            url,
            url,
            url,
        )

    def save_model(self, request, obj, form, change):
        services.resource_prepare(resource=obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        resource = form.instance
        services.resource_audiences_set(resource=resource, audiences=form.cleaned_data["audiences"])
        discarded = []
        for formset in formsets:
            discarded += [attachment.file.name for attachment in formset.deleted_objects]
            for inline_form in formset.forms:
                attachment = inline_form.instance
                if "file" in inline_form.changed_data and attachment.pk:
                    services.attachment_file_stored(attachment_id=attachment.pk)
                    if inline_form.stored_file_name != attachment.file.name:
                        discarded.append(inline_form.stored_file_name)
        protected_files_discard(discarded)
        services.resource_reindex(resource_id=resource.pk)

    def get_deleted_objects(self, objs, request):
        """The confirmation page lists what a deletion takes with it. What readers kept
        (their reads, free reads and bookmarks) is named after each person, which is
        not the editors' to see: counted in the summary, left out of the list."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return _without_readers(deleted), counts, perms_needed, protected

    def delete_model(self, request, obj):
        names = list(obj.attachments.values_list("file", flat=True))
        super().delete_model(request, obj)
        protected_files_discard(names)

    def delete_queryset(self, request, queryset):
        names = list(
            Attachment.objects.filter(resource__in=queryset).values_list("file", flat=True)
        )
        super().delete_queryset(request, queryset)
        protected_files_discard(names)

    @admin.action(description="Publish the selected resources", permissions=["change"])
    def publish(self, request, queryset):
        count = services.resources_publish(resource_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} resource(s) published or scheduled.")

    @admin.action(description="Archive the selected resources", permissions=["change"])
    def archive(self, request, queryset):
        count = services.resources_archive(resource_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} resource(s) archived.")

    @admin.action(description="Set review date of the selected resources", permissions=["change"])
    def set_review_date(self, request, queryset):
        # Only the date is read here: the action bar's own form validates its action
        # against choices that the admin fills in per request, so it cannot be reused.
        form = ReviewDateForm(request.POST)
        if not form.is_valid() or not form.cleaned_data.get("review_date"):
            self.message_user(
                request,
                "Choose a review date in the box beside the action, then run it again.",
                level=messages.ERROR,
            )
            return
        review_date = form.cleaned_data["review_date"]
        count = services.resources_set_review_due(
            resource_ids=list(queryset.values_list("pk", flat=True)), review_due=review_date
        )
        self.message_user(
            request,
            f"Review date set to {date_format(review_date, 'j F Y')} on {count} resource(s).",
        )


@admin.register(ResourceDueForReview)
class ResourceDueForReviewAdmin(ResourceAdmin):
    """The resources whose review date has passed, oldest first."""

    list_display = ["title", "resource_type", "status", "reviewed_on", "review_due"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .review_due(today=timezone.localdate())
            .order_by("review_due", "title")
        )

    def has_add_permission(self, request) -> bool:
        return False
