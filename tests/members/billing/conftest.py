"""Billing tests run against a fake Stripe (fake_stripe.py) with test keys configured."""

import pytest

from members.billing import gateway
from tests.members.billing.fake_stripe import (
    TEST_PORTAL_CONFIGURATION,
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
    FakeStripe,
    signed_post,
)


@pytest.fixture
def fake_stripe(settings, monkeypatch) -> FakeStripe:
    settings.STRIPE_SECRET_KEY = TEST_SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_51FakeKeyForTheTestSuiteOnly"
    settings.STRIPE_WEBHOOK_SECRET = TEST_WEBHOOK_SECRET
    settings.STRIPE_PORTAL_CONFIGURATION = TEST_PORTAL_CONFIGURATION
    settings.SITE_URL = "https://network.example.org"
    fake = FakeStripe()
    monkeypatch.setattr(gateway, "http_client", fake)
    return fake


@pytest.fixture
def no_stripe(settings, monkeypatch) -> None:
    """The embedded default: no Stripe keys at all."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    monkeypatch.setattr(gateway, "http_client", FakeStripe(unreachable=True))


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """Deliver a signed webhook and run the work it enqueues, as a worker would."""

    def post(event, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return signed_post(client, event, **kwargs)

    return post
