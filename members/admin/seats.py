"""The admin of seats: the list of every seat, where staff add, change and delete them;
the seats shown on an organisation's page and on a person's; and the record of seats
the organisations' admins took back.

A county council holds hundreds of seats and takes seats back for years. Its page shows
the first of each, read only, and links to the list of all of them filtered to it: a
form for each of 300 seats made the page close to a megabyte and took seconds to open.

Whatever staff add, change or delete here (one seat, ticked seats, or a person's seats on
their page) goes through members/organisations/staff_seats.py: an organisation keeps at
least one admin, and people are told when made an admin or when their seat is taken back,
as when an organisation's own admins do it.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from members import access
from members.access.seats_paid import seats_ahead
from members.models import Organisation, Seat, SeatRemoval
from members.organisations import staff_seats
from network.admin_inlines import FirstRowsInline, RelatedReadOnce
from network.admin_labels import LabelledTabularInline
from network.text import counted, email_that_wraps


def organisation_list_url(model: type, organisation: Organisation) -> str:
    """The admin's list of `model` (seats, seats taken back) for one organisation."""
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    return f"{url}?{OrganisationFilter.parameter_name}={organisation.pk}"


class OrganisationFilter(admin.SimpleListFilter):
    """The organisation a list was opened for from its page. Its one choice says which
    organisation the list shows, and "All" clears it; a choice of every organisation
    would be thousands long."""

    title = "organisation"
    parameter_name = "organisation"

    def lookups(self, request, model_admin):
        value = self.value()
        if value is None:
            return []
        name = None
        if value.isdigit():
            name = Organisation.objects.filter(pk=value).values_list("name", flat=True).first()
        return [(value, name or "No such organisation")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()  # typed in the address bar: no organisation, no rows
        return queryset.filter(organisation_id=value)


class SeatForm(forms.ModelForm):
    """A seat as staff add or change it: refused, with what to do first, when it would
    leave an organisation without an admin."""

    class Meta:
        model = Seat
        fields = ["organisation", "user", "is_admin", "slot"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.before = staff_seats.Holding.of(self.instance)

    def clean(self) -> dict:
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        if organisation is None or user is None:
            return cleaned  # the missing field says so already
        after = Seat(
            pk=self.instance.pk,
            organisation=organisation,
            user=user,
            is_admin=cleaned.get("is_admin", False),
        )
        staff_seats.seat_change_check(seat=after, before=self.before)
        return cleaned


class SeatFormSet(BaseInlineFormSet):
    """A person's seats on their page: those ticked for deletion keep every organisation
    an admin, as one deleted from the list of seats does."""

    def clean(self) -> None:
        super().clean()
        deleted = [form.instance for form in self.deleted_forms if form.instance.pk]
        if deleted:
            staff_seats.seats_delete_check(
                Seat.objects.select_related("user", "organisation").filter(
                    pk__in=[seat.pk for seat in deleted]
                )
            )


def seat_formset_save(request, formset: SeatFormSet) -> None:
    """Save a person's seats as changed on their page, through staff_seats."""
    before = {id(form.instance): form.before for form in formset.forms}
    saved = formset.save(commit=False)
    if formset.deleted_objects:
        staff_seats.seats_staff_delete(seats=formset.deleted_objects, deleted_by=request.user)
    for seat in saved:
        staff_seats.seat_staff_save(seat=seat, before=before.get(id(seat)), changed_by=request.user)


class SeatInline(RelatedReadOnce, LabelledTabularInline):
    """A person's seats, on their page: a few at most, changed there."""

    model = Seat
    form = SeatForm
    formset = SeatFormSet
    extra = 0
    autocomplete_fields = ["user", "organisation"]
    related_read_once = ("user", "organisation")
    fields = ["user", "organisation", "is_admin", "slot", "created_at"]
    readonly_fields = ["created_at"]


class OrganisationSeatInline(FirstRowsInline, RelatedReadOnce, LabelledTabularInline):
    """An organisation's seats on its page, read only, in the order in which they give
    access (access.SEAT_ORDER: the admins, then by when each was taken), so the seats
    beyond those paid for come last. Each is changed on its own page, a link away; the
    list of the organisation's seats finds any of them."""

    model = Seat
    related_read_once = ("user", "organisation")  # each row is named "<person> at <organisation>"
    fields = ["user", "email", "is_admin", "since", "beyond_paid"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    rows_shown = 20
    verbose_name_plural = "seats"
    seats_paid = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # from the link under the seats: the add page, for this organisation

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(seats_ahead=seats_ahead())
            .order_by(*access.SEAT_ORDER)
        )

    def get_formset(self, request, obj=None, **kwargs):
        self.seats_paid = access.organisation_seats(obj) if obj is not None and obj.pk else 0
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description="email")
    def email(self, seat: Seat) -> str:
        return seat.user.email

    @admin.display(description="since")
    def since(self, seat: Seat) -> str:
        return date_format(timezone.localtime(seat.created_at), "j F Y")

    @admin.display(description="beyond the seats paid for")
    def beyond_paid(self, seat: Seat) -> str | None:
        if not self.seats_paid:
            return None  # no membership: the summary above says no seat gives access
        return "Yes" if seat.seats_ahead >= self.seats_paid else "No"

    def every_row_link(self, obj: Organisation, *, shown: int, total: int) -> str:
        if total == 0:
            shown_text = "No seats yet."
        elif shown == total:
            shown_text = f"{counted(total, 'seat')} in all."
        else:
            shown_text = (
                f"The first {shown} of {total} seats: the admins, then by when each was taken."
            )
        add_url = reverse("admin:members_seat_add") + f"?organisation={obj.pk}"
        return format_html(
            '{} <a href="{}">Open the list of {}’s seats</a> to find, change or delete one, '
            'or <a href="{}">add a seat</a>.',
            shown_text,
            organisation_list_url(Seat, obj),
            obj.name,
            add_url,
        )


class SeatRemovalInline(FirstRowsInline, RelatedReadOnce, LabelledTabularInline):
    """The seats the organisation's admins (or staff) took back lately: a record, not edited here.
    They pile up for years; the list of all of them is a link away."""

    model = SeatRemoval
    related_read_once = ("organisation", "user", "removed_by")
    extra = 0
    fields = ["user", "removed_by", "by_staff", "removed_at", "emailed_at"]
    readonly_fields = fields
    rows_shown = 20
    verbose_name = "seat taken back"
    verbose_name_plural = "Seats taken back by the organisation's admins or staff, latest first"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def every_row_link(self, obj: Organisation, *, shown: int, total: int) -> str:
        if shown == total:
            return ""
        return format_html(
            'The latest {} of {}. <a href="{}">All {} seats taken back</a>.',
            shown,
            total,
            organisation_list_url(SeatRemoval, obj),
            total,
        )


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    """Every seat. An organisation's page links here filtered to its own, where staff
    find, change and delete them a page at a time, and add one."""

    # The person's email is said under their name, and the paid seat beside whether they
    # are an admin: as columns of their own, beside the admin's menu and the filters on a
    # 1,280 px screen, they pushed the seat's date out of sight.
    list_display = ["person", "organisation", "admin_and_slot", "created_at"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    # An organisation's seats in the order in which they give access, as on its page.
    ordering = ["organisation__name", "organisation_id", *access.SEAT_ORDER]
    list_filter = [OrganisationFilter, "is_admin", "taken_through"]
    form = SeatForm
    fields = [
        "organisation",
        "user",
        "is_admin",
        "slot",
        "created_at",
        "taken_through",
        "claimed_domain",
    ]
    # How the seat was taken is what happened: one staff add reads "given by staff".
    readonly_fields = ["created_at", "taken_through", "claimed_domain"]
    actions = ["delete_selected"]  # in place of Django's own: see below

    @admin.display(description="user", ordering="user__email")
    def person(self, seat: Seat) -> str:
        email = email_that_wraps(seat.user.email)
        if str(seat.user) == seat.user.email:
            return email
        return format_html("{}<br>{}", seat.user, email)

    @admin.display(description="role", ordering="is_admin")
    def admin_and_slot(self, seat: Seat) -> str:
        said = ["Admin" if seat.is_admin else "Member"]
        if seat.slot is not None:
            said.append(f"paid seat {seat.slot}")
        return ", ".join(said)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # The form asked already; this is a change made meanwhile on another page.
            return _refused(request, error, request.get_full_path())

    def save_model(self, request, obj, form, change) -> None:
        staff_seats.seat_staff_save(seat=obj, before=form.before, changed_by=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        seat = self.get_object(request, unquote(object_id))
        try:
            if seat is not None and self.has_delete_permission(request, seat):
                # Asked before the confirmation, so staff are not asked to confirm
                # something that will be refused.
                staff_seats.seats_delete_check([seat])
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            return _refused(request, error, reverse("admin:members_seat_change", args=[seat.pk]))

    def delete_model(self, request, obj) -> None:
        staff_seats.seats_staff_delete(seats=[obj], deleted_by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        staff_seats.seats_staff_delete(seats=queryset, deleted_by=request.user)

    @admin.action(permissions=["delete"], description="Delete selected seats")
    def delete_selected(self, request, queryset):
        """Django's own, asked first whether it would leave an organisation without an
        admin."""
        try:
            staff_seats.seats_delete_check(queryset.select_related("user", "organisation"))
            # One transaction: a refusal met while deleting (the seats changed meanwhile)
            # takes back the history entries Django wrote first.
            with transaction.atomic():
                return django_delete_selected(self, request, queryset)
        except ValidationError as error:
            _refused(request, error, None)
            return None  # back to the list, with the message


def _refused(request, error: ValidationError, to: str | None):
    for message in error.messages:
        messages.error(request, message)
    return redirect(to) if to else None


@admin.register(SeatRemoval)
class SeatRemovalAdmin(admin.ModelAdmin):
    """Seats the organisations' admins or staff took back: a record, read only, as the
    newsletter's deliveries are. Rows may still be deleted, as they are with the
    organisation or the person they name."""

    list_display = ["user", "organisation", "removed_by", "by_staff", "removed_at", "emailed_at"]
    list_filter = [OrganisationFilter]
    list_select_related = ["user", "organisation", "removed_by"]
    search_fields = ["user__email", "user__name", "organisation__name"]
    ordering = ["-removed_at", "-pk"]  # the latest first, as on the organisation's page
    readonly_fields = [f.name for f in SeatRemoval._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
