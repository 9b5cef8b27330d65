"""Bounces and complaints from the email service, through django-anymail's tracking webhooks."""

from anymail.signals import tracking
from django.dispatch import receiver

from newsletter.services import subscriber_tracking_event


@receiver(tracking, dispatch_uid="newsletter-tracking")
def _tracking_event(sender, event, esp_name, **kwargs) -> None:
    subscriber_tracking_event(email=event.recipient, event_type=event.event_type)
