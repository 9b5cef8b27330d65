"""What every visitor (not signed in) sees on the home page, rendered once and kept in
the shared cache: the latest resources, the forum's numbers for the month and the next
events, and the newsletters the sign-up form offers.

Only the sections that are the same for every visitor are kept, never the page around
them: that page carries a CSP nonce and a CSRF token of its own on every response, and
says "Sign in" or who is signed in. Signed-in people (members or not) never get what is
kept here: their sections depend on who they are, and the view never asks this module
for them.

Kept for HOME_PUBLIC_CACHE_SECONDS at most, and dropped at once when a resource, an
event or a newsletter is saved or deleted (anywhere: a web node, a worker, the admin),
so that a published resource shows at once; the forum's monthly numbers may be that
many seconds behind.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# Saving or deleting one of these changes what a visitor's home page lists.
SHOWN_ON_THE_HOME_PAGE = ("practice_library.Resource", "events.Event", "newsletter.Newsletter")


def cache_key() -> str:
    return f"home:public:v1:site{settings.SITE_ID}:{get_language()}"


def public_home(request: HttpRequest, *, sections, signup_newsletters) -> dict:
    """The cached sections (`public_sections`, safe HTML) and `signup_newsletters` for a
    visitor. When the cache has none, they are built by the view's own functions:
    `sections(user)` gives the context of network/home_sections.html and
    `signup_newsletters()` the newsletters the sign-up form offers."""
    kept = cache.get(cache_key())
    if kept is None:
        html = render_to_string(
            "network/home_sections.html", sections(request.user), request=request
        )
        kept = {"public_sections": str(html), "signup_newsletters": signup_newsletters()}
        cache.set(cache_key(), kept, timeout=settings.HOME_PUBLIC_CACHE_SECONDS)
    sections_html: SafeString = mark_safe(kept["public_sections"])
    return {"public_sections": sections_html, "signup_newsletters": kept["signup_newsletters"]}


def forget(**kwargs) -> None:
    cache.delete(cache_key())


def connect_signals() -> None:
    """Called from NetworkConfig.ready(): models named by label, so that network imports
    no app."""
    for label in SHOWN_ON_THE_HOME_PAGE:
        post_save.connect(forget, sender=label, dispatch_uid=f"home-cache-save-{label}")
        post_delete.connect(forget, sender=label, dispatch_uid=f"home-cache-delete-{label}")
