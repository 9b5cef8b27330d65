"""The admin of seats: the list of every seat, where staff add, change and delete them;
the seats shown on an organisation's page and on a person's; and the record of seats
the organisations' admins took back.

A county council holds hundreds of seats and takes seats back for years. Its page shows
the first of each, read only, and links to the list of all of them filtered to it: a
form for each of 300 seats made the page close to a megabyte and took seconds to open.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from members import access
from members.access.seats_paid import seats_ahead
from members.models import Organisation, Seat, SeatRemoval
from members.organisations.tasks import seats_over_check
from network.admin_inlines import FirstRowsInline, RelatedReadOnce
from network.admin_labels import LabelledTabularInline
from network.text import counted


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


class SeatInline(RelatedReadOnce, LabelledTabularInline):
    """A person's seats, on their page: a few at most, changed there."""

    model = Seat
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
    """The seats the organisation's admins took back lately: a record, not edited here.
    They pile up for years; the list of all of them is a link away."""

    model = SeatRemoval
    related_read_once = ("organisation", "user", "removed_by")
    extra = 0
    fields = ["user", "removed_by", "removed_at", "emailed_at"]
    readonly_fields = fields
    rows_shown = 20
    verbose_name = "seat taken back"
    verbose_name_plural = "Seats taken back by the organisation's admins, latest first"

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


def _seats_over_check(*organisation_ids: int | None) -> None:
    # A seat added, moved or deleted may bring the seats in use over those paid for, or
    # within them again (members/organisations/seats_over.py).
    for organisation_id in {pk for pk in organisation_ids if pk is not None}:
        seats_over_check.delay_on_commit(organisation_id)


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    """Every seat. An organisation's page links here filtered to its own, where staff
    find, change and delete them a page at a time, and add one."""

    list_display = ["user", "email", "organisation", "is_admin", "slot", "created_at"]
    list_filter = [OrganisationFilter, "is_admin"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    # An organisation's seats in the order in which they give access, as on its page.
    ordering = ["organisation__name", "organisation_id", *access.SEAT_ORDER]
    fields = ["organisation", "user", "is_admin", "slot", "created_at"]
    readonly_fields = ["created_at"]

    @admin.display(description="email", ordering="user__email")
    def email(self, seat: Seat) -> str:
        return seat.user.email

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        moved_from = form.initial.get("organisation") if change else None
        _seats_over_check(obj.organisation_id, moved_from)

    def delete_model(self, request, obj) -> None:
        organisation_id = obj.organisation_id
        super().delete_model(request, obj)
        _seats_over_check(organisation_id)

    def delete_queryset(self, request, queryset) -> None:
        organisation_ids = set(queryset.values_list("organisation_id", flat=True))
        super().delete_queryset(request, queryset)
        _seats_over_check(*organisation_ids)


@admin.register(SeatRemoval)
class SeatRemovalAdmin(admin.ModelAdmin):
    """Seats the organisations' admins took back: a record, read only, as the
    newsletter's deliveries are. Rows may still be deleted, as they are with the
    organisation or the person they name."""

    list_display = ["user", "organisation", "removed_by", "removed_at", "emailed_at"]
    list_filter = [OrganisationFilter]
    list_select_related = ["user", "organisation", "removed_by"]
    search_fields = ["user__email", "user__name", "organisation__name"]
    ordering = ["-removed_at", "-pk"]  # the latest first, as on the organisation's page
    readonly_fields = [f.name for f in SeatRemoval._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
