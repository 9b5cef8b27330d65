"""The event admin's form: its checks, and the slides' file widget, which shows the
slides by their original name, linked to the view that serves them."""

from django import forms
from django.conf import settings
from django.db import models
from django.urls import reverse

from events.models import Eligibility, Event
from network.files import attachment_file_check
from network.widgets import AsksToChooseAgain


def _formfield(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # what staff paste is https (Django 6's default)
    return db_field.formfield(**kwargs)


class _CurrentSlides:
    """What the file widget shows as "Currently": the original name, linked to the view
    that serves the slides (the file itself has no public URL)."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class SlidesInput(AsksToChooseAgain, forms.ClearableFileInput):
    current: _CurrentSlides | None = None

    def is_initial(self, value) -> bool:
        return bool(value) and self.current is not None

    def format_value(self, value):
        if value and not hasattr(value, "content_type") and self.current is not None:
            return self.current
        return super().format_value(value) if hasattr(value, "content_type") else None


# A cancelled event's time and place: what everyone registered was told it was, and what
# the calendar entry they were sent (and the public feed) say was cancelled.


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title", "slug", "status", "format", "summary", "description", "starts_at",
            "ends_at", "cpd_hours", "region", "venue", "address", "travel_notes",
            "online_link", "topics", "for_providers", "for_commissioners", "for_policy",
            "eligibility", "member_type", "capacity", "registration_opens_at",
            "registration_closes_at", "recording_url", "slides",
        ]  # fmt: skip
        widgets = {"slides": SlidesInput}
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A negative number is refused by the field itself: the same words as for 0.
        self.fields["capacity"].error_messages["min_value"] = "An event needs at least one place."
        if "online_link" in self.fields:
            # The model's help text can only name the setting; staff need its value.
            self.fields["online_link"].help_text = (
                "For webinars and hybrid events: shown only to people with a place, from "
                f"{settings.EVENTS_JOINING_LINK_MINUTES} minutes before the start."
            )
        instance = self.instance
        if instance.pk and instance.slides:
            self.fields["slides"].widget.current = _CurrentSlides(
                instance.slides_filename or "slides",
                reverse("events:slides", kwargs={"slug": instance.slug}),
            )

    def clean_cpd_hours(self):
        hours = self.cleaned_data.get("cpd_hours")
        # Printed on certificates as the hours someone attended.
        if hours is not None and hours <= 0:
            raise forms.ValidationError(
                "CPD hours must be more than 0. Leave the box empty to use the event's length."
            )
        return hours

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < 1:
            raise forms.ValidationError("An event needs at least one place.")
        return capacity

    def clean_slides(self):
        slides = self.cleaned_data.get("slides")
        if slides and "slides" in self.changed_data and hasattr(slides, "content_type"):
            self._checked_slides = attachment_file_check(slides)
        return slides

    def clean(self):
        cleaned = super().clean()
        eligibility = cleaned.get("eligibility")
        if eligibility == Eligibility.MEMBER_TYPE and not cleaned.get("member_type"):
            self.add_error("member_type", "Choose the member type this event is for.")
        if eligibility != Eligibility.MEMBER_TYPE and cleaned.get("member_type"):
            self.add_error("member_type", "Leave this empty unless the event is for one type.")
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must be after the start.")
        # Registration closes at its closing time, else at the start: opening at or after
        # that, it would never be open, and the page would say "not opened yet", then
        # "closed".
        opens = cleaned.get("registration_opens_at")
        closes = cleaned.get("registration_closes_at") or starts
        if opens and closes and opens >= closes:
            self.add_error(
                "registration_opens_at",
                "Registration must open before it closes (with no closing time, it closes "
                "when the event starts).",
            )
        fmt = cleaned.get("format")
        if fmt in ("in-person", "hybrid") and not cleaned.get("address"):
            self.add_error("address", "Give the venue's address for an event held in person.")
        if fmt == "in-person" and cleaned.get("region") == "online":
            self.add_error("region", "Choose the region where the event is held.")
        return cleaned
