"""What the email service reports, through django-anymail's webhooks: bounces and
complaints (tracking), and unsubscribe requests mailed to the List-Unsubscribe mailto
address (inbound), whose subject carries the signed unsubscribe token.

Anymail normalises every service's events; a few services report soft (temporary) bounces
as "bounced" and say so only in their own payload, so those are told apart here.

Also from outside the newsletter: the forum's daily summary chosen (it travels in the
daily digest), and an account's new address confirmed (allauth) or its name changed on
the profile page, which the subscription follows.
"""

import logging
import re

from allauth.account.signals import email_changed, email_confirmed, user_signed_up
from anymail.signals import inbound, tracking
from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from forum.models import ForumPreference, NotifyBy
from members.adapters import confirmation_email_notes
from members.profiles import profile_changed
from newsletter import tokens
from newsletter.account_follow import (
    subscriber_daily_digest_on,
    subscriber_email_follow,
    subscriber_name_follow,
)
from newsletter.services import (
    account_confirmation_note,
    subscriber_confirm_account,
    subscriber_sign_up_with_account,
    subscriber_unsubscribe,
)
from newsletter.tracking import subscriber_tracking_event

logger = logging.getLogger(__name__)

_UNSUBSCRIBE_SUBJECT = re.compile(r"\bunsubscribe\s+(\S+)", re.IGNORECASE)

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


@receiver(inbound, dispatch_uid="newsletter-inbound-unsubscribe")
def _inbound_unsubscribe(sender, event, esp_name, **kwargs) -> None:
    message = event.message
    mailbox = settings.NEWSLETTER_UNSUBSCRIBE_MAILTO.lower()
    addressed = [address.addr_spec.lower() for address in (message.to or [])]
    if message.envelope_recipient:
        addressed.append(message.envelope_recipient.lower())
    if mailbox not in addressed:
        return
    match = _UNSUBSCRIBE_SUBJECT.search(message.subject or "")
    if match is None:
        logger.info("unsubscribe email without a token ignored")
        return
    try:
        subscriber = tokens.subscriber_from_token(match.group(1), purpose=tokens.UNSUBSCRIBE)
    except tokens.InvalidToken:
        logger.info("unsubscribe email with an invalid token ignored")
        return
    subscriber_unsubscribe(subscriber=subscriber, form="unsubscribe email (mailto)")


@receiver(post_save, sender=ForumPreference, dispatch_uid="newsletter-forum-daily-summary")
def _forum_daily_summary_chosen(sender, instance: ForumPreference, **kwargs) -> None:
    """The forum's daily summary travels in the daily digest: a member who chooses it gets
    the daily digest, so that the summary reaches them in one daily email."""
    if settings.FORUM_DAILY_SUMMARY_IN_DIGEST and instance.notify_by == NotifyBy.DAILY:
        subscriber_daily_digest_on(user=instance.user, form="forum settings")


@receiver(email_changed, dispatch_uid="newsletter-account-email-changed")
def _account_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    """A new address confirmed for an account (by the person, or after staff changed it):
    the newsletter and digests follow it."""
    subscriber_email_follow(
        user=user,
        old_email=from_email_address.email if from_email_address else "",
        # allauth makes an address primary only once it is verified (while another one
        # is), so this is nearly always true: the person followed the link sent to it.
        confirmed=to_email_address.verified,
    )


@receiver(email_confirmed, dispatch_uid="newsletter-account-address-confirmed")
def _account_address_confirmed(sender, request, email_address, **kwargs) -> None:
    """The newsletter box ticked at sign-up takes effect once the address is confirmed."""
    subscriber_confirm_account(user=email_address.user, email=email_address.email)


@receiver(user_signed_up, dispatch_uid="newsletter-account-sign-up")
def _account_signed_up(sender, request, user, **kwargs) -> None:
    """The newsletter box on the account sign-up form (members.forms.SignupDetailsForm)."""
    if getattr(user, "newsletter_chosen_at_sign_up", False):
        subscriber_sign_up_with_account(user=user)


@receiver(confirmation_email_notes, dispatch_uid="newsletter-account-confirmation-note")
def _account_confirmation_note(sender, user, email, **kwargs) -> str:
    """The account's confirmation email says that confirming starts the newsletter too."""
    return account_confirmation_note(user=user, email=email)


@receiver(profile_changed, dispatch_uid="newsletter-account-profile-changed")
def _account_profile_changed(sender, user, changed, **kwargs) -> None:
    """The newsletter and digests greet the person by the name on their profile."""
    if "name" in changed:
        subscriber_name_follow(user=user)
