"""The admin of organisations, their invitations and grants (their seats: seats.py)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from members import access
from members.admin.seats import (
    OrganisationSeatInline,
    SeatRemovalInline,
    organisation_list_url,
)
from members.models import Invitation, MembershipGrant, Organisation, OrganisationDetailsChange
from members.organisations import domains, invitations, seats
from members.organisations.pages import organisation_links
from members.organisations.seats_over import seats_over
from members.organisations.tasks import seats_over_check
from network.admin_actions import asks_first
from network.admin_deletion import NamesRelatedRowsInFewQueries
from network.admin_inlines import RelatedReadOnce
from network.admin_labels import LabelledTabularInline
from network.text import counted


class InvitationInline(RelatedReadOnce, LabelledTabularInline):
    """The invitations holding a seat now. Accepted, expired and revoked ones pile up
    over the years (hundreds for a county council) and are one link away, in the list
    of invitations."""

    model = Invitation
    related_read_once = ("organisation", "invited_by", "accepted_by")
    extra = 0
    verbose_name = "invitation holding a seat"
    verbose_name_plural = "invitations holding a seat"
    fields = ["email", "invited_by", "sent_at", "accepted_at", "accepted_by", "revoked_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # invitations are sent by organisation admins (or from the list)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(seats.holding_a_seat())


class OrganisationGrantInline(LabelledTabularInline):
    model = MembershipGrant
    fk_name = "organisation"
    extra = 0
    fields = ["seats", "starts_on", "ends_on", "reason", "member_type", "note"]
    verbose_name = "membership granted by staff"
    verbose_name_plural = "memberships granted by staff"


class HasVerifiedDomainFilter(admin.SimpleListFilter):
    title = "verified email domain"
    parameter_name = "domain"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "None")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(verified_domain="")
        if self.value() == "no":
            return queryset.filter(verified_domain="")
        return queryset


class OrganisationForm(forms.ModelForm):
    def clean_verified_domain(self) -> str:
        # The rules an organisation admin's own verification follows: stored lower case
        # without "@" (seats are offered by an exact match), never a public email
        # service, never a domain another organisation holds.
        domain = self.cleaned_data["verified_domain"]
        if not domain.strip():
            return ""
        return domains.domain_clean(organisation=self.instance, domain=domain)


def _beyond_text(beyond: access.SeatsBeyondPaid) -> str:
    people = ", ".join(str(seat.user) for seat in beyond.seats)
    parts = []
    if beyond.seats:
        if beyond.ends_at is None:
            parts.append(f"Notice not begun yet for: {people}.")
        else:
            when = date_format(timezone.localtime(beyond.ends_at), "j F Y")
            verb = "No access since" if beyond.has_ended else "Access ends on"
            parts.append(f"{verb} {when} for: {people}.")
    if beyond.invitations:
        emails = ", ".join(invitation.email for invitation in beyond.invitations)
        parts.append(f"Invitations that cannot be accepted: {emails}.")
    return " ".join(parts)


@admin.register(Organisation)
class OrganisationAdmin(NamesRelatedRowsInFewQueries, admin.ModelAdmin):
    """Organisations with their seats, invitations and staff grants.

    Staff verify an organisation's email domain by entering it here, after checking
    (e.g. by a call to a known number) that the organisation owns it.
    """

    form = OrganisationForm
    # The region is said under the type: as a column of its own, beside the admin's menu
    # and the filters on a 1,280 px screen, it pushed the date added out of sight.
    list_display = ["name", "type_and_region", "seats_taken", "verified_domain", "created_at"]
    list_filter = ["org_type", "region", HasVerifiedDomainFilter]
    search_fields = [
        "name",
        "billing_email",
        "verified_domain",
        "stripe_customer_id",
        "seats__user__email",
    ]
    prepopulated_fields = {"slug": ["name"]}
    # Given here, not only in the model: a counted queryset (below) drops the model's
    # order, and the autocomplete boxes that find organisations read it page by page.
    ordering = ["name", "pk"]
    readonly_fields = [
        "seats_summary",
        "every_invitation",
        "more_pages",
        "details_changes",
        "created_at",
    ]
    inlines = [OrganisationSeatInline, InvitationInline, SeatRemovalInline, OrganisationGrantInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "org_type",
                    "region",
                    "seats_summary",
                    "every_invitation",
                    "more_pages",
                ]
            },
        ),
        ("Seats by email domain", {"fields": ["verified_domain"]}),
        (
            "Billing",
            {
                "fields": [
                    "billing_contact_name",
                    "billing_email",
                    "billing_address",
                    "purchase_order_number",
                    "stripe_customer_id",
                    "details_changes",
                ]
            },
        ),
        ("Dates", {"fields": ["created_at"]}),
    ]

    @admin.display(description="type", ordering="org_type")
    def type_and_region(self, organisation: Organisation) -> str:
        if not organisation.region:
            return organisation.get_org_type_display()
        return format_html(
            "{}<br>{}", organisation.get_org_type_display(), organisation.get_region_display()
        )

    def get_inlines(self, request, obj):
        if obj is None:
            # Seats, invitations and seats taken back are read only here, and there are
            # none before the organisation is saved.
            return [OrganisationGrantInline]
        return super().get_inlines(request, obj)

    def get_queryset(self, request):
        # One count per page of organisations, not one query per row.
        return super().get_queryset(request).annotate(seat_count=Count("seats", distinct=True))

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # Seats taken back or grants changed here may bring the seats in use over those
        # paid for, or within them again (members/organisations/seats_over.py).
        seats_over_check.delay_on_commit(form.instance.pk)

    @admin.display(description="seats taken", ordering="seat_count")
    def seats_taken(self, obj: Organisation) -> int:
        return obj.seat_count

    @admin.display(description="Seats")
    def seats_summary(self, obj: Organisation) -> str:
        if obj.pk is None:
            return "-"
        current = access.organisation_membership(obj)
        usage = seats.seats_usage(obj, total=current.seats if current else 0)
        people = counted(usage.taken, "person", "people")
        if current is None:
            holding = "holds a seat that gives" if usage.taken == 1 else "hold seats that give"
            return f"No active membership; {people} {holding} no access."
        where = "a subscription" if current.subscription else "a staff grant"
        ends = current.ends_at or current.renews_at
        when = f", until {date_format(timezone.localtime(ends), 'j F Y')}" if ends else ""
        summary = (
            f"{usage.used} of {usage.total} seats in use ({people}, "
            f"{counted(usage.held, 'invitation')}), from {where}{when}."
        )
        beyond = seats_over(obj, paid=current.seats)
        if beyond is None:
            return summary
        return format_html(
            "{}<br><strong>{} beyond the seats paid for.</strong> {}",
            summary,
            counted(beyond.over, "seat"),
            _beyond_text(beyond),
        )

    @admin.display(description="Invitations")
    def every_invitation(self, obj: Organisation) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:members_invitation_changelist") + f"?organisation__id__exact={obj.pk}"
        return format_html(
            '<a href="{}">Every invitation, accepted, expired and revoked too</a>', url
        )

    @admin.display(description="Changed by its admins")
    def details_changes(self, obj: Organisation) -> str:
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">Every change its admins made to these details</a>',
            organisation_list_url(OrganisationDetailsChange, obj),
        )

    @admin.display(description="More about it")
    def more_pages(self, obj: Organisation) -> str:
        links = organisation_links(obj, for_staff=True) if obj.pk else []
        if not links:
            return "-"
        return format_html_join(" · ", '<a href="{}">{}</a>', ((url, text) for text, url in links))


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("open", "Waiting (holds a seat)"),
            ("expired", "Expired"),
            ("accepted", "Accepted"),
            ("revoked", "Revoked"),
        ]

    def queryset(self, request, queryset):
        cutoff = timezone.now() - seats.invitation_lifetime()
        waiting = Q(accepted_at__isnull=True, revoked_at__isnull=True)
        if self.value() == "open":
            return queryset.filter(waiting, sent_at__gt=cutoff)
        if self.value() == "expired":
            return queryset.filter(waiting, sent_at__lte=cutoff)
        if self.value() == "accepted":
            return queryset.filter(accepted_at__isnull=False)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "invited_by", "sent_at", "accepted_at", "revoked_at"]
    list_filter = [InvitationStateFilter]
    search_fields = ["email", "organisation__name", "invited_by__email"]
    list_select_related = ["organisation", "invited_by"]
    readonly_fields = [
        "organisation",
        "email",
        "invited_by",
        "created_at",
        "sent_at",
        "emailed_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # organisation admins invite from their organisation page

    @admin.action(description="Revoke selected invitations (frees their seats)")
    @asks_first(
        "Each invitation below is revoked: its link stops working and the seat it held is "
        "free again. The organisation's admin can invite the person again."
    )
    def revoke(self, request, queryset):
        revoked = 0
        for invitation in queryset:
            try:
                invitations.invitation_revoke(invitation=invitation, revoked_by=request.user)
            except ValidationError as error:
                messages.warning(request, f"{invitation}: {' '.join(error.messages)}")
            else:
                revoked += 1
        messages.success(request, f"{revoked} invitation(s) revoked.")
