"""What happened on the site, announced for counting: one signal that any app sends and
the insight app receives.

Lower apps may not import insight, so they call `activity_record(...)` here (network's
shared helpers import no app) and insight's receiver buffers the event. Nothing here
touches the database: the signal is sent after the surrounding transaction commits, so
a rolled-back registration or post is never counted, and the receiver only appends to a
buffer (see insight/buffer.py).

A few things can be taken back (an attendance unticked): `activity_withdraw(...)` sends
the same signal with withdrawn=True, and insight removes the one it counted.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent with: kind (str), user_id (int | None), subject_id (int | None), term (str),
# count (int), withdrawn (bool).
activity = Signal()

RESOURCE_VIEW = "resource_view"
RESOURCE_DOWNLOAD = "resource_download"
LIBRARY_SEARCH_EMPTY = "library_search_empty"
FORUM_THREAD = "forum_thread"
FORUM_REPLY = "forum_reply"
EVENT_REGISTRATION = "event_registration"
EVENT_ATTENDANCE = "event_attendance"
NEWSLETTER_SEND = "newsletter_send"
SIGN_IN = "sign_in"


def activity_record(
    kind: str,
    *,
    user=None,
    user_id: int | None = None,
    subject_id: int | None = None,
    term: str = "",
    count: int = 1,
) -> None:
    """Announce one thing that happened (after the current transaction commits)."""
    if user is not None and user_id is None:
        user_id = user.pk if getattr(user, "is_authenticated", False) else None
    payload = {
        "kind": kind,
        "user_id": user_id,
        "subject_id": subject_id,
        "term": term[:200],
        "count": count,
    }
    transaction.on_commit(lambda: activity.send(sender=None, **payload), robust=True)


def activity_withdraw(kind: str, *, user_id: int, subject_id: int | None = None) -> None:
    """Take back one thing announced before by the same person about the same subject
    (after the current transaction commits)."""
    payload = {
        "kind": kind,
        "user_id": user_id,
        "subject_id": subject_id,
        "term": "",
        "count": 1,
        "withdrawn": True,
    }
    transaction.on_commit(lambda: activity.send(sender=None, **payload), robust=True)
