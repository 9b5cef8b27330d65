"""A person's own memberships while their account waits to be deleted.

Asking for deletion turns off the renewal of their personal subscriptions in Stripe, so
that none renews (and charges their card for a year) during the grace period; the
erasure then ends them (services.personal_subscriptions_cancel). Each subscription whose
renewal the deletion turned off is marked with it (`renewal_stopped_by`), so cancelling
the deletion turns back on exactly those: one whose renewal the member had turned off
themselves is never marked, and stays off. Organisations' subscriptions are never
touched here: a seat holder or an admin leaving does not end the organisation's
membership.

Stripe is reached through members/billing/gateway.py; its answer is copied into our row
as a webhook's would be (sync.subscription_write), so the account page and the webhooks
that follow agree.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from members.billing import gateway
from members.billing.sync import LIVE_STATUSES, subscription_write
from members.models import DataRequest, Subscription, User

logger = logging.getLogger(__name__)


def _renewing(user: User | int):
    return Subscription.objects.filter(
        user=user,
        status__in=LIVE_STATUSES,
        cancel_at_period_end=False,
        renewal_stopped_by__isnull=True,
    )


def renewals_to_stop(user: User) -> bool:
    """Has the person a personal membership that would renew during the grace period?"""
    return _renewing(user).exists()


def renewing_ending_by(user: User, *, moment: datetime) -> list[Subscription]:
    """The person's renewing personal memberships whose paid period ends by `moment`
    (the end of a deletion's grace period): once renewal is off, each ends on that date
    for good, and signing in again after it does not bring it back."""
    return list(
        _renewing(user)
        .filter(current_period_end__lte=moment)
        .select_related("plan")
        .order_by("current_period_end")
    )


def _local_only(subscription: Subscription) -> bool:
    # No Stripe id (none was ever made), or no Stripe keys (the embedded default).
    return not subscription.stripe_subscription_id or not gateway.is_configured()


def _write(subscription: Subscription, state, *, stopped_by: DataRequest | None) -> None:
    with transaction.atomic():
        current = Subscription.objects.select_for_update().get(pk=subscription.pk)
        subscription_write(
            state=state,
            user=current.user,
            organisation=current.organisation,
            plan=current.plan,
            current=current,
        )
        current.renewal_stopped_by = stopped_by
        current.save(update_fields=["renewal_stopped_by"])


def personal_renewals_stop(*, data_request: DataRequest) -> list[Subscription]:
    """Turn off the renewal of the person's personal subscriptions, marking each with
    the deletion. Raises StripeUnavailable while Stripe cannot be reached: what was done
    stays done, and running it again does the rest."""
    stopped = []
    for subscription in _renewing(data_request.user_id):
        if _local_only(subscription):
            subscription.cancel_at_period_end = True
            subscription.renewal_stopped_by = data_request
            subscription.save(update_fields=["cancel_at_period_end", "renewal_stopped_by"])
            stopped.append(subscription)
            continue
        try:
            state = gateway.subscription_get(subscription.stripe_subscription_id)
            if state.cancel_at_period_end or state.status not in LIVE_STATUSES:
                # The member turned renewal off in the billing portal (our copy had not
                # heard yet), or it has ended: not the deletion's doing, nothing to put back.
                _write(subscription, state, stopped_by=None)
                continue
            state = gateway.subscription_renewal_set(
                subscription.stripe_subscription_id, renews=False
            )
        except gateway.StripeRejected:
            # Unknown to Stripe: asking again will not change that; the erasure ends our row.
            logger.exception("renewal of %s not stopped", subscription.stripe_subscription_id)
            continue
        _write(subscription, state, stopped_by=data_request)
        stopped.append(subscription)
        logger.info(
            "renewal of %s turned off for deletion request=%s",
            subscription.stripe_subscription_id,
            data_request.pk,
        )
    DataRequest.objects.filter(pk=data_request.pk).update(renewals_stop_pending=False)
    return stopped


def _period_over(subscription: Subscription, now: datetime) -> bool:
    # Set to end at its period end, and that has passed: the membership has ended (our
    # copy may not have heard yet), and turning renewal on again would not bring it back.
    return (
        subscription.cancel_at_period_end
        and subscription.current_period_end is not None
        and subscription.current_period_end <= now
    )


def personal_renewals_restore(*, data_request: DataRequest) -> int:
    """Turn renewal back on for the subscriptions this deletion turned it off for (the
    person signed in again); one whose period ended meanwhile has ended, and stays so.
    Raises StripeUnavailable while Stripe cannot be reached; the marks of those not yet
    done stay, so running it again does the rest."""
    restored = 0
    now = timezone.now()
    for subscription in Subscription.objects.filter(renewal_stopped_by=data_request):
        ended = _period_over(subscription, now)
        if _local_only(subscription):
            if not ended:
                subscription.cancel_at_period_end = False
                restored += 1
            subscription.renewal_stopped_by = None
            subscription.save(update_fields=["cancel_at_period_end", "renewal_stopped_by"])
            continue
        try:
            if ended:
                # Read, never renew: our copy learns that it ended.
                state = gateway.subscription_get(subscription.stripe_subscription_id)
            else:
                state = gateway.subscription_renewal_set(
                    subscription.stripe_subscription_id, renews=True
                )
        except gateway.StripeRejected:
            # Gone from Stripe: there is nothing left to renew, and asking again will not
            # change that.
            logger.exception("renewal of %s not restored", subscription.stripe_subscription_id)
            Subscription.objects.filter(pk=subscription.pk).update(renewal_stopped_by=None)
            continue
        _write(subscription, state, stopped_by=None)
        if ended:
            continue
        restored += 1
        logger.info(
            "renewal of %s turned back on: deletion request=%s cancelled",
            subscription.stripe_subscription_id,
            data_request.pk,
        )
    return restored


@dataclass(frozen=True)
class RenewalNews:
    """What became of the memberships whose renewal a cancelled deletion had turned off,
    as the person is told on signing in again."""

    back_on: list[Subscription] = field(default_factory=list)
    turning_back_on: list[Subscription] = field(default_factory=list)  # waits for Stripe
    ended: list[Subscription] = field(default_factory=list)


def renewal_news(*, subscription_ids: list[int]) -> RenewalNews:
    """Read, after renewal was put back, what each of these subscriptions (those the
    deletion had marked) now is."""
    news = RenewalNews()
    if not subscription_ids:
        return news
    now = timezone.now()
    for subscription in Subscription.objects.filter(pk__in=subscription_ids):
        if subscription.status not in LIVE_STATUSES or _period_over(subscription, now):
            news.ended.append(subscription)
        elif subscription.renewal_stopped_by_id is not None:
            news.turning_back_on.append(subscription)
        elif not subscription.cancel_at_period_end:
            news.back_on.append(subscription)
    return news
