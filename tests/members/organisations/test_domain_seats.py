"""Seats claimed by verified email domain: how a seat was taken is recorded, the admins
hear of each claim, and a seat claimed by domain ends when the person's address leaves
the domain (members/organisations/domains.py)."""

import importlib
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_changed
from django.apps import apps as django_apps
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from members import access
from members.models import Seat, SeatRemoval
from members.organisations import domains, invitations, seats
from tests.members.factories import (
    PASSWORD,
    InvitationFactory,
    SeatFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db

DOMAIN = "northmoor.example.gov.uk"


@pytest.fixture
def council():
    admin = UserFactory(email=f"admin@{DOMAIN}", name="Asha Admin")
    organisation, _ = organisation_with_seats(
        seats=3, admin=admin, name="Northmoor Council", verified_domain=DOMAIN
    )
    return organisation


def claimed(organisation, email=f"jo@{DOMAIN}", **kwargs):
    person = UserFactory(email=email, name="Jo Whitfield", **kwargs)
    return seats.seat_claim(organisation=organisation, user=person)


def address_change(user, new_email: str) -> None:
    """What allauth does once a new address is confirmed (ACCOUNT_CHANGE_EMAIL): the new
    one verified and primary, the others gone, then email_changed."""
    old = EmailAddress.objects.get(user=user, primary=True)
    old.delete()
    new = EmailAddress.objects.create(user=user, email=new_email, verified=True, primary=True)
    user.email = new_email
    user.save(update_fields=["email"])
    email_changed.send(
        sender=EmailAddress, request=None, user=user, from_email_address=old, to_email_address=new
    )


# --- How a seat was taken --------------------------------------------------------------


def test_a_seat_claimed_by_domain_records_the_domain_it_was_claimed_with(council):
    seat = claimed(council)

    assert seat.taken_through == Seat.TakenThrough.DOMAIN
    assert seat.claimed_domain == DOMAIN


def test_a_seat_taken_by_invitation_says_so(council):
    invitation = InvitationFactory(organisation=council, email="sam@elsewhere.example.org")
    person = UserFactory(email="sam@elsewhere.example.org")

    seat = invitations.invitation_accept(invitation=invitation, user=person)

    assert seat.taken_through == Seat.TakenThrough.INVITATION
    assert seat.claimed_domain == ""


def test_existing_seats_are_never_filled_in_as_claimed_by_domain(council):
    backfill = importlib.import_module("members.migrations.0031_seat_taken_through").backfill
    colleague = UserFactory(email=f"kim@{DOMAIN}")
    invited = UserFactory(email="sam@elsewhere.example.org")
    SeatFactory(organisation=council, user=colleague, slot=2)
    SeatFactory(organisation=council, user=invited, slot=3)
    InvitationFactory(organisation=council, email=invited.email, accepted_by=invited)
    Seat.objects.update(taken_through="unrecorded")

    backfill(django_apps, None)

    found = dict(Seat.objects.values_list("user__email", "taken_through"))
    assert found == {
        f"admin@{DOMAIN}": "creator",
        f"kim@{DOMAIN}": "unrecorded",
        "sam@elsewhere.example.org": "invitation",
    }


# --- The admins hear of each claim -----------------------------------------------------


def test_the_admins_are_emailed_who_claimed_a_seat_and_how_many_remain(
    council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seat = claimed(council)

    sent = [m for m in mail.outbox if m.to == [f"admin@{DOMAIN}"]]
    assert len(sent) == 1
    assert sent[0].subject == "Jo Whitfield claimed a seat at Northmoor Council"
    assert f"Jo Whitfield (jo@{DOMAIN}) claimed a seat" in sent[0].body
    assert "1 of 3 seats is free now." in sent[0].body

    domains.seat_claimed_admins_send(seat_id=seat.pk)  # a redelivered task
    assert len([m for m in mail.outbox if m.to == [f"admin@{DOMAIN}"]]) == 1


def test_accepting_an_invitation_sends_the_admins_no_claim_email(
    council, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(organisation=council, email="sam@elsewhere.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_accept(
            invitation=invitation, user=UserFactory(email="sam@elsewhere.example.org")
        )

    assert not [m for m in mail.outbox if "claimed a seat" in m.subject]


# --- A seat claimed by domain ends when the address leaves it --------------------------


def test_confirming_an_address_elsewhere_ends_a_seat_claimed_by_domain(
    client, council, django_capture_on_commit_callbacks
):
    seat = claimed(council)
    person = seat.user
    client.force_login(person)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": "jo@harbour.example.org"})
    confirm_path = re.search(
        r"https?://[^/]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[-1].body
    )[1]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_path)

    assert not Seat.objects.filter(pk=seat.pk).exists()
    removal = SeatRemoval.objects.get(user=person)
    assert removal.left_domain == DOMAIN
    assert removal.removed_by is None
    told = [m for m in mail.outbox if m.to == ["jo@harbour.example.org"] and "seat" in m.subject]
    assert len(told) == 1
    assert f"You claimed it with your old address at @{DOMAIN}" in told[0].body
    assert "ask its admin (Asha Admin) to invite you at this address" in told[0].body
    assert told[0].reply_to == [f"admin@{DOMAIN}"]


def test_the_admins_are_told_that_a_seat_ended_as_its_holder_left_the_domain(
    council, django_capture_on_commit_callbacks
):
    seat = claimed(council)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        address_change(seat.user, "jo@harbour.example.org")

    sent = [m for m in mail.outbox if m.to == [f"admin@{DOMAIN}"]]
    assert len(sent) == 1
    assert "Jo Whitfield's seat in Northmoor Council's membership ended" in sent[0].body
    assert "2 of 3 seats are free now." in sent[0].body
    # Where the person went is not the old organisation's business.
    assert "harbour" not in sent[0].body


def test_a_seat_that_ended_with_the_domain_goes_through_the_removal_path(
    council, django_capture_on_commit_callbacks
):
    seat = claimed(council)
    person = seat.user
    assert seats.seats_usage(council).taken == 2

    with django_capture_on_commit_callbacks(execute=True):
        address_change(person, "jo@harbour.example.org")

    access.forget(person)
    assert access.membership(person) is None
    assert seats.seats_usage(council).taken == 1


def test_the_account_page_says_the_seat_came_from_the_old_address(
    client, council, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    seat = claimed(council)
    with django_capture_on_commit_callbacks(execute=True):
        address_change(seat.user, "jo@harbour.example.org")
    client.force_login(seat.user)

    client.get(reverse("members:account"))  # the first request records the device session
    with django_assert_max_num_queries(15):  # the account page's cap
        html = client.get(reverse("members:account")).content.decode()

    assert "you claimed it with your old address at @" + DOMAIN in html
    assert "ask its admin to invite you at your current address" in html


def test_a_new_address_at_the_same_domain_keeps_the_seat(council):
    seat = claimed(council)

    address_change(seat.user, f"jo.whitfield@{DOMAIN}")

    assert Seat.objects.filter(pk=seat.pk).exists()


def test_a_new_address_at_the_organisations_new_domain_keeps_the_seat(council):
    seat = claimed(council)
    council.verified_domain = "northmoor.example.org"
    council.save(update_fields=["verified_domain"])

    address_change(seat.user, "jo@northmoor.example.org")

    assert Seat.objects.filter(pk=seat.pk).exists()


def test_a_seat_claimed_by_domain_ends_even_after_the_domain_was_cleared(council):
    seat = claimed(council)
    domains.domain_clear(organisation=council)

    address_change(seat.user, "jo@harbour.example.org")

    assert not Seat.objects.filter(pk=seat.pk).exists()


def test_a_seat_taken_by_invitation_stays_when_the_address_leaves_the_domain(council):
    invitation = InvitationFactory(organisation=council, email=f"sam@{DOMAIN}")
    person = UserFactory(email=f"sam@{DOMAIN}")
    seat = invitations.invitation_accept(invitation=invitation, user=person)

    address_change(person, "sam@harbour.example.org")

    assert Seat.objects.filter(pk=seat.pk).exists()
    assert not SeatRemoval.objects.filter(user=person).exists()


def test_a_seat_given_by_staff_stays_when_the_address_leaves_the_domain(council):
    person = UserFactory(email=f"kim@{DOMAIN}")
    seat = SeatFactory(organisation=council, user=person, slot=2)

    address_change(person, "kim@harbour.example.org")

    assert Seat.objects.filter(pk=seat.pk).exists()


def test_an_admin_keeps_a_seat_claimed_by_domain_and_the_other_admins_are_told(
    council, django_capture_on_commit_callbacks
):
    seat = claimed(council)
    Seat.objects.filter(pk=seat.pk).update(is_admin=True)
    mail.outbox.clear()

    address_change(seat.user, "jo@harbour.example.org")

    assert Seat.objects.filter(pk=seat.pk, is_admin=True).exists()
    sent = [m for m in mail.outbox if "admin's address is no longer" in m.subject]
    assert len(sent) == 1
    assert sent[0].to == [f"admin@{DOMAIN}"]
    assert "take back their admin role and remove them" in sent[0].body

    domains.seat_left_domain_kept_send(seat_id=seat.pk)  # told once
    assert len([m for m in mail.outbox if "admin's address" in m.subject]) == 1


@override_settings(STAFF_NOTIFICATION_EMAILS=["team@network.example.org"])
def test_the_only_admin_keeps_their_seat_and_the_network_team_is_told():
    admin = UserFactory(email=f"lee@{DOMAIN}", name="Lee Only")
    organisation, _ = organisation_with_seats(
        admin=admin, name="Northmoor Council", verified_domain=DOMAIN
    )
    Seat.objects.filter(user=admin).update(
        taken_through=Seat.TakenThrough.DOMAIN, claimed_domain=DOMAIN
    )
    mail.outbox.clear()

    address_change(admin, "lee@harbour.example.org")

    assert Seat.objects.filter(user=admin, is_admin=True).exists()
    sent = [m for m in mail.outbox if "admin's address is no longer" in m.subject]
    assert [m.to for m in sent] == [["team@network.example.org"]]
    assert "They are Northmoor Council's only admin" in sent[0].body


# --- The organisation page ---------------------------------------------------------------


def test_the_organisation_page_shows_who_claimed_a_seat_by_domain(
    client, council, django_assert_max_num_queries
):
    seat = claimed(council)
    SeatFactory(organisation=council, user=UserFactory(email="sam@example.org"), slot=3)
    client.force_login(council.seats.get(is_admin=True).user)

    client.get(reverse("members:organisation", kwargs={"slug": council.slug}))
    # The organisation page's cap (test_views.py), with no query per seat for how it came.
    with django_assert_max_num_queries(15):
        html = client.get(reverse("members:organisation", kwargs={"slug": council.slug})).text

    assert html.count(f"Claimed with an @{DOMAIN} address") == 1
    assert seat.user.email in html
