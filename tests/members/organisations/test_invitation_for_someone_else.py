"""An invitation link that cannot be used: opened under another account, or expired."""

from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Seat
from members.organisations import invitations
from tests.members.factories import InvitationFactory, SeatFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation_page(client, registered):
    organisation, _ = organisation_with_seats(seats=3, name="Northmoor Council")
    invitation = InvitationFactory(organisation=organisation, email="kim@northmoor.example.org")
    client.force_login(registered)
    url = invitations.invitation_url(invitation)
    return url, client.get(url).content.decode()


def test_signing_out_from_the_refusal_comes_back_to_the_invitation(invitation_page):
    url, text = invitation_page

    path = quote(urlsplit(url).path)
    assert f'href="{reverse("account_logout")}?next={path}"' in text


def test_the_refusal_does_not_promise_a_second_address_the_account_cannot_have(invitation_page):
    _, text = invitation_page

    assert "add and verify" not in text
    assert "change your account's email address</a> to that one" in text


def test_an_expired_link_does_not_send_the_invitee_to_an_admin_who_stepped_down(client, settings):
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    invitation = InvitationFactory(
        organisation=organisation,
        invited_by=admin,
        sent_at=timezone.now() - timedelta(days=settings.ORGANISATION_INVITATION_DAYS + 1),
    )
    SeatFactory(organisation=organisation, slot=2, is_admin=True)
    Seat.objects.filter(user=admin).update(is_admin=False)

    text = client.get(invitations.invitation_url(invitation)).content.decode()

    assert "Ask your organisation's admin to send it again" in text
    assert f"Ask {admin}" not in text
