"""When sending fails: retry later with a growing delay, suppress a hard bounce, and pause
an edition (telling the editors) after too many errors in a row. Digests share these rules."""

import logging
import re
import smtplib
from datetime import timedelta

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.urls import reverse
from django.utils import timezone

from members.access import EDITORS_GROUP
from network.mail import build_email
from newsletter import suppressions
from newsletter.models import Delivery, Edition, Subscriber, Suppression

logger = logging.getLogger(__name__)

State = Delivery.State


# What sending one message may fail with: the SMTP server's answers and lost connections,
# or, with an email service through django-anymail, its API failing or refusing the
# recipient (an address it will not mail, such as one that bounced before).
SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailAPIError, AnymailRecipientsRefused)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def smtp_code(error: Exception) -> int | None:
    if isinstance(error, AnymailRecipientsRefused):
        return 550  # the service refused the address for good, as a 550 would
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return codes[0] if codes else None
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code
    return None


def refuses_the_address(error: Exception) -> bool:
    """Was the address itself refused for good (a hard bounce), not the message?"""
    if isinstance(error, AnymailRecipientsRefused):
        return True
    code = smtp_code(error)
    return (
        isinstance(error, smtplib.SMTPRecipientsRefused) and code is not None and 500 <= code < 600
    )


def editors_notify(*, edition: Edition, reason: str) -> None:
    """Tell the editors (and the staff address) that an edition was paused."""
    editors = get_user_model().objects.filter(groups__name=EDITORS_GROUP, is_active=True)
    to = sorted({*editors.values_list("email", flat=True), *settings.STAFF_NOTIFICATION_EMAILS})
    path = reverse("admin:newsletter_edition_progress", args=[edition.pk])
    message = build_email(
        template="newsletter/emails/paused",
        context={"edition": edition, "reason": reason, "progress_url": settings.SITE_URL + path},
        subject=f"Newsletter sending paused: {edition.subject}",
        to=to,
    )
    try:
        message.send()
    except SEND_ERRORS as error:
        logger.error("could not tell editors edition %s paused: %s", edition.pk, error)


# Anything shaped like an email address: a refused recipient is named in the error.
_ADDRESS = re.compile(r"[^\s<>'\"(),:;{}\[\]]+@[^\s<>'\"(),:;{}\[\]]+")


def without_addresses(text: str) -> str:
    """An error as editors may read it: the subscribers' addresses are staff's."""
    return _ADDRESS.sub("(an address)", text)


def edition_pause_for_errors(edition: Edition, errors: int, last_error: str) -> None:
    # Shown on the progress page and emailed to every editor; the failed deliveries keep
    # the whole error, for the staff who may see them.
    reason = f"{errors} sending errors in a row; the last was: {without_addresses(last_error)}"
    reason = reason[:300]
    paused = Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING).update(
        status=Edition.Status.PAUSED, pause_reason=reason
    )
    if paused:
        logger.error("edition %s paused: %s", edition.pk, reason)
        editors_notify(edition=edition, reason=reason)


_email_validator = EmailValidator()


def valid_address(address: str) -> bool:
    try:
        _email_validator(address)
    except ValidationError:
        return False
    return True


def subscriber_suppress_hard_bounce(*, subscriber_id: int) -> None:
    """A hard bounce: never mail the address again until it confirms afresh."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id)
    subscriber.exclude(state=Subscriber.State.COMPLAINED).update(
        state=Subscriber.State.BOUNCED, bounced_at=timezone.now()
    )
    for email in subscriber.values_list("email", flat=True):
        suppressions.suppression_record(email=email, reason=Suppression.Reason.BOUNCED)
