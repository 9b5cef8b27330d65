"""The organisation page, invitation links and seat claims, through HTTP."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import Invitation, Seat, SubscriptionStatus
from members.organisations import invitations
from tests.members.factories import (
    InvitationFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    organisation, admin = organisation_with_seats(
        seats=3, name="Northmoor Council", slug="northmoor-council"
    )
    return organisation, admin


def page_url(organisation) -> str:
    return reverse("members:organisation", kwargs={"slug": organisation.slug})


def test_org_admin_is_sent_from_the_index_to_their_organisation(client, council):
    organisation, admin = council
    client.force_login(admin)

    response = client.get(reverse("members:organisation_index"))

    assert response.status_code == 302
    assert response.url == page_url(organisation)


def test_admin_of_two_organisations_chooses_one(client, council):
    organisation, admin = council
    second, _ = organisation_with_seats(name="Fictional Valley Homes", slug="valley-homes")
    SeatFactory(organisation=second, user=admin, is_admin=True)
    client.force_login(admin)

    page = client.get(reverse("members:organisation_index")).content.decode()

    assert page_url(organisation) in page
    assert page_url(second) in page


def test_person_who_manages_no_organisation_is_told_so(client, registered):
    client.force_login(registered)

    response = client.get(reverse("members:organisation_index"))

    assert response.status_code == 403
    assert "not an admin" in response.content.decode()


def test_organisation_page_shows_seats_used_total_and_renewal(client, council):
    organisation, admin = council
    SeatFactory(organisation=organisation, user=UserFactory(name="Kim Lowe"))
    InvitationFactory(organisation=organisation, email="lee@example.org")
    client.force_login(admin)

    page = client.get(page_url(organisation)).content.decode()

    assert "3 of 3" in page
    assert "Kim Lowe" in page
    assert "lee@example.org" in page
    assert "Membership renews on" in page


def test_each_seat_s_values_carry_their_column_s_name_for_narrow_screens(client, council):
    organisation, admin = council
    SeatFactory(organisation=organisation, user=UserFactory(name="Kim Lowe"))
    client.force_login(admin)

    page = client.get(page_url(organisation)).content.decode()

    (table,) = re.findall(r'<table class="table-stack".*?</table>', page, re.S)
    rows = re.findall(r'<tr role="row">(.*?)</tr>', table.split("<tbody", 1)[1], re.S)
    assert len(rows) == 2
    for row in rows:
        labels = re.findall(r'data-label="([^"]+)"', row)
        assert labels == ["Name", "Email", "Role", "Since"]


def test_organisation_page_queries_do_not_grow_with_seats(
    client, council, django_assert_max_num_queries
):
    organisation, admin = council
    organisation.subscriptions.update(quantity=60)
    for _ in range(25):
        SeatFactory(organisation=organisation)
        InvitationFactory(organisation=organisation)
    client.force_login(admin)
    client.get(page_url(organisation))  # the first request records the device session

    # Session, user and the device-sessions bookkeeping (5), then organisation,
    # subscription, its invoices, grant, seats, invitations and the admin's verified
    # addresses, and the unread forum notifications in the header: the same 15 however
    # many people hold seats.
    with django_assert_max_num_queries(15):
        response = client.get(page_url(organisation))

    assert response.status_code == 200


def test_member_of_the_organisation_who_is_not_admin_cannot_open_its_page(client, council):
    organisation, _ = council
    colleague = SeatFactory(organisation=organisation).user
    client.force_login(colleague)

    assert client.get(page_url(organisation)).status_code == 404


def test_admin_of_another_organisation_cannot_open_or_change_this_one(client, council):
    organisation, _ = council
    _, other_admin = organisation_with_seats()
    seat = SeatFactory(organisation=organisation)
    client.force_login(other_admin)

    assert client.get(page_url(organisation)).status_code == 404
    removal = reverse("members:seat_remove", kwargs={"slug": organisation.slug, "pk": seat.pk})
    assert client.post(removal).status_code == 404
    assert Seat.objects.filter(pk=seat.pk).exists()


def test_seat_of_another_organisation_cannot_be_removed_through_ones_own(client, council):
    organisation, admin = council
    elsewhere = SeatFactory()
    client.force_login(admin)

    url = reverse("members:seat_remove", kwargs={"slug": organisation.slug, "pk": elsewhere.pk})

    assert client.post(url).status_code == 404
    assert Seat.objects.filter(pk=elsewhere.pk).exists()


def test_admin_invites_a_colleague_by_email(client, council, django_capture_on_commit_callbacks):
    organisation, admin = council
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:invitation_create", kwargs={"slug": organisation.slug}),
            {"email": "kim@northmoor.example.org"},
            follow=True,
        )

    assert "Invitation sent to kim@northmoor.example.org" in response.content.decode()
    assert mail.outbox[-1].to == ["kim@northmoor.example.org"]


def test_the_seats_page_says_before_the_form_when_no_one_can_be_invited(client, council):
    organisation, admin = council
    client.force_login(admin)
    with_a_free_seat = client.get(page_url(organisation)).content.decode()
    SeatFactory(organisation=organisation)
    SeatFactory(organisation=organisation)

    full = client.get(page_url(organisation)).content.decode()

    assert "Every seat is in use, so no one can be invited now" not in with_a_free_seat
    assert "Every seat is in use, so no one can be invited now" in full


def test_the_seats_page_of_an_ended_membership_does_not_ask_for_more_seats(client, council):
    organisation, admin = council
    organisation.subscriptions.update(status=SubscriptionStatus.CANCELED)
    client.force_login(admin)

    page = client.get(page_url(organisation)).content.decode()

    assert "has no active membership at the moment" in page
    assert "Every seat is in use" not in page
    assert "add seats to your membership" not in page


def test_invite_beyond_the_seats_is_refused_and_keeps_the_address(client, council):
    organisation, admin = council
    SeatFactory(organisation=organisation)
    SeatFactory(organisation=organisation)
    client.force_login(admin)

    response = client.post(
        reverse("members:invitation_create", kwargs={"slug": organisation.slug}),
        {"email": "kim@northmoor.example.org"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "All 3 seats are taken or held by invitations" in page
    assert 'value="kim@northmoor.example.org"' in page
    assert not Invitation.objects.exists()


def test_invalid_email_is_refused_with_a_message(client, council):
    organisation, admin = council
    client.force_login(admin)

    response = client.post(
        reverse("members:invitation_create", kwargs={"slug": organisation.slug}),
        {"email": "not an address"},
    )

    assert response.status_code == 400
    assert "Enter an email address in the correct format, like name@example.org" in response.text


def test_an_address_too_long_to_store_is_refused_with_a_message(client, council):
    organisation, admin = council
    client.force_login(admin)

    response = client.post(
        reverse("members:invitation_create", kwargs={"slug": organisation.slug}),
        {"email": "x" * 300 + "@northmoor.example.org"},
    )

    assert response.status_code == 400
    assert "address must be 254 characters or fewer (it has 322)" in response.text
    assert not Invitation.objects.exists()


def test_admin_revokes_and_resends_invitations(client, council, django_capture_on_commit_callbacks):
    organisation, admin = council
    yesterday = timezone.now() - timedelta(days=1)
    kept = InvitationFactory(organisation=organisation, sent_at=yesterday)
    dropped = InvitationFactory(organisation=organisation)
    client.force_login(admin)
    kwargs = {"slug": organisation.slug}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:invitation_resend", kwargs={**kwargs, "pk": kept.pk}))
    client.post(reverse("members:invitation_revoke", kwargs={**kwargs, "pk": dropped.pk}))

    assert mail.outbox[-1].to == [kept.email]
    dropped.refresh_from_db()
    assert dropped.revoked_at is not None


def test_admin_removes_a_person(client, council):
    organisation, admin = council
    seat = SeatFactory(organisation=organisation)
    client.force_login(admin)

    response = client.post(
        reverse("members:seat_remove", kwargs={"slug": organisation.slug, "pk": seat.pk}),
        follow=True,
    )

    assert "no longer holds a seat" in response.content.decode()
    assert not Seat.objects.filter(pk=seat.pk).exists()


def test_removing_a_person_after_the_plan_shrank_does_not_claim_a_seat_is_free(client, council):
    organisation, admin = council
    seat, *_ = SeatFactory.create_batch(3, organisation=organisation)
    organisation.subscriptions.update(quantity=2)
    client.force_login(admin)

    response = client.post(
        reverse("members:seat_remove", kwargs={"slug": organisation.slug, "pk": seat.pk}),
        follow=True,
    )

    [message] = [str(m) for m in response.context["messages"]]
    assert message.endswith("1 more seat is still in use than your membership includes.")


def test_only_admin_stepping_down_is_refused_with_a_message(client, council):
    organisation, admin = council
    client.force_login(admin)
    own_seat = admin.seats.get()

    response = client.post(
        reverse("members:seat_admin", kwargs={"slug": organisation.slug, "pk": own_seat.pk}),
        {"is_admin": "0"},
        follow=True,
    )

    assert "at least one admin" in response.content.decode()
    own_seat.refresh_from_db()
    assert own_seat.is_admin


def test_admin_passes_the_role_on_and_loses_the_page(client, council):
    organisation, admin = council
    colleague_seat = SeatFactory(organisation=organisation)
    client.force_login(admin)
    kwargs = {"slug": organisation.slug}

    client.post(
        reverse("members:seat_admin", kwargs={**kwargs, "pk": colleague_seat.pk}), {"is_admin": "1"}
    )
    response = client.post(
        reverse("members:seat_admin", kwargs={**kwargs, "pk": admin.seats.get().pk}),
        {"is_admin": "0"},
    )

    assert response.url == reverse("members:account")
    assert client.get(page_url(organisation)).status_code == 404


def test_invitation_link_asks_a_visitor_to_sign_in_or_sign_up(client, council):
    organisation, admin = council
    invitation = InvitationFactory(organisation=organisation, invited_by=admin)
    url = invitations.invitation_url(invitation)

    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Join Northmoor Council" in page
    assert "/accounts/signup/?next=" in page


def test_creating_an_account_from_an_invitation_starts_with_the_invited_address(client, council):
    organisation, admin = council
    invitation = InvitationFactory(
        organisation=organisation, invited_by=admin, email="kim.lowe@northmoor.example.org"
    )
    page = client.get(invitations.invitation_url(invitation)).text
    signup = re.search(r'href="(/accounts/signup/[^"]+)"', page)[1].replace("&amp;", "&")

    form = client.get(signup).text

    assert 'value="kim.lowe@northmoor.example.org"' in form


def test_invited_person_accepts_and_is_a_member(client, council):
    organisation, admin = council
    kim = UserFactory(email="kim@northmoor.example.org")
    invitation = InvitationFactory(organisation=organisation, email=kim.email)
    client.force_login(kim)
    url = invitations.invitation_url(invitation)

    assert client.get(url).status_code == 200
    response = client.post(url, follow=True)

    assert "you now hold a seat" in response.content.decode()
    assert "You are a member" in response.content.decode()


def test_someone_paying_for_their_own_membership_is_told_it_goes_on_after_taking_a_seat(
    client, council
):
    organisation, admin = council
    kim = SubscriptionFactory(user__email="kim@northmoor.example.org").user
    invitation = InvitationFactory(organisation=organisation, email=kim.email)
    client.force_login(kim)

    response = client.post(invitations.invitation_url(invitation), follow=True)

    page = response.content.decode()
    assert "you now hold a seat" in page
    assert "You also pay for a membership of your own" in page


def test_invitation_waiting_for_the_person_is_offered_on_their_account_page(client, council):
    organisation, admin = council
    kim = UserFactory(email="kim@northmoor.example.org")
    InvitationFactory(organisation=organisation, email=kim.email)
    client.force_login(kim)

    page = client.get(reverse("members:account")).content.decode()

    assert "You are invited to take a seat at <strong>Northmoor Council</strong>" in page


@pytest.mark.parametrize(
    ("change", "status", "wording"),
    [
        ({"revoked_at": timezone.now()}, 410, "withdrew this invitation"),
        ({"accepted_at": timezone.now()}, 410, "already been used"),
        ({"sent_at": timezone.now() - timedelta(days=30)}, 410, "has expired"),
    ],
)
def test_closed_invitation_links_show_a_clear_page_and_take_no_seat(
    client, council, change, status, wording
):
    organisation, _ = council
    kim = UserFactory(email="kim@northmoor.example.org")
    invitation = InvitationFactory(organisation=organisation, email=kim.email, **change)
    client.force_login(kim)

    response = client.post(invitations.invitation_url(invitation))

    assert response.status_code == status
    assert wording in response.content.decode()
    assert not organisation.seats.filter(user=kim).exists()


def test_forged_invitation_link_is_a_404(client):
    response = client.get(reverse("members:invitation", kwargs={"token": "12:forged:token"}))

    assert response.status_code == 404
    assert "does not work" in response.content.decode()


def test_invitation_for_another_address_is_refused(client, council, registered):
    organisation, _ = council
    invitation = InvitationFactory(organisation=organisation, email="kim@northmoor.example.org")
    client.force_login(registered)

    response = client.post(invitations.invitation_url(invitation))

    assert response.status_code == 403
    assert "for another email address" in response.content.decode()
    assert not organisation.seats.filter(user=registered).exists()


def test_admin_sees_a_seats_summary_on_the_account_page(client, council):
    organisation, admin = council
    client.force_login(admin)

    page = client.get(reverse("members:account")).content.decode()

    assert "1 of 3 seats in use" in page
    assert page_url(organisation) in page


def test_an_admin_whose_plan_shrank_is_told_on_the_account_page_what_to_do(client, council):
    organisation, admin = council
    SeatFactory.create_batch(3, organisation=organisation)
    organisation.subscriptions.update(quantity=2)
    client.force_login(admin)

    page = client.get(reverse("members:account")).content.decode()

    assert "4 seats in use, and the membership pays for 2: 2 more than it pays for." in page


def test_colleague_claims_a_seat_by_domain_from_the_account_page(client, council):
    organisation, _ = council
    organisation.verified_domain = "northmoor.example.org"
    organisation.save()
    lee = UserFactory(email="lee@northmoor.example.org")
    client.force_login(lee)

    assert "Claim a seat at Northmoor Council" in client.get("/account/").content.decode()
    response = client.post(
        reverse("members:seat_claim", kwargs={"slug": organisation.slug}), follow=True
    )

    assert "You now hold a seat" in response.content.decode()


def test_colleague_at_the_domain_of_a_full_organisation_is_told_to_ask_its_admin(client):
    organisation_with_seats(
        seats=1, name="Northmoor Council", verified_domain="northmoor.example.org"
    )
    client.force_login(UserFactory(email="lee@northmoor.example.org"))

    page = client.get("/account/").content.decode()

    assert "Claim a seat" not in page
    assert "all its seats are in use. Ask one of its admins" in page


def test_a_colleague_invited_to_a_full_organisation_is_offered_the_invitation_only(client):
    organisation, admin = organisation_with_seats(
        seats=2, name="Northmoor Council", verified_domain="northmoor.example.org"
    )
    invitations.invitation_create(
        organisation=organisation, email="lee@northmoor.example.org", invited_by=admin
    )
    client.force_login(UserFactory(email="lee@northmoor.example.org"))

    page = client.get("/account/").content.decode()

    assert "Accept the invitation" in page
    assert "all its seats are in use" not in page


def test_outsider_cannot_claim_a_seat_by_domain(client, council, registered):
    organisation, _ = council
    organisation.verified_domain = "northmoor.example.org"
    organisation.save()
    client.force_login(registered)

    response = client.post(reverse("members:seat_claim", kwargs={"slug": organisation.slug}))

    assert response.status_code == 404


def test_admin_verifies_their_domain_from_the_page(client):
    organisation, admin = organisation_with_seats(
        admin=UserFactory(email="ruth@northmoor.example.org")
    )
    client.force_login(admin)

    client.post(
        reverse("members:domain_verify", kwargs={"slug": organisation.slug}),
        {"domain": "northmoor.example.org"},
    )

    organisation.refresh_from_db()
    assert organisation.verified_domain == "northmoor.example.org"


def test_verifying_the_domain_names_it_in_the_confirmation(client):
    organisation, admin = organisation_with_seats(
        admin=UserFactory(email="ruth@northmoor.example.org")
    )
    client.force_login(admin)

    response = client.post(
        reverse("members:domain_verify", kwargs={"slug": organisation.slug}),
        {"domain": "northmoor.example.org"},
        follow=True,
    )

    [message] = [str(m) for m in response.context["messages"]]
    assert "verified @northmoor.example.org address can now claim a seat" in message


def test_stopping_seats_by_domain_asks_first_since_undoing_it_may_need_staff(client, council):
    organisation, admin = council
    organisation.verified_domain = "northmoor.example.org"
    organisation.save()
    client.force_login(admin)

    page = client.get(page_url(organisation)).content.decode()

    [form] = re.findall(r"<form[^>]*domain/clear/[^>]*>", page)
    assert 'data-confirm="Stop offering seats to colleagues at @northmoor.example.org?' in form


def test_domain_verification_error_keeps_what_was_typed(client, council):
    organisation, admin = council
    client.force_login(admin)

    response = client.post(
        reverse("members:domain_verify", kwargs={"slug": organisation.slug}),
        {"domain": "someone-else.example.org"},
    )

    assert response.status_code == 400
    assert 'value="someone-else.example.org"' in response.content.decode()


def test_invited_newcomer_signs_up_verifies_and_accepts(client, council):
    organisation, _ = council
    invitation = InvitationFactory(organisation=organisation, email="new.colleague@example.org")
    link = invitations.invitation_url(invitation).split("testserver")[-1].split("8000")[-1]
    password = "placement-stability-2026"

    client.post(
        reverse("account_signup") + f"?next={link}",
        {
            "name": "New Colleague",
            "email": "new.colleague@example.org",
            "password1": password,
            "password2": password,
            "next": link,
        },
    )
    confirmation = re.search(r"(/accounts/confirm-email/[^/\s]+/)", mail.outbox[-1].body)[1]
    client.post(confirmation)
    response = client.post(link, follow=True)

    assert "you now hold a seat" in response.content.decode()
    assert organisation.seats.filter(user__email="new.colleague@example.org").exists()


def test_accepting_from_the_account_page_takes_the_seat(client, council):
    organisation, _ = council
    kim = UserFactory(email="kim@northmoor.example.org")
    InvitationFactory(organisation=organisation, email=kim.email)
    client.force_login(kim)
    page = client.get(reverse("members:account")).content.decode()
    action = re.search(r'action="(/account/invitations/[^"]+/)"', page)[1]

    client.post(action)

    assert organisation.seats.filter(user=kim).exists()


@pytest.mark.worker
def test_invitation_email_is_sent_by_a_real_celery_worker(celery_worker_process):
    import time

    organisation, admin = organisation_with_seats(seats=3)
    invitations.invitation_create(
        organisation=organisation, email="kim@northmoor.example.org", invited_by=admin
    )

    def emailed() -> bool:
        # The worker writes the email, then records it: wait for both.
        return bool(list(celery_worker_process.mail_dir.iterdir())) and (
            Invitation.objects.get().emailed_at is not None
        )

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not emailed():
        time.sleep(0.2)
    files = list(celery_worker_process.mail_dir.iterdir())
    assert files, "the worker sent no email"
    assert "/account/invitations/" in files[0].read_text()
    assert Invitation.objects.get().emailed_at is not None
