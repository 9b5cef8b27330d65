"""What the email service and readers tell us after an email is sent: bounces,
complaints and unsubscribes reported by the service (anymail tracking webhooks,
newsletter/signals.py), and clicks on an edition's links (the redirect view)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from newsletter import suppressions
from newsletter.models import Edition, LinkClick, Subscriber, Suppression

State = Subscriber.State


def subscriber_tracking_event(*, email: str, event_type: str) -> None:
    """Bounces and complaints reported by the email service (anymail tracking webhooks).
    Either is remembered as a suppression too, so that deleting the subscriber, or an
    address never subscribed (a complaint about an account email), cannot let the
    newsletter write to it later."""
    email = (email or "").strip().lower()
    if not email:
        return
    now = timezone.now()
    subscribers = Subscriber.objects.filter(email=email)
    if event_type == "bounced":
        subscribers.exclude(state=State.COMPLAINED).update(state=State.BOUNCED, bounced_at=now)
        suppressions.suppression_record(email=email, reason=Suppression.Reason.BOUNCED)
    elif event_type == "complained":
        subscribers.update(state=State.COMPLAINED, unsubscribed_at=now)
        suppressions.suppression_record(email=email, reason=Suppression.Reason.COMPLAINED)
    elif event_type == "unsubscribed":
        subscribers.filter(state=State.SUBSCRIBED).update(
            state=State.UNSUBSCRIBED, unsubscribed_at=now
        )


def link_click_count(*, edition_id: int, url: str) -> None:
    """One more click on an edition's link (the redirect's count: one per request)."""
    now = timezone.now()
    clicks = LinkClick.objects.filter(edition_id=edition_id, url=url)
    if clicks.update(clicks=F("clicks") + 1, last_clicked_at=now):
        return
    if not Edition.objects.filter(pk=edition_id).exists():
        return
    try:
        with transaction.atomic():
            LinkClick.objects.create(
                edition_id=edition_id, url=url, clicks=1, first_clicked_at=now, last_clicked_at=now
            )
    except IntegrityError:  # the same link's first click, twice at once
        clicks.update(clicks=F("clicks") + 1, last_clicked_at=now)
