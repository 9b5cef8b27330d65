"""The second step of signing in, for someone who has two-factor authentication set up."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from tests.members.factories import PASSWORD


def _second_step(client, person):
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    return client.get(reverse("mfa_authenticate"))


def _authenticator_app(person) -> None:
    Authenticator.objects.create(
        user=person, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )


@pytest.mark.django_db
def test_the_second_step_says_a_recovery_code_goes_in_the_same_box(client, registered):
    _authenticator_app(registered)
    RecoveryCodes.activate(registered)

    text = _second_step(client, registered).content.decode()

    assert "Enter one of your recovery codes instead" in text


@pytest.mark.django_db
def test_a_recovery_code_signs_in_someone_who_lost_their_phone(client, registered):
    _authenticator_app(registered)
    code = RecoveryCodes.activate(registered).get_unused_codes()[0]
    _second_step(client, registered)

    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert client.get(reverse("members:account")).status_code == 200


@pytest.mark.django_db
def test_the_second_step_says_whom_to_ask_when_phone_and_codes_are_lost(client, registered):
    _authenticator_app(registered)

    response = _second_step(client, registered)

    text = response.content.decode()
    assert "recovery codes instead" not in text
    assert 'Lost your phone? <a href="' + reverse("contact") + '">Contact us</a>' in text


@pytest.mark.django_db
def test_no_security_key_is_offered_to_someone_who_never_added_one(client, registered):
    _authenticator_app(registered)

    response = _second_step(client, registered)

    assert "Use a security key" not in response.content.decode()


@pytest.mark.django_db
def test_an_empty_code_is_asked_for_by_name(client, registered):
    _authenticator_app(registered)
    _second_step(client, registered)

    response = client.post(reverse("mfa_authenticate"), {"code": ""})

    assert "Enter the code" in response.content.decode()


@pytest.mark.django_db
def test_the_code_box_asks_a_phone_for_its_number_pad_and_one_time_code(client, registered):
    _authenticator_app(registered)
    RecoveryCodes.activate(registered)

    text = _second_step(client, registered).content.decode()

    box = re.search(r'<input[^>]*name="code"[^>]*>', text)[0]
    assert 'inputmode="numeric"' in box
    assert 'autocomplete="one-time-code"' in box
    assert all(code.isdigit() for code in RecoveryCodes.activate(registered).get_unused_codes())
