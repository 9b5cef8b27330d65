"""What the admin, the people beyond the paid seats and staff read when an organisation
pays for fewer seats than are in use."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members import access
from members.access import AccessLevel
from members.models import Organisation, Seat
from members.organisations import invitations
from members.organisations.seats_over import seats_over_check
from tests.members.factories import (
    InvitationFactory,
    SeatFactory,
    UserFactory,
    organisation_with_seats,
)
from tests.members.test_account_page_queries import ACCOUNT_PAGE_MOST_QUERIES
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    """Northmoor Council pays for 2 seats; its admin, Ada (oldest) and Ben (newest) hold
    three, and an invitation waits for a fourth."""
    organisation, admin = organisation_with_seats(
        seats=4, name="Northmoor Council", slug="northmoor-council"
    )
    ada = SeatFactory(organisation=organisation, user__name="Ada Oldest").user
    ben = SeatFactory(organisation=organisation, user__name="Ben Newest").user
    Seat.objects.filter(user=ada).update(created_at=timezone.now() - timedelta(days=20))
    Seat.objects.filter(user=ben).update(created_at=timezone.now() - timedelta(days=10))
    InvitationFactory(organisation=organisation, email="waiting@example.org", invited_by=admin)
    organisation.subscriptions.update(quantity=2)
    organisation = seats_over_check(organisation=organisation)
    return organisation, admin, ada, ben


def _ended(organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(
        seats_over_since=timezone.now() - timedelta(days=15)
    )


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def _seats_page(client, organisation) -> str:
    return client.get(reverse("members:organisation", kwargs={"slug": organisation.slug}))


def test_the_seats_page_says_what_is_paid_for_by_when_and_who_loses_access(client, council):
    organisation, admin, ada, ben = council
    client.force_login(admin)

    page = _seats_page(client, organisation).content.decode()

    assert "Northmoor Council pays for 2 seats, and 4 are in use." in page
    assert f"Nothing changes until <strong>{_day(access.seats_notice_end(organisation))}" in page
    warning = page.split("message--warning")[1].split("</div>")[0]
    assert "Ben Newest" in warning and "Ada Oldest" not in warning
    assert "waiting@example.org" in warning
    assert "<strong>Cannot be accepted</strong> (beyond the seats paid for)" in page


def test_the_seats_page_says_whose_access_has_stopped_once_the_notice_ends(client, council):
    organisation, admin, ada, ben = council
    _ended(organisation)
    client.force_login(admin)

    page = _seats_page(client, organisation).content.decode()

    assert "no longer give access to the members' library and forum" in page
    assert "<strong>Beyond the seats paid for:</strong> no access since" in page


def test_the_seats_page_asks_no_more_queries_however_many_seats_are_beyond(
    client, council, django_assert_num_queries
):
    organisation, admin, *_ = council
    client.force_login(admin)
    _seats_page(client, organisation)  # the first request records the device session
    with CaptureQueriesContext(connection) as before:
        _seats_page(client, organisation)
    for _ in range(6):
        SeatFactory(organisation=organisation)
        InvitationFactory(organisation=organisation)

    with django_assert_num_queries(len(before)):
        response = _seats_page(client, organisation)

    assert response.content.decode().count("Beyond the seats paid for:") == 7


def test_the_admin_reads_the_same_on_their_account_page(client, council):
    organisation, admin, ada, ben = council
    client.force_login(admin)

    page = client.get(reverse("members:account")).content.decode()

    assert "Northmoor Council pays for 2 seats, and 4 are in use." in page
    assert "Ben Newest" in page


def test_the_account_page_points_to_its_own_membership_panel_to_add_seats(client, council):
    organisation, admin, ada, ben = council
    client.force_login(admin)

    page = client.get(reverse("members:account")).content.decode()

    assert '"Manage payment, invoices and plan" under Membership on this page' in page
    assert "on <a" not in page.split("To add seats")[1].split("</p>")[0]


def _pays_by_invoice(organisation) -> None:
    organisation.subscriptions.update(collection_method="send_invoice")


def test_an_admin_paying_by_invoice_is_told_to_contact_us_not_the_card_portal(client, council):
    organisation, admin, ada, ben = council
    _pays_by_invoice(organisation)
    client.force_login(admin)

    for url in (
        reverse("members:account"),
        reverse("members:organisation", kwargs={"slug": organisation.slug}),
    ):
        warning = client.get(url).content.decode().split("message--warning")[1]
        warning = warning.split("</div>")[0]
        assert "Northmoor Council pays by invoice, so to add seats" in warning
        assert "Manage payment, invoices and plan" not in warning


def test_the_admins_email_paying_by_invoice_says_to_contact_us(
    mailoutbox, django_capture_on_commit_callbacks
):
    organisation, admin = organisation_with_seats(seats=2, name="Northmoor Council")
    SeatFactory(organisation=organisation)
    _pays_by_invoice(organisation)
    organisation.subscriptions.update(quantity=1)

    with django_capture_on_commit_callbacks(execute=True):
        seats_over_check(organisation=organisation)

    (message,) = [m for m in mailoutbox if m.to == [admin.email]]
    assert "Northmoor Council pays by invoice, so to add seats contact us" in message.body
    assert "Manage payment" not in message.body


def test_a_person_beyond_the_paid_seats_is_told_until_when_during_the_notice(client, council):
    organisation, admin, ada, ben = council
    client.force_login(ben)

    page = client.get(reverse("members:account")).content.decode()

    assert "<strong>You are a member</strong>" in page
    assert f"Your seat gives access until {_day(access.seats_notice_end(organisation))}" in page
    assert f"ask {admin.name}, who manages its seats" in page


def test_a_person_whose_seat_stopped_giving_access_is_told_why_and_what_to_do(client, council):
    organisation, admin, ada, ben = council
    _ended(organisation)
    client.force_login(ben)

    page = client.get(reverse("members:account")).content.decode()

    assert "Your seat at Northmoor Council no longer gives access." in page
    assert f"Ask {admin.name}, who manages its seats, to add a seat" in page
    assert "You can also join on your own." in page


def test_a_members_only_resource_is_refused_with_the_reason(client, council, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 0
    organisation, admin, ada, ben = council
    _ended(organisation)
    resource = ResourceFactory(access_level=AccessLevel.MEMBERS)
    client.force_login(ben)

    page = client.get(
        reverse("practice_library:detail", kwargs={"slug": resource.slug})
    ).content.decode()

    assert "The body of the resource." not in page
    assert "Your seat at Northmoor Council no longer gives access" in page
    assert "How to get your access back" in page


def test_the_oldest_colleague_still_reads_it(client, council):
    organisation, admin, ada, ben = council
    _ended(organisation)
    resource = ResourceFactory(access_level=AccessLevel.MEMBERS)
    client.force_login(ada)

    page = client.get(
        reverse("practice_library:detail", kwargs={"slug": resource.slug})
    ).content.decode()

    assert "The body of the resource." in page


def test_staff_see_the_seats_beyond_on_the_organisation_admin_page(staff_client, council):
    organisation, admin, ada, ben = council

    page = staff_client.get(
        reverse("admin:members_organisation_change", args=[organisation.pk])
    ).content.decode()

    assert "2 seats beyond the seats paid for." in page
    assert f"Access ends on {_day(access.seats_notice_end(organisation))} for: {ben}." in page
    assert "Invitations that cannot be accepted: waiting@example.org." in page


def _account_queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("members:account"))  # the first visit records the device
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("members:account")).status_code == 200
    return len(captured)


def test_the_account_pages_ask_no_more_queries_however_many_seats_are_beyond(client, council):
    organisation, admin, ada, ben = council
    _ended(organisation)
    admin_before = _account_queries(client, admin)
    ben_before = _account_queries(client, ben)
    for _ in range(6):
        SeatFactory(organisation=organisation)
        InvitationFactory(organisation=organisation)

    assert _account_queries(client, admin) == admin_before
    assert _account_queries(client, ben) == ben_before
    assert ben_before <= ACCOUNT_PAGE_MOST_QUERIES


def test_the_membership_page_tells_a_person_beyond_the_paid_seats_whom_to_ask(client, council):
    organisation, admin, ada, ben = council
    _ended(organisation)
    client.force_login(ben)

    page = client.get(reverse("membership")).content.decode()

    assert "Your seat at Northmoor Council no longer gives access" in page
    assert "Ask the colleague who manages its seats to add one" in page


# --- An invitation beyond the paid seats -------------------------------------------------


def _invitation_page(client, invitation, email: str) -> str:
    client.force_login(UserFactory(email=email))
    response = client.get(invitations.invitation_url(invitation))
    assert response.status_code == 200
    return response.content.decode()


def test_an_invitation_beyond_the_paid_seats_says_so_before_anyone_presses_accept(client, council):
    organisation, admin, ada, ben = council
    invitation = organisation.invitations.get(email="waiting@example.org")

    page = _invitation_page(client, invitation, "waiting@example.org")

    assert "No seat is free for you at Northmoor Council yet" in page
    assert "it pays for 2 seats, and all of them are taken" in page
    assert f"Ask {admin.name}, who manages its seats, to add a seat or free one." in page
    assert "Accept and take a seat" not in page


def test_an_invitation_to_an_organisation_without_a_membership_says_so(client):
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    invitation = InvitationFactory(
        organisation=organisation, email="waiting@example.org", invited_by=admin
    )
    organisation.subscriptions.update(status="canceled", ended_at=timezone.now())

    page = _invitation_page(client, invitation, "waiting@example.org")

    assert "it has no active membership at the moment" in page
    assert "to renew the membership" in page
    assert "Accept and take a seat" not in page


def test_an_invitation_within_the_paid_seats_is_offered_to_accept(client):
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    invitation = InvitationFactory(
        organisation=organisation, email="waiting@example.org", invited_by=admin
    )

    page = _invitation_page(client, invitation, "waiting@example.org")

    assert "Accept and take a seat" in page
    assert "No seat is free" not in page


def test_the_account_page_says_the_same_of_an_invitation_beyond_the_paid_seats(client, council):
    organisation, admin, ada, ben = council
    client.force_login(UserFactory(email="waiting@example.org"))

    page = client.get(reverse("members:account")).content.decode()

    assert "No seat is free for you at Northmoor Council yet" in page
    assert "it pays for 2 seats, and all of them are taken" in page
    assert f"Ask {admin.name}, who manages its seats, to add a seat or free one." in page
    assert "Accept the invitation" not in page


def test_the_account_page_offers_an_invitation_within_the_paid_seats_to_accept(client):
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    InvitationFactory(organisation=organisation, email="waiting@example.org", invited_by=admin)
    client.force_login(UserFactory(email="waiting@example.org"))

    page = client.get(reverse("members:account")).content.decode()

    assert "Accept the invitation" in page
    assert "No seat is free" not in page
