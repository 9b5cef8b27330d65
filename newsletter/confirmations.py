"""Confirmation emails staff ask for in the admin: a subscriber added by hand, at their
request, and the confirmation sent again to people who have not confirmed.

Consent is the person's alone (UK GDPR, PECR): staff never subscribe anyone. Someone
added by hand gets the same confirmation email as a sign-up on the site and receives
nothing until they confirm from it; the consent record says who on the staff added them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from network.mail import send_once
from network.models import Topic
from newsletter import suppressions
from newsletter.models import Consent, Newsletter, Subscriber, Suppression
from newsletter.services import (
    _consent_record,
    _send_confirmation,
    _set_choices,
    subscriber_confirmation_email,
)

State = Subscriber.State

# The form's box the member of staff ticks: recorded with the addition, as shown.
ADDED_BY_STAFF_TEXT = (
    "This person asked us to send them what is ticked. They will be emailed a link to "
    "confirm, and get nothing until they do."
)
ADDED_BY_STAFF_FORM = "added by staff in the admin"

# Why an address that is no subscriber any more may still not be added, for staff.
REFUSED_BY_SUPPRESSION = {
    Suppression.Reason.COMPLAINED: "This address reported one of our emails as spam, so we "
    "must not email it and it cannot be added. If the person tells us that was a mistake, "
    "delete its entry under Suppressed addresses first.",
    Suppression.Reason.BOUNCED: "Our email to this address bounced (it did not exist), so it "
    "cannot be added by hand. The person can sign up on the newsletter page: confirming "
    "from the email it sends brings the address back.",
    Suppression.Reason.ASKED: "The owner of this address asked us never to email it, so it "
    "cannot be added. If they tell us they have changed their mind, delete its entry under "
    "Suppressed addresses first.",
}


def refusal_for_new_address(email: str) -> str | None:
    """Why staff may not add `email`, though no subscriber has it, or None."""
    reason = suppressions.reason_for(email)
    return REFUSED_BY_SUPPRESSION[reason] if reason else None


# However often staff ask, a person gets at most one confirmation email a day.
SENT_AGAIN_AFTER = timedelta(days=1)


def subscriber_add_by_staff(
    *,
    email: str,
    name: str = "",
    newsletters: Iterable[Newsletter],
    weekly_digest: bool = False,
    daily_digest: bool = False,
    topics: Iterable[Topic] = (),
    added_by,
) -> Subscriber:
    """Add a person who asked a member of staff to sign them up (at an event, by phone):
    unconfirmed, with the normal confirmation email. An address already known is refused
    (ValidationError), so staff cannot bring back one that unsubscribed or complained,
    and so is one that complained or bounced before its subscriber was deleted."""
    # Not durable: the admin saves inside a transaction of its own. The email still goes
    # only once that transaction commits.
    refusal = refusal_for_new_address(email)
    if refusal:
        raise ValidationError({"email": refusal})
    with transaction.atomic():
        subscriber = Subscriber(email=email.strip().lower(), name=name, state=State.PENDING)
        subscriber.full_clean(exclude=["key"])
        subscriber.save()
        _set_choices(
            subscriber,
            newsletters=newsletters,
            weekly_digest=weekly_digest,
            daily_digest=daily_digest,
            topics=topics,
        )
        _consent_record(
            subscriber,
            action=Consent.Action.ADDED,
            form=ADDED_BY_STAFF_FORM,
            text=ADDED_BY_STAFF_TEXT,
            added_by=added_by,
        )
        _send_confirmation(subscriber.pk)
    return subscriber


def _never_to_be_sent_again() -> Q:
    """Confirmed already, or an address that unsubscribed, bounced (only hard bounces are
    recorded) or complained, now or before a later sign-up."""
    return ~Q(state=State.PENDING) | Q(unsubscribed_at__isnull=False) | Q(bounced_at__isnull=False)


def may_send_again(now: datetime) -> Q:
    """The subscribers whose confirmation email may be sent again at `now`: unconfirmed,
    never unsubscribed, bounced or complained, and not emailed in the last day (before
    its first email is recorded, a sign-up counts from when it was made)."""
    day_ago = now - SENT_AGAIN_AFTER
    return ~_never_to_be_sent_again() & (
        Q(confirmation_sent_at__lte=day_ago)
        | Q(confirmation_sent_at__isnull=True, created_at__lte=day_ago)
    )


@dataclass(frozen=True)
class SentAgain:
    """What became of a request to send the confirmation again, in numbers of people."""

    sent: int
    sent_lately: int
    refused: int


def subscribers_confirmation_send_again(*, subscribers: QuerySet[Subscriber]) -> SentAgain:
    """Send the confirmation email again to those of `subscribers` who may have it (after
    commit, by the task that sends it once). The others are counted, never emailed; an
    address suppressed before its subscriber was deleted and signed up again is refused."""
    now = timezone.now()
    chosen = Subscriber.objects.filter(pk__in=subscribers.values("pk"))
    may = dict(chosen.filter(may_send_again(now)).values_list("pk", "email"))
    suppressed = suppressions.suppressed_among(may.values())
    due = [pk for pk, email in may.items() if email not in suppressed]
    refused = chosen.filter(_never_to_be_sent_again()).count() + len(may) - len(due)
    from newsletter import tasks

    for pk in due:
        tasks.subscriber_confirmation_send_again.delay_on_commit(pk)
    return SentAgain(
        sent=len(due), sent_lately=chosen.count() - len(due) - refused, refused=refused
    )


def subscriber_confirmation_send_again(*, subscriber_id: int) -> bool:
    """Send one person's confirmation email again, unless another request (or a retry of
    this one) sent it in the last day, or they may no longer have it. Returns whether it
    was sent."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or suppressions.reason_for(subscriber.email):
        return False
    now = timezone.now()
    return send_once(
        model=Subscriber,
        pk=subscriber_id,
        claim=may_send_again(now),
        field="confirmation_sent_at",
        value=now,
        build=lambda: subscriber_confirmation_email(subscriber),
    )
