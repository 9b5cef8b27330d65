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


@pytest.fixture
def codes_page(client):
    """The recovery codes page of a moderator who set up two-factor, just signed in."""
    moderator = roles.moderator()
    moderator.name = "Ruth Okoro"
    moderator.save(update_fields=["name"])
    codes = RecoveryCodes.activate(moderator)
    client.force_login(moderator)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client.get(reverse("mfa_view_recovery_codes")).content.decode(), codes


def test_recovery_codes_can_be_printed_with_a_button_the_script_shows(codes_page):
    page, _ = codes_page

    assert '<button type="button" class="button" data-print hidden>Print these codes</button>' in (
        page
    )


def test_printed_recovery_codes_say_whose_they_are_and_when_they_were_printed(codes_page):
    page, codes = codes_page

    assert '<p class="print-only">' in page
    assert "recovery codes for Ruth Okoro (moderator@example.org), printed on " in page
    for code in codes.get_unused_codes():
        assert f"<li><code>{code}</code></li>" in page


def test_recovery_codes_can_be_downloaded_as_text(client, codes_page):
    page, codes = codes_page
    download = reverse("mfa_download_recovery_codes")

    response = client.get(download)

    assert f'href="{download}" download>Download as text</a>' in page
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().split() == codes.get_unused_codes()


# --- No recovery codes to show ------------------------------------------------------


@pytest.mark.parametrize("url", ["mfa_view_recovery_codes", "mfa_download_recovery_codes"])
def test_without_two_factor_the_recovery_codes_pages_say_how_to_get_codes(client, registered, url):
    client.force_login(registered)

    response = client.get(reverse(url))

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "You have no recovery codes yet." in page
    assert f'<a class="button" href="{reverse("mfa_index")}">Set up two-factor' in page
    assert 'aria-label="Account settings"' in page  # the account pages' own layout


def test_with_two_factor_but_no_codes_the_page_offers_to_make_them(client):
    moderator = roles.moderator()
    client.force_login(moderator)

    page = client.get(reverse("mfa_view_recovery_codes")).content.decode()

    assert "You have no recovery codes yet." in page
    assert f'href="{reverse("mfa_generate_recovery_codes")}">Make recovery codes</a>' in page


def test_with_every_code_used_the_download_says_so_and_offers_new_ones(client):
    moderator = roles.moderator()
    codes = RecoveryCodes.activate(moderator)
    for code in codes.get_unused_codes():
        assert codes.validate_code(code)
    client.force_login(moderator)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.get(reverse("mfa_download_recovery_codes"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "You have used all your recovery codes" in page
    assert "Make recovery codes</a>" in page
