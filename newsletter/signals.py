"""Bounces and complaints from the email service, through django-anymail's tracking webhooks.

Anymail normalises every service's events; a few services report soft (temporary) bounces
as "bounced" and say so only in their own payload, so those are told apart here.
"""

from anymail.signals import tracking
from django.dispatch import receiver

from newsletter.services import subscriber_tracking_event

# Each service's own words for a temporary bounce that anymail reports as "bounced".
_SOFT_BOUNCE_TYPES = {"SoftBounce", "Transient", "DnsError"}
# Rejections that mean the address itself is bad (the service will not try it again).
_PERMANENT_REJECTIONS = {"invalid", "bounced"}


def _event_type(event) -> str:
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if event.event_type == "bounced" and esp_event.get("Type") in _SOFT_BOUNCE_TYPES:
        return "deferred"
    if event.event_type == "rejected" and event.reject_reason in _PERMANENT_REJECTIONS:
        return "bounced"
    return event.event_type


@receiver(tracking, dispatch_uid="newsletter-tracking")
def _tracking_event(sender, event, esp_name, **kwargs) -> None:
    subscriber_tracking_event(email=event.recipient or "", event_type=_event_type(event))
