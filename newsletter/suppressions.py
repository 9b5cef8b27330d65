"""Addresses we must never write to again, remembered after their subscriber is gone.

A subscriber's state (complained, bounced) says not to write to the address, but only as
long as the row lives: staff may delete it, and so does erasing the account it belongs
to. Signing up again would then start afresh and email a confirmation to someone who told
their mail provider that our email is spam. A Suppression outlives the row.

What it keeps, and why no more: a keyed hash (HMAC-SHA256) of the normalised address, the
reason and the date; never the address. Deletion and erasure promise the address is gone,
and a plain hash would not keep that promise (anyone holding a list of addresses could
hash each and find it); without the key nobody can test an address against the table,
while the site, with the key, can answer the one question it must: "may we write to this
one?". The key is NEWSLETTER_SUPPRESSION_KEY (SECRET_KEY unless set): SECRET_KEY may need
rotating, and a new key would silently forget every suppression. Keeping this much is
what honouring the person's objection requires (UK GDPR art. 21, PECR), so it survives
their erasure request.

The reasons do not weigh the same:
- a complaint stops every email of the newsletter, for good, whoever asks (the public
  form answers as for anyone, and a signed-in owner is told to contact us); so does a
  person asking staff (by phone, by letter) never to be emailed again, which staff add
  by hand: the two are the objections (OBJECTIONS), and one outweighs a bounce;
- a hard bounce stops everything we start (editions, digests, staff adding the address
  or sending the confirmation again), but the person may still sign up themselves and
  get one confirmation, as a bounced subscriber always could: their confirming it shows
  the mailbox works again, and lifts the suppression; so does confirming it as their
  account's new address (newsletter/account_follow.py).
"""

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from newsletter.models import Consent, Subscriber, Suppression

Reason = Suppression.Reason

# The person objected to our email: nothing is sent again, whoever asks, until staff
# lift it at the person's request.
OBJECTIONS = frozenset({Reason.COMPLAINED, Reason.ASKED})


def address_hash(email: str) -> str:
    """The keyed hash of an address, normalised as subscribers' addresses are stored."""
    key = settings.NEWSLETTER_SUPPRESSION_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _record(entries: Iterable[tuple[str, str, datetime]]) -> None:
    """Add (hash, reason, when) entries in a few queries, whatever their number. An
    objection outweighs a bounce, never the other way round."""
    entries = list(entries)
    Suppression.objects.bulk_create(
        [Suppression(address_hash=h, reason=reason, created_at=at) for h, reason, at in entries],
        ignore_conflicts=True,
    )
    for objection in OBJECTIONS:
        hashes = [h for h, reason, _ in entries if reason == objection]
        if hashes:
            Suppression.objects.filter(address_hash__in=hashes, reason=Reason.BOUNCED).update(
                reason=objection, created_at=timezone.now()
            )


def suppression_record(*, email: str, reason: str) -> None:
    """Remember never to write to `email` again, for `reason`."""
    if email.strip():
        _record([(address_hash(email), reason, timezone.now())])


def suppression_lift(*, email: str) -> None:
    """The owner of the address confirmed from a link we sent to it (or staff removed the
    entry at their request): the address may be written to again."""
    Suppression.objects.filter(address_hash=address_hash(email)).delete()


def reason_for(email: str) -> str | None:
    """Why we must not write to `email` (a Suppression.Reason), or None if we may."""
    return (
        Suppression.objects.filter(address_hash=address_hash(email))
        .values_list("reason", flat=True)
        .first()
    )


def objection_for(email: str) -> str | None:
    """The objection (a reason in OBJECTIONS) that stops every email to `email`, or None."""
    reason = reason_for(email)
    return reason if reason in OBJECTIONS else None


def suppressed_among(emails: Iterable[str]) -> set[str]:
    """Those of `emails` we must not write to, in one query."""
    by_hash = {address_hash(email): email for email in emails}
    found = Suppression.objects.filter(address_hash__in=list(by_hash)).values_list(
        "address_hash", flat=True
    )
    return {by_hash[digest] for digest in found}


def _still_refused() -> Q:
    """Rows whose own state says not to write to them: complained, or bounced and not
    confirmed since (a bounced address that signed up again is pending)."""
    return (
        Q(state=Subscriber.State.COMPLAINED)
        | Q(state=Subscriber.State.BOUNCED)
        | Q(state=Subscriber.State.PENDING, bounced_at__isnull=False)
    )


def suppressions_keep(*, subscribers: QuerySet[Subscriber]) -> int:
    """Before `subscribers` are deleted: keep what their rows alone may remember (a row
    made complained or bounced before suppressions were recorded, or by hand). Returns
    how many of them must not be written to again."""
    rows = subscribers.filter(_still_refused()).values_list(
        "email", "state", "unsubscribed_at", "bounced_at"
    )
    now = timezone.now()
    entries = [
        (address_hash(email), Reason.COMPLAINED, unsubscribed_at or now)
        if state == Subscriber.State.COMPLAINED
        else (address_hash(email), Reason.BOUNCED, bounced_at or now)
        for email, state, unsubscribed_at, bounced_at in rows
    ]
    if entries:
        _record(entries)
    return len(entries)


# What the unsubscribe that goes with a suppression added by hand records.
ASKED_BY_STAFF_FORM = "asked staff never to be emailed"
ASKED_BY_STAFF_TEXT = "Asked us never to email them again: unsubscribed from everything."

ALREADY_SUPPRESSED = {
    Reason.COMPLAINED: "This address reported one of our emails as spam, so we already "
    "never email it. There is nothing to add.",
    Reason.ASKED: "This address is already suppressed: its owner asked us never to email "
    "it. There is nothing to add.",
}


def suppression_add_by_staff(*, email: str, added_by) -> tuple[Suppression, Subscriber | None]:
    """A person asked a member of staff (by phone, by letter) never to be emailed by the
    newsletter again: remember it as a complaint is remembered, with who added it, and
    unsubscribe their subscriber, if any, with the record an unsubscribe leaves. Returns
    the entry and that subscriber. An address that objected already is refused
    (ValidationError); one that bounced is suppressed for this reason instead."""
    from newsletter.services import _consent_record  # services imports this module

    email = email.strip().lower()
    objection = objection_for(email)
    if objection:
        raise ValidationError({"email": ALREADY_SUPPRESSED[objection]})
    now = timezone.now()
    # Not durable: the admin saves inside a transaction of its own.
    with transaction.atomic():
        suppression, _ = Suppression.objects.update_or_create(
            address_hash=address_hash(email),
            defaults={"reason": Reason.ASKED, "created_at": now, "added_by": added_by},
        )
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            return suppression, None
        if subscriber.state != Subscriber.State.COMPLAINED:
            subscriber.state = Subscriber.State.UNSUBSCRIBED
        subscriber.unsubscribed_at = subscriber.unsubscribed_at or now
        subscriber.save(update_fields=["state", "unsubscribed_at"])
        _consent_record(
            subscriber,
            action=Consent.Action.WITHDRAWN,
            form=ASKED_BY_STAFF_FORM,
            text=ASKED_BY_STAFF_TEXT,
            added_by=added_by,
        )
    return suppression, subscriber
