"""Connects insight to what the other apps announce (network.activity's signal) and to
sign-ins (Django's user_logged_in, which allauth sends too). Receivers only buffer."""

import uuid

from django.contrib.auth.signals import user_logged_in
from django.core.signals import request_finished
from django.dispatch import receiver
from django.utils import timezone

from insight.buffer import MemoryBuffer, get_buffer
from insight.models import Kind
from network.activity import activity

# Embedded mode has no beat: the web process flushes its own buffer after a response
# once the oldest event has waited this long.
EMBEDDED_FLUSH_SECONDS = 60


def buffer_event(
    *,
    kind: str,
    user_id=None,
    subject_id=None,
    term: str = "",
    count: int = 1,
    withdrawn: bool = False,
) -> None:
    item = {
        "uid": uuid.uuid4().hex,
        "at": timezone.now().isoformat(),
        "kind": kind,
        "user_id": user_id,
        "subject_id": subject_id,
        "term": term,
        "count": count,
    }
    if withdrawn:
        # Queued behind what it takes back, so the flush finds that first.
        item["withdrawn"] = True
    get_buffer().push(item)


@receiver(activity, dispatch_uid="insight_activity")
def on_activity(
    sender, *, kind, user_id=None, subject_id=None, term="", count=1, withdrawn=False, **kwargs
):
    buffer_event(
        kind=kind,
        user_id=user_id,
        subject_id=subject_id,
        term=term,
        count=count,
        withdrawn=withdrawn,
    )


@receiver(user_logged_in, dispatch_uid="insight_sign_in")
def on_sign_in(sender, *, user, **kwargs):
    buffer_event(kind=Kind.SIGN_IN, user_id=user.pk)


@receiver(request_finished, dispatch_uid="insight_embedded_flush")
def on_request_finished(sender, **kwargs):
    buffer = get_buffer()
    if isinstance(buffer, MemoryBuffer) and buffer.waiting_longer_than(EMBEDDED_FLUSH_SECONDS):
        from insight.services import activity_flush

        activity_flush()
