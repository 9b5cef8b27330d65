"""The email service's webhooks (django-anymail): bounces, complaints and mail to the
unsubscribe address. Only the service named by ANYMAIL_WEBHOOK_ESP is mounted, and its
webhooks are refused unless ANYMAIL["WEBHOOK_SECRET"] is set: without the secret anyone
could post a forged bounce and stop a subscriber's mail.
"""

import logging
from collections.abc import Callable
from functools import wraps

from anymail import urls as anymail_urls
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)


def guarded(view: Callable) -> Callable:
    """Refuse a webhook while no secret is configured, and answer a payload the service
    did not send (malformed JSON, missing fields) with 400 rather than a server error."""

    @login_not_required
    @csrf_exempt
    @wraps(view)
    def webhook(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            logger.error("email webhook refused: ANYMAIL WEBHOOK_SECRET is not set")
            return HttpResponse(
                "Webhooks are not configured.", status=403, content_type="text/plain"
            )
        try:
            return view(request, *args, **kwargs)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            logger.warning("email webhook with a malformed payload: %r", error)
            return HttpResponseBadRequest("Malformed webhook payload.")

    return webhook


def urlpatterns_for(esp: str) -> list[URLPattern]:
    """The anymail patterns of one email service, each guarded."""
    patterns = []
    for pattern in anymail_urls.urlpatterns:
        if str(pattern.pattern).startswith(f"{esp}/"):
            patterns.append(
                URLPattern(
                    pattern.pattern, guarded(pattern.callback), pattern.default_args, pattern.name
                )
            )
    return patterns
