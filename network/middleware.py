import logging
import re
import time
import uuid

from allauth.usersessions import app_settings as usersessions_settings
from allauth.usersessions.models import UserSession
from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control, patch_vary_headers

from network import home_cache

logger = logging.getLogger("network.requests")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Parts of a URL that work as a credential: a password reset or address confirmation
# key, the token of an invitation, a data download, an unsubscribe or a place's link.
# The log is read by more people and services than ever see those emails, and a key
# logged before it is used opens the account, so the log names the part instead.
_SECRET_URL_PARTS = ("token", "key")


class LivenessMiddleware:
    """Answers the liveness check (GET /healthz) before the session, user, CSRF and
    messages middleware: placed after the ones that log the request and set the security
    headers, which every response carries.

    A load balancer polls each web process every few seconds: the answer only says that
    this process takes requests, so it needs nothing below. Django's request signals
    still fire (the handler runs), so work done at the end of a request happens as on
    any page. The view of the same name gives the same answer to anything that reaches
    it past this middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return liveness_response()
        return self.get_response(request)


def liveness_response() -> HttpResponse:
    response = HttpResponse(b'{"status": "ok"}', content_type="application/json")
    # Never kept by a proxy or browser: a stale "ok" would hide a dead process.
    response["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
    # What XFrameOptionsMiddleware, further down the stack, sets on every other response.
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response


class VisitorHomeMiddleware:
    """Serves the visitors' home page, when the cache holds it, before the session, user,
    messages and account middleware: placed after the ones that log the request and set
    the security headers (and the CSP nonce the page carries).

    Only a request that is certainly a visitor's takes this way: a GET of / with neither
    a session cookie (nobody is signed in without one) nor a messages cookie (a message
    waiting is that visitor's alone, and the view renders it). Django's CSRF middleware
    still runs around it, so the visitor's CSRF cookie is read, or made and set, exactly
    as on the view's way. On a cache miss, or for anyone else, the request goes down the
    stack to the view, which renders and keeps the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.with_csrf = CsrfViewMiddleware(self._kept_page)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path_info == "/"
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES
        ):
            page = home_cache.kept_page()
            if page is not None:
                request.kept_visitor_page = page
                response = self.with_csrf(request)
                # What the middleware further down would have added.
                patch_vary_headers(response, ("Cookie",))
                response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
                return response
        return self.get_response(request)

    @staticmethod
    def _kept_page(request: HttpRequest) -> HttpResponse:
        return home_cache.kept_page_response(request, request.kept_visitor_page)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy put together once per process.

    django-csp builds the header from the settings on every response, copying every
    directive, and does it again for a report-only policy the site does not set: on a
    kept page that was as much work as filling in the page. The site's policy is the
    same on every response but for the nonce, so it is built once with a placeholder
    where the nonce goes. A response with anything of its own (a view's csp_update,
    an exemption, a header already set) or settings this does not cover (a report-only
    policy, excluded prefixes, DEBUG) takes django-csp's way.
    """

    _OWN = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_exempt",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt_ro",
    )
    _NONCE = "\x00nonce\x00"

    def __init__(self, get_response):
        super().__init__(get_response)
        # (the settings' policy it was built from, with the nonce's placeholder, without)
        self._built: tuple[object, str, str] | None = None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if (
            settings.DEBUG
            or not policy
            or policy.get("EXCLUDE_URL_PREFIXES")
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or CSP_HEADER in response
            or any(hasattr(response, name) for name in self._OWN)
        ):
            return super().process_response(request, response)
        built = self._built
        if built is None or built[0] is not policy:
            built = self._built = (policy, build_policy(nonce=self._NONCE), build_policy())
        nonce = getattr(request, "_csp_nonce", None)
        if nonce is None:
            response[CSP_HEADER] = built[2]
            # As django-csp does: a nonce asked for after the header is written would
            # be in the page and not in the header.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        else:
            response[CSP_HEADER] = built[1].replace(self._NONCE, nonce)
        return response


class RequestLogMiddleware:
    """One log line per request: id, method, path, status, duration and user id.

    The id comes from the proxy's X-Request-ID when it looks sane, so a request can be
    followed from the load balancer to the application; otherwise it is made here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        began = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else "-"
        logger.info(
            "request id=%s method=%s path=%s status=%s ms=%.1f user=%s",
            request.id,
            request.method,
            logged_path(request),
            response.status_code,
            (time.perf_counter() - began) * 1000,
            user_id,
        )
        response["X-Request-ID"] = request.id
        return response


def _credentials_in_address(request: HttpRequest) -> dict[str, str]:
    """The parts of the request's URL that work as a credential (_SECRET_URL_PARTS)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {}
    return {name: str(match.kwargs[name]) for name in _SECRET_URL_PARTS if match.kwargs.get(name)}


def logged_path(request: HttpRequest) -> str:
    """The request's path with the URL's credentials (_SECRET_URL_PARTS) named, not
    written: "/newsletter/unsubscribe/<token>/"."""
    path = request.path
    for name, value in _credentials_in_address(request).items():
        path = path.replace(value, f"<{name}>")
    return path


class TextCompressionMiddleware(GZipMiddleware):
    """Django's gzip compression of pages and feeds, for the browsers that ask.

    A thread page of 20 posts is about 50 kB of HTML and 6 kB compressed; on a phone's
    connection that is the larger part of the wait. Compressed here rather than at the
    proxy: Django's compression pads each response by a random length, which keeps a
    page's size from telling an attacker whether a guess matched a secret on it (the
    BREACH attack; CSRF tokens are masked anyway), and every deployment gets it, whatever
    load balancer stands in front.

    Files are left as they are, whatever their type: anything sent with a
    Content-Disposition (a stored CSV as much as a PDF, an export, a calendar) keeps its
    bytes and its Content-Length, and static files come from WhiteNoise compressed when
    they were collected. Of the rest, only text types are compressed: images are already.
    The visitors' home page, served whole from the cache above this middleware, goes as
    it is kept (settings.MIDDLEWARE says why).
    """

    COMPRESSED_TYPES = (
        "text/",
        "application/json",
        "application/xml",
        "application/atom+xml",
        "application/rss+xml",
        "application/javascript",
        "image/svg+xml",
    )

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            isinstance(response, FileResponse)
            or "Content-Disposition" in response
            or not response.get("Content-Type", "").startswith(self.COMPRESSED_TYPES)
        ):
            return response
        return super().process_response(request, response)


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class PrivatePagesMiddleware:
    """Marks every response to a signed-in person `Cache-Control: private`, so that no
    shared cache (a council's proxy, a CDN put in front of the site) keeps it.

    Such a page carries the person's name and membership, and often what only members
    may read; `Vary: Cookie` alone leaves it to each cache to honour, and some ignore it.
    So is a page opened from an emailed link with a token (newsletter preferences, an
    invitation, a place at an event): it shows that person's address, name and choices
    to whoever holds the link, signed in or not. Other visitors' pages are the same for
    everyone and are left as they are: a request without a session cookie is a
    visitor's (nobody is signed in without one), and is answered without reading a
    session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _credentials_in_address(request):
            patch_cache_control(response, private=True)
            return response
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response


class UserSessionActivityMiddleware:
    """allauth's record of each signed-in session (its IP address, browser and when it was
    last seen, listed on the account's sessions page), written at most once every
    USERSESSIONS_SEEN_EVERY_SECONDS a session rather than on every request.

    allauth's own middleware wrote it on every page: five queries and a commit, the
    largest part of a signed-in page's queries. A cache key per session says it was
    written lately; signing in always writes it (allauth's user_logged_in handler).

    Each process also remembers, for the same interval, the sessions it has asked the
    cache about, and does not ask again meanwhile: a member's pages then cost no round
    trip to Redis for this (about 75 µs each). The record lags by at most twice the
    interval (a process that found the key already set waits out its own interval).
    """

    # Past this many sessions a process forgets them all rather than grow.
    REMEMBERED_AT_MOST = 10_000

    def __init__(self, get_response):
        self.get_response = get_response
        # session key -> time.monotonic() until which this process does not ask again
        self._asked_until: dict[str, float] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            usersessions_settings.TRACK_ACTIVITY
            and session is not None
            and session.session_key
            and user is not None
            and user.is_authenticated
            and self._first_ask_lately(session.session_key)
            and cache.add(
                f"usersession-seen:{session.session_key}",
                1,
                settings.USERSESSIONS_SEEN_EVERY_SECONDS,
            )
        ):
            UserSession.objects.create_from_request(request)
        return self.get_response(request)

    def _first_ask_lately(self, session_key: str) -> bool:
        now = time.monotonic()
        if self._asked_until.get(session_key, 0.0) > now:
            return False
        if len(self._asked_until) >= self.REMEMBERED_AT_MOST:
            self._asked_until = {}
        self._asked_until[session_key] = now + settings.USERSESSIONS_SEEN_EVERY_SECONDS
        return True
