"""The subscription follows the account it belongs to: a new address confirmed, a new
name, and the daily digest chosen from elsewhere on the site (the forum's daily summary
travels in it). Called from newsletter/signals.py, as other apps announce these."""

import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from newsletter import suppressions
from newsletter.models import Consent, Subscriber, Suppression
from newsletter.services import _consent_record, subscriber_for_user

logger = logging.getLogger(__name__)

State = Subscriber.State
Reason = Suppression.Reason


def subscriber_email_follow(
    *, user, old_email: str = "", confirmed: bool = False
) -> Subscriber | None:
    """The person confirmed a new address for their account: what they receive goes
    there from now on, not to the address they left (perhaps a job they left). An address
    that already has a subscription of its own keeps it, and this one stays as it was.
    A new address we must not write to (newsletter/suppressions.py) is not written to:
    the subscription takes the state that says so, as it would had the address complained,
    bounced or been unsubscribed at its owner's request while subscribed.

    A bounce is about a mailbox, not a wish: when the new address was `confirmed` from
    the link we sent to it, the mailbox works, so an old bounce of it is lifted (as a
    newsletter sign-up confirmed from it lifts it), and a subscription that bounced at the
    address it left reaches the person again. An objection is never lifted this way."""
    new_email = user.email.strip().lower()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(Q(user=user) | Q(email=old_email.strip().lower(), user__isnull=True))
            .order_by(F("user").asc(nulls_last=True))
            .first()
        )
        if subscriber is None or subscriber.email == new_email:
            return subscriber
        if Subscriber.objects.filter(email=new_email).exclude(pk=subscriber.pk).exists():
            logger.info(
                "subscriber %s: the new address has a subscription of its own", subscriber.pk
            )
            return subscriber
        subscriber.email = new_email
        subscriber.user = user
        subscriber.save(update_fields=["email", "user"])
        reason = suppressions.reason_for(new_email)
        if confirmed and reason == Reason.BOUNCED:
            suppressions.suppression_lift(email=new_email)
            reason = None
        _take_suppressed_state(subscriber, reason=reason)
        if confirmed and reason is None:
            _bounce_left_behind(subscriber)
    return subscriber


def _bounce_left_behind(subscriber: Subscriber) -> None:
    """A subscription that bounced at the address it left is subscribed again at the new
    one, if it was subscribed when it bounced: confirmed, and not unsubscribed since its
    last confirmation (a bounce overwrites the state, so these dates are what tells). A
    sign-up that bounced before it was confirmed stays as it is: nobody consented."""
    confirmed_at, unsubscribed_at = subscriber.confirmed_at, subscriber.unsubscribed_at
    if (
        subscriber.state == State.BOUNCED
        and confirmed_at is not None
        and (unsubscribed_at is None or unsubscribed_at < confirmed_at)
    ):
        subscriber.state = State.SUBSCRIBED
        subscriber.bounced_at = None
        subscriber.save(update_fields=["state", "bounced_at"])
        logger.info("subscriber %s: subscribed again at a confirmed new address", subscriber.pk)


def _take_suppressed_state(subscriber: Subscriber, *, reason: str | None) -> None:
    """Record on `subscriber` the state its suppressed address calls for, as the email
    service's reports (newsletter/tracking.py) and an unsubscribe at the person's request
    (suppressions.suppression_add_by_staff) record it: otherwise the admin would show it
    subscribed, though nothing is sent to it."""
    now = timezone.now()
    if reason == Reason.COMPLAINED:
        subscriber.state = State.COMPLAINED
        subscriber.unsubscribed_at = now
        subscriber.save(update_fields=["state", "unsubscribed_at"])
    elif reason == Reason.BOUNCED and subscriber.state != State.COMPLAINED:
        subscriber.state = State.BOUNCED
        subscriber.bounced_at = now
        subscriber.save(update_fields=["state", "bounced_at"])
    elif reason == Reason.ASKED and subscriber.state in (State.SUBSCRIBED, State.PENDING):
        subscriber.state = State.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        subscriber.save(update_fields=["state", "unsubscribed_at"])
        _consent_record(
            subscriber,
            action=Consent.Action.WITHDRAWN,
            form="account address changed",
            text="The new address's owner asked us never to email it: unsubscribed from "
            "everything.",
        )


def subscriber_name_follow(*, user) -> int:
    """The person renamed themselves: what goes to their account greets the new name."""
    return Subscriber.objects.filter(user=user).update(name=user.name)


def subscriber_daily_digest_on(*, user, form: str) -> Subscriber | None:
    """A signed-in member chose a daily email elsewhere on the site (the forum's daily
    summary of followed threads, which the daily digest carries): turn the daily digest
    on for them, keeping their other choices. An address that bounced or complained
    stays suppressed until it confirms again, also once its subscriber is deleted."""
    if suppressions.reason_for(user.email):
        return None
    with transaction.atomic():
        subscriber = subscriber_for_user(user)
        if subscriber is None:
            subscriber = Subscriber(
                email=user.email.lower(),
                name=user.name,
                state=State.SUBSCRIBED,
                confirmed_at=timezone.now(),
            )
        elif subscriber.state in (State.BOUNCED, State.COMPLAINED):
            return None
        if subscriber.daily_digest and subscriber.state == State.SUBSCRIBED:
            return subscriber
        subscriber.user = user
        subscriber.daily_digest = True
        returning = subscriber.pk is not None and subscriber.state != State.SUBSCRIBED
        if subscriber.state != State.SUBSCRIBED:
            subscriber.state = State.SUBSCRIBED
            subscriber.unsubscribed_at = None
            subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        if returning:
            # Unsubscribing (or a sign-up never confirmed) keeps the old choices on the row;
            # this consent covers the daily digest alone, not the newsletters and weekly
            # digest the person had left.
            subscriber.weekly_digest = False
        subscriber.save()
        if returning:
            subscriber.newsletters.clear()
        _consent_record(
            subscriber,
            action=Consent.Action.ACCOUNT,
            form=form,
            text="A daily email with the forum threads I follow, in the daily digest.",
        )
    return subscriber
