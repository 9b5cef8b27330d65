"""Which emails a person is still sent once they have asked for their account to be
deleted: the one place every sender of optional email asks.

From the request until the erasure (the grace period, or until staff act on a request
made by letter or phone) the person gets none of the emails they could do without: the
newsletter and its digests, forum notifications and daily summaries, what became of
posts they reported (the notice on the site stays), and event reminders. They asked to be deleted; being mailed as if nothing had happened reads as
if the request was ignored. Signing in cancels the
deletion (members.data_rights), and with it the pause: the next of each goes as before.

Still sent, each for its reason (their senders do not ask here):
- the deletion's own emails (its date and how to stop it; staff's erasure confirmed);
- signing in and security (allauth: confirming an address, resetting a password),
  since signing in is how a person stops the deletion;
- billing (a payment failed, an invoice, a renewal): the subscription runs, and may be
  charged, until the erasure cancels it; a person must hear of money taken or owed,
  and an invoice is an accounting record the law requires;
- a moderator's decision about their post or account, which the person it concerns is
  always told of;
- news of an event they still hold a place at (cancelled, moved, a place offered or its
  offer ending, staff's message about a room change): the place is theirs until the
  erasure frees it, and they may still come.
"""

from django.db.models import QuerySet
from django.db.models.functions import Lower

from members.models import DataRequest


def _asked_to_be_deleted() -> QuerySet[DataRequest]:
    return DataRequest.objects.open().filter(kind=DataRequest.Kind.ERASURE)


def optional_email_paused(user) -> bool:
    """Whether `user` gets no optional email now (one query)."""
    if user is None or not user.pk:
        return False
    return _asked_to_be_deleted().filter(user=user).exists()


def optional_email_paused_users() -> QuerySet:
    """The ids of the people who get no optional email now, as a subquery for bulk
    audiences: `.exclude(user__in=optional_email_paused_users())`."""
    return _asked_to_be_deleted().values("user_id")


def optional_email_paused_addresses() -> QuerySet:
    """Their addresses, lower-cased, as a subquery: for lists kept by address (the
    newsletter's subscribers, some not linked to the account)."""
    return _asked_to_be_deleted().annotate(address=Lower("user__email")).values("address")
