"""The editors' side: newsletters, editions with their sections, a preview exactly as it
will arrive, a test to oneself, the audience count, send now or schedule, and a progress
page with Pause, Resume, Cancel and Retry failed; the records of what was sent."""

from datetime import datetime, timedelta

from csp.decorators import csp_update
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format

from network.forms import SpecificMessages, from_uk_wall_clock
from newsletter import access as newsletter_access
from newsletter import selectors
from newsletter.models import (
    Delivery,
    Edition,
    Newsletter,
    Section,
    Subscriber,
)
from newsletter.rendering import (
    edition_prepare,
    edition_render,
    personal_for,
    personalise,
    section_html,
)
from newsletter.sending import editions


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ["name", "restricted_to", "is_active", "order"]
    prepopulated_fields = {"slug": ["name"]}


class SectionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Forum highlights name only threads that everyone reading the edition may read
        (newsletter/access.py). The edition here carries the values just entered above."""
        super().clean()
        edition = self.instance
        if not edition.newsletter_id:
            return  # the edition's own form says what is missing
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("kind") != Section.Kind.FORUM:
                continue
            for thread in data.get("threads") or []:
                if not newsletter_access.may_name_thread(edition, thread):
                    form.add_error("threads", newsletter_access.thread_too_private_text(thread))


class SectionInline(admin.StackedInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = ["order", "kind", "title", "body", "resources", "threads", "events", "events_count"]
    autocomplete_fields = ["resources", "threads", "events"]


class SendNowForm(SpecificMessages, forms.Form):
    confirm = forms.BooleanField(
        label="I have checked the preview: send it now",
        error_messages={
            "required": "Tick the box to confirm: an edition cannot be called back once it is sent"
        },
    )


class ScheduleForm(SpecificMessages, forms.Form):
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 20 May 2027"},
    )
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter a real time, like 09:00"},
    )

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            # As SplitDateTimeField does: in the site's time zone, refusing a time the
            # clock change skips or repeats, in words saying which.
            data["when"] = from_uk_wall_clock(datetime.combine(data["date"], data["time"]))
        return data


class EditionForm(forms.ModelForm):
    class Meta:
        model = Edition
        fields = [
            "newsletter",
            "subject",
            "preheader",
            "introduction",
            "archive_access",
            "audience_member_type",
            "audience_region",
            "audience_members_only",
        ]
        widgets = {"archive_access": forms.RadioSelect}
        help_texts = {
            "archive_access": "Who may read this edition on the website once it is sent. An "
            "edition for one member type or for members is usually for members only."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # No choice made for the editor: "Everyone" by default put briefings written
            # for commissioners on the open web when nobody looked at the field.
            self.fields["archive_access"].initial = None
            self.fields["archive_access"].error_messages["required"] = (
                "Choose who may read this edition on the website: everyone, or members only"
            )


# What became of an edition that has gone out, in words for the list of those refused.
GONE_OUT = {
    Edition.Status.SENDING: "is being sent",
    Edition.Status.PAUSED: "is paused part-way through sending",
    Edition.Status.SENT: "was sent",
    Edition.Status.CANCELLED: "was cancelled once sending was under way or due",
}


def _delete_unsent_editions(model_admin, request, queryset):
    """Django's "Delete selected", but one that includes an edition gone out says why it
    cannot be deleted (Django's own words blame the editor's permissions)."""
    gone_out = [edition for edition in queryset if not edition.is_editable]
    if not gone_out:
        return delete_selected(model_admin, request, queryset)
    named = "; ".join(f"“{e.subject}” {GONE_OUT[e.status]}" for e in gone_out)
    advice = ""
    if len(gone_out) < queryset.count():
        advice += f" Untick {'it' if len(gone_out) == 1 else 'them'} to delete the others."
    if any(e.status in (Edition.Status.SENDING, Edition.Status.PAUSED) for e in gone_out):
        advice += " To stop one still going out, use Cancel on its Sending progress page."
    model_admin.message_user(
        request,
        f"Nothing was deleted: {named}. An edition that has gone out cannot be deleted: it is "
        f"the record of what was sent, to whom and when.{advice}",
        messages.ERROR,
    )
    return None


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionForm
    list_display = ["subject", "newsletter", "status", "scheduled_at", "finished_at"]
    list_filter = ["status", "newsletter"]
    search_fields = ["subject"]
    inlines = [SectionInline]

    def get_view_on_site_url(self, obj=None):
        # Only a sent edition is in the archive; before that the site has no page for it
        # (404), and "View on site" shows the preview as it will arrive instead.
        if obj is not None and obj.status != Edition.Status.SENT:
            return reverse("admin:newsletter_edition_preview", args=[obj.pk])
        return super().get_view_on_site_url(obj)

    change_form_template = "newsletter/admin/edition_change_form.html"
    fieldsets = [
        (None, {"fields": ["newsletter", "subject", "preheader", "introduction"]}),
        ("Web archive", {"fields": ["archive_access"]}),
        (
            "Audience",
            {
                "fields": ["audience_member_type", "audience_region", "audience_members_only"],
                "description": "Everyone subscribed to the newsletter, unless narrowed here.",
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return EditionForm.Meta.fields
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_delete_unsent_editions, name, description)
        return actions

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and not obj.is_editable:
            for inline in inlines:
                inline.has_add_permission = lambda *a, **k: False
                inline.has_change_permission = lambda *a, **k: False
                inline.has_delete_permission = lambda *a, **k: False
        return inlines

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        edition_prepare(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        sections = formset.save(commit=False)
        for section in sections:
            section.body_html = section_html(section)
            section.save()
        # The resources, threads and events picked: saved only once the sections are.
        formset.save_m2m()
        for section in formset.deleted_objects:
            section.delete()

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_html), name="newsletter_edition_preview"),
            path(
                "<int:pk>/preview.txt",
                view(self.preview_text),
                name="newsletter_edition_preview_text",
            ),
            path("<int:pk>/send/", view(self.send_view), name="newsletter_edition_send"),
            path(
                "<int:pk>/progress/", view(self.progress_view), name="newsletter_edition_progress"
            ),
            *super().get_urls(),
        ]

    def _edition(self, request: HttpRequest, pk: int) -> Edition:
        edition = get_object_or_404(Edition.objects.select_related("newsletter"), pk=pk)
        if not self.has_change_permission(request, edition):
            raise PermissionDenied
        return edition

    def _personalised(self, request, edition: Edition) -> tuple[str, str]:
        html, text = edition_render(edition)
        subscriber = Subscriber.objects.filter(email=request.user.email.lower()).first()
        return personalise(html, text, personal_for(subscriber))

    @staticmethod
    @csp_update({"style-src": ["'unsafe-inline'"]})  # the email's own inlined styles
    def _html_response(html: str) -> HttpResponse:
        return HttpResponse(html)

    def preview_html(self, request: HttpRequest, pk: int) -> HttpResponse:
        edition = self._edition(request, pk)
        html, _ = self._personalised(request, edition)
        return self._html_response(html)

    def preview_text(self, request: HttpRequest, pk: int) -> HttpResponse:
        edition = self._edition(request, pk)
        _, text = self._personalised(request, edition)
        return HttpResponse(text, content_type="text/plain; charset=utf-8")

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Audience count, send a test, send now (ticked to confirm), schedule. A refused
        send or schedule shows the page again with its message and what was typed."""
        edition = self._edition(request, pk)
        action = request.POST.get("action") if request.method == "POST" else None
        send_form = SendNowForm(request.POST if action == "send" else None)
        schedule_form = ScheduleForm(request.POST if action == "schedule" else None)
        try:
            if action == "test":
                editions.edition_send_test(edition=edition, to_user=request.user)
                messages.success(request, f"A test was sent to {request.user.email}.")
                return redirect("admin:newsletter_edition_send", pk=pk)
            if action == "send" and send_form.is_valid():
                count = editions.edition_send(edition=edition)
                messages.success(request, f"Sending to {count:,} subscribers.")
                return redirect("admin:newsletter_edition_progress", pk=pk)
            if action == "schedule" and schedule_form.is_valid():
                when = schedule_form.cleaned_data["when"]
                editions.edition_schedule(edition=edition, when=when)
                messages.success(
                    request, f"Scheduled for {date_format(timezone.localtime(when), 'j F Y, H:i')}."
                )
                return redirect("admin:newsletter_edition_send", pk=pk)
            if action == "unschedule":
                editions.edition_unschedule(edition=edition)
                messages.success(request, "No longer scheduled.")
                return redirect("admin:newsletter_edition_send", pk=pk)
        except ValidationError as error:
            if action == "send":
                send_form.add_error(None, error)
            elif action == "schedule":
                schedule_form.add_error(None, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("admin:newsletter_edition_send", pk=pk)
        refused = bool(send_form.errors or schedule_form.errors)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "edition": edition,
            "title": f"{'Error: ' if refused else ''}Send: {edition.subject}",
            "audience_count": selectors.edition_audience_count(edition),
            "send_form": send_form,
            "schedule_form": schedule_form,
        }
        return render(
            request, "newsletter/admin/send.html", context, status=400 if refused else 200
        )

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        edition = self._edition(request, pk)
        # Reloading moves a keyboard or screen-reader user back to the top of the page, so
        # the refresh can be stopped (WCAG 2.2.1), and stays stopped after a button.
        refresh_stopped = request.GET.get("refresh") == "off"
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                if action == "pause":
                    editions.edition_pause(edition=edition)
                elif action == "resume":
                    editions.edition_resume(edition=edition)
                elif action == "cancel":
                    editions.edition_cancel(edition=edition)
                elif action == "retry":
                    retried = editions.edition_retry_failed(edition=edition)
                    messages.success(request, f"Retrying {retried:,} failed deliveries.")
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            here = reverse("admin:newsletter_edition_progress", args=[pk])
            return redirect(f"{here}?refresh=off" if refresh_stopped else here)
        counts = selectors.edition_counts(edition)
        total = counts["total"]
        done = total - counts["remaining"]
        a_minute_ago = timezone.now() - timedelta(minutes=1)
        per_minute = Delivery.objects.filter(edition=edition, sent_at__gte=a_minute_ago).count()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "edition": edition,
            "title": f"Progress: {edition.subject}",
            "counts": counts,
            "done": done,
            "percent": round(100 * done / total) if total else 0,
            "per_minute": per_minute,
            "refresh": edition.status == Edition.Status.SENDING and not refresh_stopped,
            "refresh_stopped": edition.status == Edition.Status.SENDING and refresh_stopped,
            "failed": Delivery.objects.filter(edition=edition, state=Delivery.State.FAILED)[:20]
            if newsletter_access.can_see_delivery_addresses(request.user)
            else [],
            # Counted by the site's redirect, per link, never per recipient.
            "link_clicks": edition.link_clicks.order_by("-clicks", "url")[:50],
            "link_clicks_total": edition.link_clicks.aggregate(n=Sum("clicks", default=0))["n"],
            "change_url": reverse("admin:newsletter_edition_change", args=[pk]),
        }
        return render(request, "newsletter/admin/progress.html", context)
