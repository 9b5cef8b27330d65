"""The two-factor pages say what recovery codes are for and whom to ask when a phone is
lost: staff and moderators are sent there before anything else opens for them."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from tests import roles
from tests.members.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_two_factor_page_says_whom_to_ask_when_a_phone_is_lost(client, member):
    client.force_login(member)

    text = client.get(reverse("mfa_index")).content.decode()

    assert "If you lose your phone or security key" in text
    assert "recovery codes" in text
    assert f'<a href="{reverse("contact")}">Contact us</a>' in text


def test_recovery_codes_say_to_keep_them_away_from_the_phone_and_lead_on(client):
    moderator = roles.moderator()
    RecoveryCodes.activate(moderator)
    client.force_login(moderator)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.get(reverse("mfa_view_recovery_codes"))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Keep these codes safe" in text
    assert "away from your phone" in text
    assert f'<a href="{reverse("home")}">carry on to the site</a>' in text
