"""The nightly reconciliation: every local subscription compared with Stripe and
corrected, then the events Stripe could not deliver stored and applied, so a missed
webhook costs at most a day; and organisations' changed details that never reached
Stripe sent again."""

import logging

from members.billing import gateway
from members.billing.sync import FINAL_STATUSES, stripe_event_record, subscription_sync
from members.models import Subscription
from members.organisations import details

logger = logging.getLogger(__name__)


def subscriptions_reconcile() -> int:
    """Compare every local subscription with Stripe and correct it (missed webhooks),
    then store and apply events Stripe could not deliver. Returns corrections made."""
    if not gateway.is_configured():
        return 0
    corrections = 0
    fields = ["status", "quantity", "current_period_end", "cancel_at_period_end", "ended_at"]
    rows = Subscription.objects.exclude(stripe_subscription_id=None).exclude(
        status__in=FINAL_STATUSES
    )
    for subscription in rows.only("pk", "stripe_subscription_id", *fields).iterator():
        before = [getattr(subscription, name) for name in fields]
        try:
            after_row = subscription_sync(
                stripe_subscription_id=subscription.stripe_subscription_id
            )
        except gateway.StripeRejected as error:
            logger.warning("reconcile: %s: %s", subscription.stripe_subscription_id, error)
            continue
        after = [getattr(after_row, name) for name in fields]
        if before != after:
            corrections += 1
            logger.info(
                "reconcile corrected %s: %s",
                subscription.stripe_subscription_id,
                {n: (b, a) for n, b, a in zip(fields, before, after, strict=True) if b != a},
            )
    from members.billing import tasks

    for event in gateway.events_undelivered():
        row, created = stripe_event_record(event=event)
        if created:
            logger.info("reconcile stored undelivered event %s", row.stripe_event_id)
            tasks.stripe_event_apply.delay(row.pk)
    details.organisation_customer_updates_catch_up()
    return corrections
