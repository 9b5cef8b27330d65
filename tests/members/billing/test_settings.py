"""Stripe settings: the pinned API version, and a production start that refuses keys
without the webhook signing secret (no membership would ever start)."""

import os
import subprocess
import sys

import stripe
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "test-only-" + "k" * 60,
    "ALLOWED_HOSTS": "network.example.org",
    "SITE_URL": "https://network.example.org",
}


def _start(**stripe_env: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**env, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "network.settings", **stripe_env}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_start_with_a_stripe_key_but_no_webhook_secret_fails_loudly():
    result = _start(STRIPE_SECRET_KEY="sk_live_example", STRIPE_WEBHOOK_SECRET="")

    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET must be set" in result.stderr


def test_production_start_with_both_stripe_secrets_succeeds():
    result = _start(STRIPE_SECRET_KEY="sk_live_example", STRIPE_WEBHOOK_SECRET="whsec_example")

    assert result.returncode == 0, result.stderr


def test_the_api_version_is_pinned_to_the_one_the_installed_sdk_speaks():
    assert stripe.api_version == settings.STRIPE_API_VERSION
