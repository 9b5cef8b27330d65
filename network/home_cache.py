"""The home page as every visitor (not signed in) sees it, rendered once and kept in the
shared cache: the latest resources, the forum's numbers for the month, the next events,
and the newsletters the sign-up form offers, in the page around them.

Two parts of that page are each visitor's own and are never kept: the CSRF token of the
sign-up form and the CSP nonce of the page's script. The page is kept with placeholders
where they stand, and each response fills in the visitor's own (the same values Django's
{% csrf_token %} and the CSP middleware give), so serving it renders no template and
reads no database. A visitor with a message waiting (after signing out, say) gets the
page rendered for them, since the message is theirs alone. Signed-in people (members
or not) never get what is kept here: their page depends on who they are, and the view
never asks this module for it.

Kept for HOME_PUBLIC_CACHE_SECONDS at most, and dropped at once when a resource, an
event or a newsletter is saved or deleted (anywhere: a web node, a worker, the admin),
so that a published resource shows at once; the forum's monthly numbers may be that
many seconds behind. The key names the static files' manifest, so that a deploy never
serves a page pointing at the previous release's CSS and JavaScript.

Each web process also holds the page it last read from the shared cache for
HELD_SECONDS, so that most visitors' requests cost no round trip to the cache (which
cost as much as the rest of such a request). A change made in one process drops that
process's copy at once; the other processes show it within HELD_SECONDS.
"""

import time
from collections.abc import Callable
from functools import cache as once

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

# Saving or deleting one of these changes what a visitor's home page lists.
SHOWN_ON_THE_HOME_PAGE = ("practice_library.Resource", "events.Event", "newsletter.Newsletter")

# Stand-ins kept in the cached page where each visitor's own values go; characters that
# never occur in a rendered page (a NUL cannot be typed into any field that ends up here).
CSRF_TOKEN_PLACEHOLDER = "\x00csrf-token\x00"
NONCE_PLACEHOLDER = "\x00csp-nonce\x00"

# How long a web process serves the page it read from the shared cache before reading it
# again: a published resource reaches every visitor within this many seconds.
HELD_SECONDS = 2.0

# (cache key, monotonic time the copy expires, page): replaced whole, never changed in
# place, so the threads of one process read it without a lock.
_held: tuple[str, float, str] | None = None


@once
def _release() -> str:
    """What names this release's static files: the manifest's hash where there is one."""
    return getattr(staticfiles_storage, "manifest_hash", "") or "-"


def cache_key() -> str:
    return f"home:visitor:v2:site{settings.SITE_ID}:{get_language()}:{_release()}"


def visitor_page(
    request: HttpRequest, template_name: str, context: Callable[[], dict]
) -> HttpResponse:
    """The home page for a visitor: from the cache, with this visitor's own CSRF token and
    CSP nonce, or rendered from `context()` (the template's context) and kept."""
    if len(messages.get_messages(request)):
        return HttpResponse(render_to_string(template_name, context(), request=request))
    page = kept_page()
    if page is None:
        rendered = render_to_string(
            template_name, {**context(), "csrf_token": CSRF_TOKEN_PLACEHOLDER}, request=request
        )
        page = rendered.replace(str(request.csp_nonce), NONCE_PLACEHOLDER)
        key = cache_key()
        cache.set(key, page, timeout=settings.HOME_PUBLIC_CACHE_SECONDS)
        _hold(key, page)
    return kept_page_response(request, page)


def kept_page() -> str | None:
    """The kept page (with placeholders), from this process's copy while it is fresh,
    else from the shared cache; None when neither has it."""
    key = cache_key()
    held = _held
    if held is not None and held[0] == key and time.monotonic() < held[1]:
        return held[2]
    page = cache.get(key)
    if page is not None:
        _hold(key, page)
    return page


def _hold(key: str, page: str) -> None:
    global _held
    _held = (key, time.monotonic() + HELD_SECONDS, page)


def kept_page_response(request: HttpRequest, page: str) -> HttpResponse:
    """The kept page with this visitor's own CSP nonce and CSRF token filled in."""
    if NONCE_PLACEHOLDER in page:
        page = page.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
    if CSRF_TOKEN_PLACEHOLDER in page:
        # get_token also has the CSRF middleware set the cookie the token belongs to.
        page = page.replace(CSRF_TOKEN_PLACEHOLDER, get_token(request))
    return HttpResponse(page)


def forget(**kwargs) -> None:
    drop_held_copy()
    cache.delete(cache_key())


def drop_held_copy() -> None:
    """Forget this process's copy (the shared cache's is untouched)."""
    global _held
    _held = None


def connect_signals() -> None:
    """Called from NetworkConfig.ready(): models named by label, so that network imports
    no app."""
    for label in SHOWN_ON_THE_HOME_PAGE:
        post_save.connect(forget, sender=label, dispatch_uid=f"home-cache-save-{label}")
        post_delete.connect(forget, sender=label, dispatch_uid=f"home-cache-delete-{label}")
