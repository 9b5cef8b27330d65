"""Bounces and complaints reported by the email service (Postmark's tracking webhooks,
received through django-anymail with HTTP basic auth)."""

import base64
import json

import pytest
from django.test import Client
from django.urls import reverse

from newsletter.models import Subscriber
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

SECRET = "postmark-webhook:s3cret-from-the-environment"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


def post_event(payload: dict, secret: str = SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return Client(enforce_csrf_checks=True).post(
        reverse("anymail:postmark_tracking_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def bounce(email: str, kind: str = "HardBounce") -> dict:
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "hello@network.example.org",
        "BouncedAt": "2026-11-20T16:09:19Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Staying Close and workforce news",
        "MessageStream": "broadcast",
    }


def complaint(email: str) -> dict:
    return {**bounce(email), "RecordType": "SpamComplaint", "Type": "SpamComplaint"}


def test_hard_bounce_marks_the_subscriber_bounced():
    subscriber = SubscriberFactory(email="gone@example.org")

    response = post_event(bounce("Gone@Example.org"))

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.BOUNCED
    assert subscriber.bounced_at is not None


def test_soft_bounce_leaves_the_subscriber_subscribed():
    subscriber = SubscriberFactory(email="full-mailbox@example.org")

    post_event(bounce(subscriber.email, kind="SoftBounce"))

    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.SUBSCRIBED


def test_spam_complaint_marks_the_subscriber_complained():
    subscriber = SubscriberFactory(email="annoyed@example.org")

    post_event(complaint(subscriber.email))

    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.COMPLAINED


def test_a_bounce_after_a_complaint_keeps_the_complaint():
    subscriber = SubscriberFactory(state=Subscriber.State.COMPLAINED)

    post_event(bounce(subscriber.email))

    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.COMPLAINED


def test_webhook_with_the_wrong_secret_changes_nothing():
    subscriber = SubscriberFactory(email="gone@example.org")

    response = post_event(bounce(subscriber.email), secret="someone:else")

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.SUBSCRIBED


def test_bounce_for_an_unknown_address_is_accepted_and_ignored():
    response = post_event(bounce("stranger@example.org"))

    assert response.status_code == 200
    assert not Subscriber.objects.exists()


def test_bounced_address_comes_back_only_by_confirming_again(client, newsletter):
    from django.test import TestCase

    from newsletter import services, tokens

    subscriber = SubscriberFactory(email="gone@example.org", newsletters=[newsletter])
    post_event(bounce(subscriber.email))

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.subscriber_sign_up(
            email=subscriber.email, newsletters=[newsletter], form="newsletter page"
        )
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.PENDING

    token = tokens.subscriber_token(subscriber, purpose=tokens.CONFIRM)
    client.post(reverse("newsletter:confirm", args=[token]))
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.SUBSCRIBED


def inbound_email(to: str, subject: str) -> dict:
    """Postmark's inbound webhook payload for an email sent to `to`."""
    return {
        "FromName": "Sam Reader",
        "From": "sam@example.org",
        "FromFull": {"Email": "sam@example.org", "Name": "Sam Reader"},
        "To": to,
        "ToFull": [{"Email": to, "Name": ""}],
        "OriginalRecipient": to,
        "Subject": subject,
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "Date": "Fri, 20 Nov 2026 16:09:19 +0000",
        "TextBody": "",
        "HtmlBody": "",
        "Headers": [],
        "Attachments": [],
    }


def post_inbound(payload: dict, secret: str = SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return Client().post(
        reverse("anymail:postmark_inbound_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def test_mailto_unsubscribe_with_the_token_from_the_header_unsubscribes():
    from newsletter import tokens

    subscriber = SubscriberFactory()
    token = tokens.subscriber_token(subscriber, purpose=tokens.UNSUBSCRIBE)

    response = post_inbound(
        inbound_email("unsubscribe@network.example.org", f"unsubscribe {token}")
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.UNSUBSCRIBED
    assert subscriber.consents.get().form == "unsubscribe email (mailto)"


def test_mailto_unsubscribe_with_a_forged_token_changes_nothing():
    subscriber = SubscriberFactory()

    response = post_inbound(
        inbound_email("unsubscribe@network.example.org", f"unsubscribe {subscriber.key}:forged")
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.SUBSCRIBED
