"""An organisation's admins correct its details: who may, what is kept, who is told."""

import pytest
from django.urls import reverse

from members import data_rights
from members.models import (
    MemberType,
    Organisation,
    OrganisationDetailsChange,
    Region,
    Subscription,
)
from tests.members.factories import SeatFactory, organisation_with_seats

pytestmark = pytest.mark.django_db

NEW_DETAILS = {
    "name": "Fictional Moorside Council",
    "region": Region.YORKSHIRE,
    "billing_contact_name": "Creditors Team",
    "billing_email": "creditors@moorside.example.org",
    "billing_address": "Town Hall\nMoorside\nMS1 2AB",
    "purchase_order_number": "PO-2027-0099",
}


@pytest.fixture
def council():
    organisation, admin = organisation_with_seats(
        name="Fictional Northmoor Council",
        slug="northmoor-council",
        org_type=MemberType.COMMISSIONER,
        billing_contact_name="Accounts Payable",
        billing_address="Civic Centre\nNorthmoor\nNM1 1AA",
        purchase_order_number="PO-2026-0412",
    )
    return organisation, admin


def details_url(organisation) -> str:
    return reverse("members:organisation_details", kwargs={"slug": organisation.slug})


def test_organisation_page_links_to_its_details(client, council):
    organisation, admin = council
    client.force_login(admin)

    page = client.get(reverse("members:organisation", kwargs={"slug": organisation.slug}))

    assert details_url(organisation) in page.content.decode()
    assert "PO-2026-0412" in page.content.decode()


def test_org_admin_sees_the_details_in_the_form(client, council):
    organisation, admin = council
    client.force_login(admin)

    response = client.get(details_url(organisation))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Fictional Northmoor Council"' in page
    assert 'value="PO-2026-0412"' in page
    assert "Printed on invoices from now on" in page


def test_org_admin_changes_the_details(client, council):
    organisation, admin = council
    client.force_login(admin)

    response = client.post(details_url(organisation), NEW_DETAILS)

    assert response.status_code == 302
    organisation.refresh_from_db()
    for name, value in NEW_DETAILS.items():
        assert getattr(organisation, name) == value
    assert organisation.slug == "northmoor-council"  # links and bookmarks keep working


def test_the_change_records_who_when_which_fields_and_the_business_values(client, council):
    organisation, admin = council
    client.force_login(admin)

    client.post(details_url(organisation), NEW_DETAILS)

    change = OrganisationDetailsChange.objects.get(organisation=organisation)
    assert change.changed_by == admin
    assert change.changed_at is not None
    assert sorted(change.fields_changed) == sorted(NEW_DETAILS)
    assert change.values == {
        "name": ["Fictional Northmoor Council", "Fictional Moorside Council"],
        "region": [Region.NORTH_WEST, Region.YORKSHIRE],
        "billing_address": ["Civic Centre\nNorthmoor\nNM1 1AA", "Town Hall\nMoorside\nMS1 2AB"],
        "purchase_order_number": ["PO-2026-0412", "PO-2027-0099"],
    }


def test_saving_the_details_unchanged_records_nothing(client, council):
    organisation, admin = council
    client.force_login(admin)
    unchanged = {name: getattr(organisation, name) for name in NEW_DETAILS}

    response = client.post(details_url(organisation), unchanged, follow=True)

    assert "Nothing was changed." in response.content.decode()
    assert not OrganisationDetailsChange.objects.exists()


def test_an_address_sent_back_with_the_browsers_line_endings_is_unchanged(client, council):
    organisation, admin = council
    client.force_login(admin)
    unchanged = {name: getattr(organisation, name) for name in NEW_DETAILS}

    client.post(
        details_url(organisation),
        {**unchanged, "billing_address": "Civic Centre\r\nNorthmoor\r\nNM1 1AA"},
    )

    assert not OrganisationDetailsChange.objects.exists()
    organisation.refresh_from_db()
    assert organisation.billing_address == "Civic Centre\nNorthmoor\nNM1 1AA"


def test_errors_are_summarised_and_what_was_typed_is_kept(client, council):
    organisation, admin = council
    client.force_login(admin)

    response = client.post(
        details_url(organisation),
        {**NEW_DETAILS, "name": "", "billing_email": "creditors at moorside"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'href="#id_name"' in page
    assert 'href="#id_billing_email"' in page
    assert 'value="creditors at moorside"' in page
    assert 'value="PO-2027-0099"' in page
    assert "<title>Error: Fictional Northmoor Council" in page  # not renamed by the typing
    organisation.refresh_from_db()
    assert organisation.purchase_order_number == "PO-2026-0412"
    assert not OrganisationDetailsChange.objects.exists()


def test_an_organisation_paying_by_invoice_keeps_a_billing_email_and_address(client, council):
    organisation, admin = council
    Subscription.objects.filter(organisation=organisation).update(
        collection_method=Subscription.CollectionMethod.INVOICE
    )
    client.force_login(admin)

    response = client.post(
        details_url(organisation), {**NEW_DETAILS, "billing_email": "", "billing_address": ""}
    )

    assert response.status_code == 400
    assert "your organisation pays by invoice" in response.content.decode()


def test_only_the_details_fields_can_be_changed(client, council):
    organisation, admin = council
    organisation.stripe_customer_id = "cus_Northmoor"
    organisation.verified_domain = "northmoor.example.org"
    organisation.save()
    client.force_login(admin)

    client.post(
        details_url(organisation),
        {
            **NEW_DETAILS,
            "slug": "taken-over",
            "org_type": MemberType.PROVIDER,
            "verified_domain": "gmail.com",
            "stripe_customer_id": "cus_Someone_else",
        },
    )

    organisation.refresh_from_db()
    assert organisation.slug == "northmoor-council"
    assert organisation.org_type == MemberType.COMMISSIONER
    assert organisation.verified_domain == "northmoor.example.org"
    assert organisation.stripe_customer_id == "cus_Northmoor"


# --- Who may ----------------------------------------------------------------------------


def test_seat_holder_of_the_organisation_gets_not_found(client, council):
    organisation, _ = council
    colleague = SeatFactory(organisation=organisation, is_admin=False).user
    client.force_login(colleague)

    assert client.get(details_url(organisation)).status_code == 404
    assert client.post(details_url(organisation), NEW_DETAILS).status_code == 404
    organisation.refresh_from_db()
    assert organisation.name == "Fictional Northmoor Council"


def test_admin_of_another_organisation_gets_not_found(client, council):
    organisation, _ = council
    _, other_admin = organisation_with_seats(name="Fictional Valley Homes", slug="valley-homes")
    client.force_login(other_admin)

    assert client.get(details_url(organisation)).status_code == 404
    assert client.post(details_url(organisation), NEW_DETAILS).status_code == 404
    organisation.refresh_from_db()
    assert organisation.name == "Fictional Northmoor Council"


def test_member_without_a_seat_there_gets_not_found(client, council, member):
    organisation, _ = council
    client.force_login(member)

    assert client.get(details_url(organisation)).status_code == 404


def test_visitor_is_sent_to_sign_in(client, council):
    organisation, _ = council

    response = client.post(details_url(organisation), NEW_DETAILS)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    organisation.refresh_from_db()
    assert organisation.name == "Fictional Northmoor Council"


# --- Who is told ------------------------------------------------------------------------


def test_a_new_name_is_emailed_to_the_membership_team(
    client, council, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["membership@network.example.org"]
    organisation, admin = council
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(details_url(organisation), NEW_DETAILS)

    [message] = mailoutbox
    assert message.to == ["membership@network.example.org"]
    assert "Fictional Northmoor Council is now Fictional Moorside Council" in message.subject
    assert admin.email in message.body
    assert reverse("admin:members_organisation_change", args=[organisation.pk]) in message.body
    assert OrganisationDetailsChange.objects.get().staff_notified_at is not None


def test_the_team_is_not_emailed_when_the_name_stays(
    client, council, mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin = council
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(details_url(organisation), {**NEW_DETAILS, "name": organisation.name})

    assert mailoutbox == []


def test_the_team_is_emailed_once_however_often_the_task_runs(
    client, council, mailoutbox, django_capture_on_commit_callbacks
):
    from members.organisations.tasks import organisation_renamed_staff_notice_send

    organisation, admin = council
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(details_url(organisation), NEW_DETAILS)

    organisation_renamed_staff_notice_send(OrganisationDetailsChange.objects.get().pk)

    assert len(mailoutbox) == 1


# --- The record outlives the admin --------------------------------------------------------


def test_erasing_the_admin_keeps_the_record_under_their_pseudonym(client, council):
    organisation, admin = council
    SeatFactory(organisation=organisation, is_admin=True)  # someone to hand over to
    client.force_login(admin)
    client.post(details_url(organisation), NEW_DETAILS)
    client.logout()

    request = data_rights.account_deletion_request(user=admin, keep_post_text=True)
    data_rights.account_erase(data_request=request)

    change = OrganisationDetailsChange.objects.select_related("changed_by").get()
    assert change.changed_by.is_erased
    assert admin.email not in str(change.changed_by)
    assert change.values["name"] == ["Fictional Northmoor Council", "Fictional Moorside Council"]


def test_deleting_the_admins_account_outright_keeps_the_record(client, council):
    organisation, admin = council
    client.force_login(admin)
    client.post(details_url(organisation), NEW_DETAILS)
    client.logout()

    admin.delete()

    change = OrganisationDetailsChange.objects.get()
    assert change.changed_by is None
    assert Organisation.objects.get(pk=organisation.pk).name == "Fictional Moorside Council"


def test_staff_see_the_record_in_the_admin_but_cannot_change_it(staff_client, council):
    organisation, admin = council
    change = OrganisationDetailsChange.objects.create(
        organisation=organisation,
        changed_by=admin,
        fields_changed=["name", "billing_email"],
        values={"name": ["Fictional Northmoor Council", "Fictional Moorside Council"]},
    )

    listing = staff_client.get(reverse("admin:members_organisationdetailschange_changelist"))
    page = staff_client.get(
        reverse("admin:members_organisationdetailschange_change", args=[change.pk])
    )

    assert listing.status_code == 200
    assert "billing email" in listing.content.decode()
    assert "Fictional Moorside Council" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
