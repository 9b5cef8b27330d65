"""Service mode: a webhook's event is applied by a real Celery worker through Redis."""

import time

import pytest

from members.models import StripeEvent
from tests.members.billing.fake_stripe import signed_post


def wait_for(predicate, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
def test_webhook_events_are_applied_by_a_real_worker_and_failures_recorded(
    client, fake_stripe, celery_worker_process
):
    ignored = fake_stripe.event("plan.created", {"id": "price_1Qx", "object": "plan"})
    # The worker process has no Stripe keys, so re-reading this subscription fails there.
    failing = fake_stripe.event(
        "customer.subscription.updated", {"id": "sub_1Qworker", "object": "subscription"}
    )

    assert signed_post(client, ignored).status_code == 200
    assert signed_post(client, failing).status_code == 200

    assert wait_for(lambda: StripeEvent.objects.exclude(outcome="pending").count() == 2)
    outcomes = dict(StripeEvent.objects.values_list("event_type", "outcome"))
    assert outcomes == {"plan.created": "ignored", "customer.subscription.updated": "failed"}
    assert "not configured" in StripeEvent.objects.get(outcome="failed").detail
