"""Addresses we must never write to again (newsletter/suppressions.py). Each entry is a
keyed hash, so the list cannot be read: staff find an address's entry by typing it in
full in the search box. Deleting an entry lets the address be written to again; do it
only when the person asks (through the contact page) and the complaint was a mistake.

Staff may add an entry by hand when someone asks them (by phone, by letter) never to be
emailed by the newsletter again: the address typed in is hashed, never stored, and its
subscriber, if any, is unsubscribed with the record an unsubscribe leaves. Editors may
not (members/staff_groups.py leaves suppressions out of their permissions)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from members.admin.account_fields import AccountFieldsAsText, account_address
from network.forms import SpecificMessages
from newsletter import suppressions
from newsletter.models import Suppression

ASKED_BOX = (
    "The owner of this address asked us never to email it again. Its subscription, if "
    "any, stops at once, and no newsletter or digest will be sent to it."
)


class SuppressionAddForm(SpecificMessages, forms.ModelForm):
    """The address of someone who asked never to be emailed: hashed, never saved."""

    email = forms.EmailField(
        label="Email address",
        help_text="Typed in full. Only a coded form of it is kept, never the address.",
    )
    asked = forms.BooleanField(
        label=ASKED_BOX,
        error_messages={"required": "Tick the box to say the person asked for this"},
    )

    class Meta:
        model = Suppression
        fields: list[str] = []

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        objection = suppressions.objection_for(email)
        if objection:
            raise forms.ValidationError(suppressions.ALREADY_SUPPRESSED[objection])
        return email


@admin.register(Suppression)
class SuppressionAdmin(AccountFieldsAsText, admin.ModelAdmin):
    list_display = ["reason", "created_at", "staff_member"]
    list_filter = ["reason"]
    search_fields = ["address_hash"]
    search_help_text = "Type the whole email address: only an exact match is found."
    readonly_fields = ["reason", "created_at", "added_by"]
    fields = readonly_fields
    list_select_related = ["added_by"]

    account_fields = {"added_by": "staff_member"}
    staff_member = account_address("added_by", "added by (staff)")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Unsubscribing goes with it: only staff who may change subscribers.
        return super().has_add_permission(request) and request.user.has_perm(
            "newsletter.change_subscriber"
        )

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ["email", "asked"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return []
        return super().get_readonly_fields(request, obj)

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SuppressionAddForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        saved, subscriber = suppressions.suppression_add_by_staff(
            email=form.cleaned_data["email"], added_by=request.user
        )
        # The admin's history and messages name the entry saved by the service.
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False
        obj.unsubscribed = subscriber is not None

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if obj.unsubscribed:
            self.message_user(
                request,
                "Their subscription is stopped too: the subscriber is unsubscribed, and the "
                "consent record says who on the staff did it, at their request.",
                messages.INFO,
            )
        return response

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        if not search_term.strip():
            return queryset, False
        digest = suppressions.address_hash(search_term)
        return queryset.filter(address_hash=digest), False
