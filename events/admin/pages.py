"""The pages of one event in its admin, beyond the change form: the attendance register,
email everyone registered, and put the recording in the library."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from events import access as events_access
from events import attendance, recordings, services
from events.models import Event, RegistrationStatus
from members.access import AccessLevel
from network.text import counted


def being_emailed(count: int) -> str:
    """An event often has a single registrant, and staff read this after every change."""
    return f"{counted(count, 'person', 'people')} {'is' if count == 1 else 'are'} being emailed"


class MessageForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea, help_text="Plain text.")
    include_waiting = forms.BooleanField(label="Also email the waiting list", required=False)


class LibraryForm(forms.Form):
    access_level = forms.ChoiceField(
        label="Who may watch it in the library",
        choices=AccessLevel.choices,
        initial=AccessLevel.MEMBERS,
    )


class EventPages:
    """The event admin's own pages (mixed into EventAdmin, whose permissions they ask)."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/register/", view(self.register_view), name="events_event_register"),
            path("<int:pk>/message/", view(self.message_view), name="events_event_message"),
            path("<int:pk>/library/", view(self.library_view), name="events_event_library"),
            *super().get_urls(),
        ]

    def _event(self, request: HttpRequest, pk: int) -> Event:
        event = get_object_or_404(Event, pk=pk)
        if not self.has_change_permission(request, event):
            raise PermissionDenied
        return event

    def _render(self, request, template: str, event: Event, **context) -> HttpResponse:
        title = context.pop("title", str(event))
        # A refused form says so first in the title, as the site's forms do.
        form = context.get("form")
        if form is not None and form.errors:
            title = f"Error: {title}"
        return render(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, "event": event,
             "title": title, **context},
        )  # fmt: skip

    def register_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The attendance register: one checkbox per confirmed place, naming each person,
        for the staff who organise events (not every editor of the event)."""
        if not events_access.can_mark_attendance(request.user):
            raise PermissionDenied
        event = self._event(request, pk)
        confirmed = (
            event.registrations.filter(status=RegistrationStatus.CONFIRMED)
            .select_related("user")
            .order_by("name")
        )
        if request.method == "POST":
            ids = {int(value) for value in request.POST.getlist("attended") if value.isdigit()}
            with transaction.atomic():
                count = attendance.attendance_set(event=event, attended_ids=ids)
            messages.success(request, f"Attendance saved: {count} attended.")
            return redirect("admin:events_event_register", pk=pk)
        return self._render(
            request,
            "admin/events/register.html",
            event,
            registrations=confirmed,
            title=f"Attendance register: {event}",
        )

    def message_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = self._event(request, pk)
        form = MessageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    message = services.message_send(
                        event=event, sent_by=request.user, **form.cleaned_data
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                count = message.notices.count()
                messages.success(
                    request,
                    f"Your message is being sent to {counted(count, 'person', 'people')}, once each.",
                )
                return redirect("admin:events_event_message", pk=pk)
        sent = event.messages.all()
        return self._render(
            request,
            "admin/events/message.html",
            event,
            form=form,
            sent=sent,
            title=f"Email everyone registered: {event}",
        )

    def library_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = self._event(request, pk)
        form = LibraryForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    resource = recordings.recording_to_library(
                        event=event, access_level=form.cleaned_data["access_level"]
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"The library resource “{resource}” is published.")
                return redirect("admin:events_event_change", pk)
        return self._render(
            request,
            "admin/events/library.html",
            event,
            form=form,
            title=f"Put the recording in the library: {event}",
        )
