"""An invitation link opened by someone signed in with another address."""

from urllib.parse import quote, urlsplit

import pytest
from django.urls import reverse

from members.organisations import invitations
from tests.members.factories import InvitationFactory, organisation_with_seats

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
