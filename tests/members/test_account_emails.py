"""allauth's emails about signing in and signing up, in the site's words: who asked, what
to do next, and nothing to do if it was not you."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "placement-stability-2026"


def test_the_password_reset_email_says_what_was_asked_and_what_to_do_in_plain_words(
    client, registered
):
    client.post(reverse("account_reset_password"), {"email": registered.email})

    (message,) = mail.outbox
    assert message.subject == "[English Residential Network] Password reset email"
    assert "Someone, probably you, asked to reset the password" in message.body
    assert "To choose a new password, open this link:" in message.body
    assert "your user account" not in message.body
    assert "Click" not in message.body


def test_an_address_without_an_account_is_told_so_without_talk_of_a_database(client, db):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    (message,) = mail.outbox
    assert "no account on English Residential Network uses it" in message.body
    assert "/accounts/signup/" in message.body
    assert "database" not in message.body


def test_signing_up_with_an_address_in_use_emails_how_to_reset_its_password(client, registered):
    client.post(
        reverse("account_signup"),
        {
            "name": "Sam Newcomer",
            "email": registered.email,
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )

    (message,) = mail.outbox
    assert message.to == [registered.email]
    assert "an account with it already exists" in message.body
    assert "/accounts/password/reset/" in message.body
    assert "password forgotten procedure" not in message.body
