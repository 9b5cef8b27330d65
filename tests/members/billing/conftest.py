"""Billing tests run against a fake Stripe (fake_stripe.py) with test keys configured."""

import pytest
from django.core.mail import EmailMultiAlternatives

from members.billing import gateway, sync
from members.models import StripeEvent
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
def invoices_open_at_once(settings) -> None:
    """The setting that creates a subscription billed by invoice as soon as it is asked
    for, without waiting for staff (by default staff approve each request first)."""
    settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL = False


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


@pytest.fixture
def reapply(django_capture_on_commit_callbacks):
    """Apply every stored event again, as staff do from the admin's Stripe events."""

    def run():
        StripeEvent.objects.update(outcome=StripeEvent.Outcome.PENDING)
        for event_id in StripeEvent.objects.values_list("pk", flat=True):
            with django_capture_on_commit_callbacks(execute=True):
                sync.stripe_event_apply(event_id=event_id)

    return run


@pytest.fixture
def mail_fails_once(monkeypatch):
    """The mail server refuses the first message, then takes the rest."""
    send = EmailMultiAlternatives.send
    failures = [OSError("connection refused")]

    def flaky(message, *args, **kwargs):
        if failures:
            raise failures.pop()
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
