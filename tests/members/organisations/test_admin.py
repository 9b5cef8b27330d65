"""Staff in the admin: grants, organisations with seats, invitations, member CSV export."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members import access
from members.exports import safe_cell
from members.models import MembershipGrant, MemberType, SeatRemoval, User
from network.text import email_that_wraps
from tests.members.factories import (
    InvitationFactory,
    OrganisationFactory,
    SeatFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


def test_staff_grant_a_person_a_membership_with_dates_and_a_reason(staff_client, registered, staff):
    today = timezone.localdate()

    response = staff_client.post(
        reverse("admin:members_membershipgrant_add"),
        {
            "user": registered.pk,
            "seats": 1,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
            "reason": MembershipGrant.Reason.PARTNER,
            "member_type": MemberType.POLICY,
        },
    )

    assert response.status_code == 302
    grant = MembershipGrant.objects.get()
    assert grant.granted_by == staff
    assert access.membership(User.objects.get(pk=registered.pk)).grant == grant


def test_staff_grant_without_a_member_type_is_refused_and_keeps_what_was_typed(
    staff_client, registered
):
    today = timezone.localdate()

    response = staff_client.post(
        reverse("admin:members_membershipgrant_add"),
        {
            "user": registered.pk,
            "seats": 1,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
            "reason": MembershipGrant.Reason.PARTNER,
            "note": "Research partner",
        },
    )

    assert response.status_code == 200
    assert "member_type" in response.context["adminform"].form.errors
    assert "Research partner" in response.content.decode()
    assert not MembershipGrant.objects.exists()


def test_staff_grant_an_organisation_seats(staff_client):
    organisation = OrganisationFactory()
    today = timezone.localdate()

    staff_client.post(
        reverse("admin:members_membershipgrant_add"),
        {
            "organisation": organisation.pk,
            "seats": 8,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
            "reason": MembershipGrant.Reason.INVOICE_PAID_OFFLINE,
            "member_type": MemberType.PROVIDER,
        },
    )

    assert access.organisation_seats(organisation) == 8


def test_grant_for_both_a_person_and_an_organisation_is_refused_clearly(staff_client, registered):
    today = timezone.localdate().isoformat()

    response = staff_client.post(
        reverse("admin:members_membershipgrant_add"),
        {
            "user": registered.pk,
            "organisation": OrganisationFactory().pk,
            "seats": 1,
            "starts_on": today,
            "ends_on": today,
            "reason": MembershipGrant.Reason.COMPLIMENTARY,
            "member_type": MemberType.PROVIDER,
        },
    )

    assert response.status_code == 200
    assert "Choose either a person or an organisation" in response.content.decode()
    assert not MembershipGrant.objects.exists()


def test_organisation_page_in_the_admin_shows_seats_and_their_source(staff_client):
    organisation, admin = organisation_with_seats(seats=4, admin=UserFactory(name="Ruth Adeyemi"))
    InvitationFactory(organisation=organisation, email="kim@example.org")

    page = staff_client.get(
        reverse("admin:members_organisation_change", args=[organisation.pk])
    ).content.decode()

    assert "2 of 4 seats in use (1 person, 1 invitation), from a subscription" in page
    assert "Ruth Adeyemi" in page
    assert "kim@example.org" in page


def test_organisation_list_counts_seats_without_a_query_per_row(
    staff_client, django_assert_max_num_queries
):
    for _ in range(15):
        organisation, _admin = organisation_with_seats()
        SeatFactory(organisation=organisation)
    staff_client.get(reverse("admin:members_organisation_changelist"))

    with django_assert_max_num_queries(20):
        response = staff_client.get(reverse("admin:members_organisation_changelist"))

    assert response.status_code == 200


def _queries_of_organisation_page(client, organisation) -> int:
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _people_around(organisation, count: int) -> None:
    """Seats, invitations (half accepted) and seats taken back, `count` of each."""
    for n in range(count):
        SeatFactory(organisation=organisation)
        InvitationFactory(
            organisation=organisation,
            accepted_by=UserFactory() if n % 2 else None,
            accepted_at=timezone.now() if n % 2 else None,
        )
        SeatRemoval.objects.create(
            organisation=organisation, user=UserFactory(), removed_by=UserFactory()
        )


def test_organisation_page_reads_its_seats_and_invitations_in_a_fixed_number_of_queries(
    staff_client,
):
    organisation, _admin = organisation_with_seats(seats=40)
    _people_around(organisation, 2)
    few = _queries_of_organisation_page(staff_client, organisation)

    _people_around(organisation, 10)

    assert _queries_of_organisation_page(staff_client, organisation) == few


def test_a_persons_page_reads_their_seats_in_a_fixed_number_of_queries(staff_client):
    person = UserFactory()
    SeatFactory(user=person)
    url = reverse("admin:members_user_change", args=[person.pk])
    staff_client.get(url)
    with CaptureQueriesContext(connection) as one_seat:
        staff_client.get(url)

    for _ in range(4):
        SeatFactory(user=person)
    with CaptureQueriesContext(connection) as five_seats:
        staff_client.get(url)

    assert len(five_seats) == len(one_seat)


def test_organisations_are_searchable_by_a_seat_holders_email(staff_client):
    organisation, admin = organisation_with_seats(name="Fictional Valley Homes")

    page = staff_client.get(
        reverse("admin:members_organisation_changelist"), {"q": admin.email}
    ).content.decode()

    assert "Fictional Valley Homes" in page


def test_staff_revoke_invitations_from_the_list(staff_client):
    invitation = InvitationFactory()

    staff_client.post(
        reverse("admin:members_invitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk], "confirmed": "yes"},
    )

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_revoking_invitations_in_the_admin_asks_first(staff_client):
    invitation = InvitationFactory()

    response = staff_client.post(
        reverse("admin:members_invitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )

    assert "are you sure?" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_member_filter_lists_members_only(staff_client, provider_member, registered):
    page = staff_client.get(
        reverse("admin:members_user_changelist"), {"membership": "member"}
    ).content.decode()

    # Each address as the list shows it, free to break before its "@".
    assert email_that_wraps(provider_member.email) in page
    assert email_that_wraps(registered.email) not in page


def test_members_export_as_csv_with_where_access_comes_from(
    staff_client, commissioner_member, registered
):
    response = staff_client.post(
        reverse("admin:members_user_changelist"),
        {"action": "export_csv", "_selected_action": [commissioner_member.pk, registered.pk]},
    )

    content = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    by_email = {row["email"]: row for row in rows}
    assert response["Content-Type"] == "text/csv"
    assert by_email["commissioner@example.org"]["access through"] == "seat"
    assert by_email["commissioner@example.org"]["organisation (seat)"] == "Northmoor Council"
    assert by_email["registered@example.org"]["status"] == "registered"


def test_members_export_defuses_spreadsheet_formulas(staff_client):
    sneaky = UserFactory(name='=HYPERLINK("http://evil.example","x")', job_title="+1 manager")

    response = staff_client.post(
        reverse("admin:members_user_changelist"),
        {"action": "export_csv", "_selected_action": [sneaky.pk]},
    )

    row = next(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert row["name"].startswith("'=")
    assert row["job title"] == "'+1 manager"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_defused(value):
    assert safe_cell(value) == "'" + value


def test_plain_cells_are_left_alone():
    assert safe_cell("Northmoor Council") == "Northmoor Council"


def _organisation_form(rf, staff, organisation, **changes):
    from django.contrib.admin.sites import site
    from django.forms.models import model_to_dict

    request = rf.post("/admin/")
    request.user = staff
    form_class = site._registry[type(organisation)].get_form(request, organisation)
    data = {k: v for k, v in model_to_dict(organisation).items() if v is not None} | changes
    return form_class(data=data, instance=organisation)


def test_a_domain_staff_type_with_capitals_or_an_at_sign_still_offers_seats(rf, staff):
    organisation, _ = organisation_with_seats(seats=3)
    form = _organisation_form(rf, staff, organisation, verified_domain=" @Northmoor.Example.org ")

    assert form.is_valid(), form.errors
    form.save()

    colleague = UserFactory(email="lee@northmoor.example.org")
    assert list(access.claimable_organisations(colleague)) == [organisation]


def test_staff_cannot_offer_seats_to_everyone_at_a_public_email_service(rf, staff):
    organisation, _ = organisation_with_seats(seats=3)
    form = _organisation_form(rf, staff, organisation, verified_domain="gmail.com")

    assert not form.is_valid()
    assert "public email service" in str(form.errors["verified_domain"])


def test_the_organisation_autocomplete_pages_through_every_organisation_once(staff_client):
    for n in reversed(range(45)):  # created in the opposite order to their names
        OrganisationFactory(name=f"Fictional Borough Council {n:02}")
    url = reverse("admin:autocomplete")
    params = {"app_label": "members", "model_name": "seat", "field_name": "organisation"}

    seen = []
    for page in (1, 2, 3):
        answer = staff_client.get(url, {**params, "term": "borough", "page": page}).json()
        seen += [result["text"] for result in answer["results"]]

    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 45


def _invitations_of_every_kind(organisation) -> None:
    long_ago = timezone.now() - timedelta(days=400)
    InvitationFactory(organisation=organisation, email="waiting@example.org")
    InvitationFactory(organisation=organisation, email="expired@example.org", sent_at=long_ago)
    InvitationFactory(organisation=organisation, email="accepted@example.org", accepted_at=long_ago)
    InvitationFactory(organisation=organisation, email="revoked@example.org", revoked_at=long_ago)


def test_an_organisation_s_page_lists_only_the_invitations_holding_a_seat(staff_client):
    # Accepted, expired and revoked invitations pile up for years: hundreds of rows.
    organisation, _admin = organisation_with_seats(seats=6)
    _invitations_of_every_kind(organisation)

    page = staff_client.get(
        reverse("admin:members_organisation_change", args=[organisation.pk])
    ).content.decode()

    assert "waiting@example.org" in page
    assert "expired@example.org" not in page
    assert "accepted@example.org" not in page
    assert "revoked@example.org" not in page


def test_an_organisation_s_page_links_to_every_invitation_it_sent(staff_client):
    organisation, _admin = organisation_with_seats(seats=6)
    _invitations_of_every_kind(organisation)
    InvitationFactory(email="elsewhere@example.org")  # another organisation's
    page = staff_client.get(
        reverse("admin:members_organisation_change", args=[organisation.pk])
    ).content.decode()
    link = re.search(r'<a href="([^"]+)">Every invitation, accepted, expired', page)[1]

    listed = staff_client.get(html.unescape(link)).context["cl"].result_list

    assert sorted(invitation.email for invitation in listed) == [
        "accepted@example.org",
        "expired@example.org",
        "revoked@example.org",
        "waiting@example.org",
    ]
