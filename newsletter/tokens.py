"""Signed tokens in links: the only credential for preferences, unsubscribe and confirmation.

A token carries the subscriber's random key (never the id or the address) and a signature
made with SECRET_KEY and a salt per purpose, so a preferences token cannot unsubscribe and a
forged or altered token is refused. Confirmation links also expire.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from newsletter.models import Subscriber

PREFERENCES = "newsletter.preferences"
UNSUBSCRIBE = "newsletter.unsubscribe"
CONFIRM = "newsletter.confirm"


class InvalidToken(Exception):
    """Forged, altered, expired or for nobody we know."""


def signer(purpose: str) -> signing.Signer:
    if purpose == CONFIRM:
        return signing.TimestampSigner(salt=purpose)
    return signing.Signer(salt=purpose)


def make_token(key: str, *, purpose: str) -> str:
    return signer(purpose).sign(key)


def subscriber_token(subscriber: Subscriber, *, purpose: str) -> str:
    return make_token(subscriber.key, purpose=purpose)


def subscriber_from_token(token: str, *, purpose: str) -> Subscriber:
    try:
        if purpose == CONFIRM:
            max_age = timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS)
            key = signing.TimestampSigner(salt=purpose).unsign(token, max_age=max_age)
        else:
            key = signing.Signer(salt=purpose).unsign(token)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise InvalidToken(str(error)) from error
    subscriber = Subscriber.objects.filter(key=key).first()
    if subscriber is None:
        raise InvalidToken("no subscriber has this key")
    return subscriber


LINK = "newsletter.link"


def link_token(*, edition_id: int, url: str) -> str:
    """The signed `<link>` part of /newsletter/r/<edition>/<link>/: the target URL, bound
    to the edition, so the redirect goes only where an edition's editor linked to."""
    # No timestamp: the same edition renders the same links every time (previews match).
    return signing.Signer(salt=f"{LINK}.{edition_id}").sign_object(url, compress=True)


def link_target(*, edition_id: int, token: str) -> str:
    try:
        url = signing.Signer(salt=f"{LINK}.{edition_id}").unsign_object(token)
    except signing.BadSignature as error:
        raise InvalidToken(str(error)) from error
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise InvalidToken("not a web address")
    return url
