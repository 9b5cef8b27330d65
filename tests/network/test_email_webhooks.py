"""The email service's webhooks: only the configured service's, and only with a secret."""

import base64

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db

SECRET = "postmark-webhook:s3cret-from-the-environment"


def basic_auth(secret: str = SECRET) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


def test_only_the_configured_services_webhooks_are_mounted():
    assert reverse("anymail:postmark_tracking_webhook") == "/anymail/postmark/tracking/"
    with pytest.raises(NoReverseMatch):
        reverse("anymail:mailgun_tracking_webhook")


def test_webhook_is_refused_while_no_secret_is_configured(settings):
    settings.ANYMAIL = {}

    response = Client(enforce_csrf_checks=True).post(
        reverse("anymail:postmark_tracking_webhook"),
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(),
    )

    assert response.status_code == 403


def test_malformed_payload_gets_400_not_a_server_error(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    response = Client(enforce_csrf_checks=True).post(
        reverse("anymail:postmark_tracking_webhook"),
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(),
    )

    assert response.status_code == 400


def test_webhook_without_the_secret_is_refused(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    response = Client(enforce_csrf_checks=True).post(
        reverse("anymail:postmark_tracking_webhook"),
        data="{}",
        content_type="application/json",
    )

    assert response.status_code == 400
