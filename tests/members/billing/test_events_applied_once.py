"""A stored webhook event is applied once, even when two workers hold it."""

import pytest

from members.billing import sync
from members.models import StripeEvent

pytestmark = pytest.mark.django_db


def dispute() -> dict:
    return {
        "id": "dp_1QdisputeEastmere",
        "object": "dispute",
        "amount": 12000,
        "currency": "gbp",
        "charge": "ch_1QchargeEastmere",
        "reason": "fraudulent",
        "status": "needs_response",
        "evidence_details": {"due_by": 1798761600},
    }


def test_a_worker_that_read_the_event_before_another_applied_it_does_not_apply_it_again(
    fake_stripe, deliver, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    deliver(fake_stripe.event("charge.dispute.created", dispute()))
    assert len(mailoutbox) == 1
    # The second worker read the row while it still waited to be applied.
    stale = StripeEvent.objects.get()
    stale.outcome = StripeEvent.Outcome.PENDING
    monkeypatch.setattr(StripeEvent.objects, "get", lambda **kwargs: stale)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = sync.stripe_event_apply(event_id=stale.pk)

    assert outcome == StripeEvent.Outcome.APPLIED
    assert len(mailoutbox) == 1
