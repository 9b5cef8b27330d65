"""Billing benchmark: webhook intake and applying, nightly reconciliation, account page.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_bench \\
        .venv/bin/python bench/billing.py [--subscriptions 2000] [--events 500]

Stripe is the fake HTTP layer the tests use (tests/members/billing/fake_stripe.py) under
the real SDK, so the figures include the SDK's request building and response parsing
but no network: add Stripe's own latency (typically 100-300 ms per call) for production.

Figures:
- webhook intake: verify the signature and store the event (what Stripe waits for);
- applying: one event read again from Stripe and copied (what the worker does);
- reconcile: every subscription compared with Stripe, per subscription;
- account page: wall time of `client.get()` and its SQL query count with 20 invoices.

The database named in DATABASE_URL is emptied of billing rows first: its name must
contain "bench". Tasks run in-process (no REDIS_URL).
"""

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

import stripe  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from members.billing import gateway, reconcile, sync  # noqa: E402
from members.models import Invoice, Plan, StripeEvent, Subscription, User  # noqa: E402
from tests.members.billing.fake_stripe import (  # noqa: E402
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
    FakeStripe,
)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1] if len(samples) >= 20 else samples[-1]
    print(
        f"{name:<34} n={len(samples):<6} median {ms(statistics.median(samples)):>10}"
        f"  p95 {ms(p95):>10}  ({len(samples) / sum(samples):,.0f}/s in one process)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=2000)
    parser.add_argument("--events", type=int, default=500)
    args = parser.parse_args()
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("DATABASE_URL must name a database whose name contains 'bench'.")

    call_command("migrate", verbosity=0)
    # Measure the work, not the query log or one log line per request and Stripe call.
    settings.DEBUG = False
    logging.disable(logging.INFO)
    settings.STRIPE_SECRET_KEY = TEST_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = TEST_WEBHOOK_SECRET
    settings.ALLOWED_HOSTS = ["testserver"]
    fake = FakeStripe()
    gateway.http_client = fake

    StripeEvent.objects.all().delete()
    Invoice.objects.all().delete()
    Subscription.objects.all().delete()
    User.objects.filter(email__endswith="@bench.example.org").delete()
    plan, _ = Plan.objects.update_or_create(
        slug="bench-provider-annual",
        defaults={
            "name": "Bench: provider annual",
            "member_type": "provider",
            "holder": "individual",
            "interval": "year",
            "price_pence": 12000,
            "stripe_price_id": "price_1QbenchProviderAnnual",
        },
    )
    users = User.objects.bulk_create(
        User(email=f"member{n}@bench.example.org", name=f"Bench member {n}")
        for n in range(args.subscriptions)
    )
    stripe_subscriptions = [
        fake.add_subscription(
            price=plan.stripe_price_id,
            metadata={sync.META_USER: str(user.pk), sync.META_PLAN: str(plan.pk)},
        )
        for user in users
    ]
    print(f"{args.subscriptions} subscriptions in Stripe (fake), {args.events} events")

    client = Client()
    intake, applying = [], []
    for subscription in stripe_subscriptions[: args.events]:
        payload = json.dumps(fake.event("customer.subscription.created", subscription))
        header = stripe.WebhookSignature.generate_signature_header(payload, TEST_WEBHOOK_SECRET)
        # Intake only: the view stores the event; applying is measured apart below.
        started = time.perf_counter()
        event = gateway.webhook_event(payload.encode(), header)
        row, _ = sync.stripe_event_record(event=event)
        intake.append(time.perf_counter() - started)
        started = time.perf_counter()
        sync.stripe_event_apply(event_id=row.pk)
        applying.append(time.perf_counter() - started)
    report("webhook intake (verify + store)", intake)
    report("apply one event", applying)

    for subscription in stripe_subscriptions[args.events :]:
        sync.subscription_sync(stripe_subscription_id=subscription["id"])
    for subscription in stripe_subscriptions[::10]:
        fake.set_subscription(subscription["id"], status="past_due")
    started = time.perf_counter()
    corrections = reconcile.subscriptions_reconcile()
    elapsed = time.perf_counter() - started
    print(
        f"{'reconcile':<34} {args.subscriptions} subscriptions in {elapsed:.2f} s "
        f"({ms(elapsed / args.subscriptions)} each), {corrections} corrected"
    )

    member = users[0]
    subscription = Subscription.objects.get(user=member)
    for _ in range(20):
        invoice = fake.add_invoice(subscription.stripe_subscription_id, status="paid")
        sync.invoice_write(state=gateway.invoice_state(invoice), subscription=subscription)
    client.force_login(member)
    samples = []
    for _ in range(50):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/account/")
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    report(f"account page ({len(queries)} queries)", samples)


if __name__ == "__main__":
    main()
