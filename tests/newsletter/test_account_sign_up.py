"""The newsletter box on the account sign-up form: never ticked for the person, and a
subscription only once they confirm the address (the account's own confirmation)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from newsletter.models import Consent, Subscriber
from tests.newsletter.factories import NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

PASSWORD = "placement-stability-2026"


def sign_up(client, **extra):
    return client.post(
        reverse("account_signup"),
        {
            "name": "Sam Newcomer",
            "email": "newcomer@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **extra,
        },
    )


def confirm_address(client):
    path = re.search(r"https?://[^/]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[-1].body)[1]
    client.post(path)


def test_the_newsletter_box_on_the_sign_up_form_is_not_ticked(client):
    html = client.get(reverse("account_signup")).content.decode()

    box = re.search(r'<input[^>]*name="newsletter"[^>]*>', html)[0]
    assert 'type="checkbox"' in box
    assert "checked" not in box


def test_signing_up_without_the_box_subscribes_nobody(client):
    sign_up(client)
    confirm_address(client)

    assert not Subscriber.objects.exists()


def test_the_box_subscribes_nobody_before_the_address_is_confirmed(client):
    sign_up(client, newsletter="on")

    subscriber = Subscriber.objects.get(email="newcomer@example.org")
    assert subscriber.state == Subscriber.State.PENDING
    assert [m.subject for m in mail.outbox if "subscription" in m.subject] == []


def test_the_confirmation_email_says_confirming_starts_the_newsletter_asked_for(client):
    NewsletterFactory()

    sign_up(client, newsletter="on")

    assert "also starts the network's newsletter and weekly digest" in mail.outbox[-1].body


def test_the_confirmation_email_says_nothing_of_a_newsletter_not_asked_for(client):
    NewsletterFactory()

    sign_up(client)

    assert "newsletter" not in mail.outbox[-1].body


def test_confirming_the_address_starts_the_newsletter_and_weekly_digest_asked_for(client):
    newsletter = NewsletterFactory()
    NewsletterFactory(restricted_to="commissioner")  # for one member type: not for everyone
    sign_up(client, newsletter="on")

    confirm_address(client)

    subscriber = Subscriber.objects.get(email="newcomer@example.org")
    assert subscriber.state == Subscriber.State.SUBSCRIBED
    assert subscriber.user.email == "newcomer@example.org"
    assert list(subscriber.newsletters.all()) == [newsletter]
    assert subscriber.weekly_digest and not subscriber.daily_digest


def test_the_consent_records_the_words_of_the_sign_up_form(client):
    sign_up(client, newsletter="on")
    confirm_address(client)

    signed_up = Consent.objects.get(action=Consent.Action.SIGNED_UP)
    assert signed_up.form == "account sign-up"
    assert signed_up.text.startswith("Send me the newsletter and the weekly digest. News from")
    assert Consent.objects.filter(action=Consent.Action.CONFIRMED).exists()


def test_a_subscription_the_address_had_before_joins_the_account_once_confirmed(client):
    newsletter = NewsletterFactory()
    subscriber = SubscriberFactory(email="newcomer@example.org", newsletters=[newsletter])
    sign_up(client)

    confirm_address(client)

    subscriber.refresh_from_db()
    assert subscriber.user.email == "newcomer@example.org"
    assert subscriber.state == Subscriber.State.SUBSCRIBED
    assert list(subscriber.newsletters.all()) == [newsletter]
    assert Subscriber.objects.count() == 1


def test_an_unconfirmed_account_does_not_take_over_the_address_s_subscription(client):
    subscriber = SubscriberFactory(email="newcomer@example.org")

    sign_up(client)

    subscriber.refresh_from_db()
    assert subscriber.user is None


def test_a_newsletter_sign_up_never_confirmed_stays_apart_from_the_account(client):
    subscriber = SubscriberFactory(email="newcomer@example.org", state=Subscriber.State.PENDING)
    sign_up(client)

    confirm_address(client)

    subscriber.refresh_from_db()
    assert subscriber.user is None
    assert subscriber.state == Subscriber.State.PENDING
