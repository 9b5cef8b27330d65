"""Signed links in registrants' emails: cancel a place, confirm a waiting-list offer.

A token carries the registration's random key (never its id or the address) signed with
SECRET_KEY and a salt per purpose, as the newsletter's unsubscribe links are; a cancel
token cannot confirm an offer, and a forged or altered token is refused. Links need no
sign-in, so that one click from the email works on any device.
"""

from django.core import signing
from django.urls import reverse

from events.models import Registration
from network.mail import site_url

CANCEL = "events.cancel"
CONFIRM_OFFER = "events.confirm-offer"


class InvalidToken(Exception):
    """Forged, altered, or for no registration we know."""


def registration_token(registration: Registration, *, purpose: str) -> str:
    return signing.Signer(salt=purpose).sign(registration.key)


def registration_from_token(token: str, *, purpose: str) -> Registration:
    try:
        key = signing.Signer(salt=purpose).unsign(token)
    except signing.BadSignature as error:
        raise InvalidToken(str(error)) from error
    registration = Registration.objects.select_related("event", "user").filter(key=key).first()
    if registration is None:
        raise InvalidToken("no registration has this key")
    return registration


def cancel_url(registration: Registration) -> str:
    token = registration_token(registration, purpose=CANCEL)
    return site_url(reverse("events:link_cancel", kwargs={"token": token}))


def confirm_offer_url(registration: Registration) -> str:
    token = registration_token(registration, purpose=CONFIRM_OFFER)
    return site_url(reverse("events:link_confirm", kwargs={"token": token}))
