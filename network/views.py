"""Site-wide pages: home, about, contact, legal pages, health check, errors."""

import logging

from allauth.core.ratelimit import consume
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from forum import access as forum_access
from forum import selectors as forum_selectors
from forum import summaries as forum_summaries
from members import access
from network import home_cache
from network.celery import app as celery_app
from network.data_rights import retention_rules
from network.forms import ContactForm, written_back
from network.middleware import liveness_response
from network.services import contact_message_submit
from newsletter import selectors as newsletter_selectors
from newsletter.services import CONSENT_TEXT
from practice_library import selectors as library_selectors
from practice_library.models import Resource

logger = logging.getLogger(__name__)


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """Members get their own start page; everyone else the public page, with the next
    step for signed-in people who are not members (join, or renew)."""
    user = request.user
    if access.is_member(user):
        unread = forum_selectors.unread_followed_threads(user, limit=5)
        topic_ids = list(user.topics.values_list("pk", flat=True))
        return render(
            request,
            "network/home_member.html",
            {
                "membership": access.membership(user),
                "new_resources": library_selectors.new_resources_in_topics(
                    user, topic_ids=topic_ids, limit=5
                ),
                "has_topics": bool(topic_ids),
                "unread_threads": unread,
                "latest_threads": forum_selectors.latest_active_threads(
                    user, limit=5, exclude=[row.thread.pk for row in unread]
                ),
                "latest_edition": newsletter_selectors.latest_edition_for(user),
            },
        )
    if not user.is_authenticated:
        # Every visitor sees the same page: rendered once, kept in the cache.
        return home_cache.visitor_page(
            request,
            "network/home.html",
            lambda: {
                **_home_sections(user),
                "signup_newsletters": newsletter_selectors.newsletters_open_to(None),
                "signup_consent_text": CONSENT_TEXT,
                "lapsed": False,
            },
        )
    context = {
        **_home_sections(user),
        # The sign-up form offers the newsletters open to anyone, none ticked.
        "signup_newsletters": newsletter_selectors.newsletters_open_to(None),
        # The box's words are the ones a consent from this form records.
        "signup_consent_text": CONSENT_TEXT,
        "lapsed": access.is_lapsed(user),
        "work_links": _work_links(user),
    }
    return render(request, "network/home.html", context)


def _home_sections(user) -> dict:
    """The context of network/home_sections.html for someone who is not a member."""
    # Every published resource shows its title and summary to everyone (the teaser).
    context = {
        "latest_resources": list(
            Resource.objects.live().for_listing().order_by("-published_at")[:5]
        ),
    }
    # Titles only of threads the person may read; for people who may read no room
    # (visitors), numbers for the month so far and nothing from any room.
    forum_threads = forum_selectors.latest_active_threads(user, limit=5)
    if forum_threads:
        context["forum_threads"] = forum_threads
    else:
        month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        context["forum_activity"] = forum_summaries.forum_activity_since(month_start)
    return context


def _work_links(user) -> list[tuple[str, str]]:
    """Where staff, editors and moderators who are not members go from the home page:
    their work, rather than an invitation to join."""
    if not user.is_authenticated:
        return []
    links = []
    if access.is_staff(user) or access.is_editor(user):
        links.append(("The admin", reverse("admin:index")))
    if forum_access.is_forum_moderator(user):
        links.append(("The moderation queue", reverse("forum:moderation_queue")))
    return links


@login_not_required
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "network/about.html")


@login_not_required
def contact(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.name, "email": request.user.email}
    form = ContactForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.is_from_bot():
            # Answer as if it worked, so the bot learns nothing; store nothing.
            messages.success(request, "Thank you. Your message has been sent.")
            return redirect("contact")
        if not consume(request, action="contact"):
            form.add_error(
                None,
                "You have sent several messages in a short time. Please wait an hour and "
                "try again, or email us directly.",
            )
        else:
            contact_message_submit(
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                subject=form.cleaned_data["subject"],
                message=form.cleaned_data["message"],
            )
            messages.success(
                request,
                "Thank you. Your message has been sent; we usually reply within two working days.",
            )
            return redirect("contact")
    status = 400 if form.errors else 200
    return render(request, "network/contact.html", {"form": form}, status=status)


@login_not_required
def privacy(request: HttpRequest) -> HttpResponse:
    """The periods come from each app's personal_data.RETENTION, so the notice says
    what the retention task does."""
    context = {
        "retention_rules": retention_rules(),
        "deletion_grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
    }
    return render(request, "network/privacy.html", context)


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "network/accessibility.html")


# What crawlers are asked to leave alone: pages that answer a visitor only with the way
# to sign in (the admin, one's account, the forum, insight, My library, previews,
# billing), the sign-in forms themselves, and the personal links of newsletter emails.
# Public pages (the library and its files, events, sector data, the newsletter's
# archive) stay open to them.
ROBOTS_DISALLOWED = [
    "/admin/",
    "/account/",
    "/accounts/",
    "/billing/",
    "/forum/",
    "/insight/",
    "/library/my/",
    "/library/preview/",
    "/newsletter/confirm/",
    "/newsletter/preferences/",
    "/newsletter/unsubscribe/",
    "/newsletter/r/",
]


@login_not_required
@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Where crawlers need not go, and where the sitemap is."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED)]
    lines += ["", f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    cache.set("readyz", "ok", timeout=10)
    if cache.get("readyz") != "ok":
        raise RuntimeError("the cache did not return what was stored")


def _check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)


def _check_storage() -> None:
    storage = storages["protected"]
    if hasattr(storage, "bucket_name"):
        # Object storage: the bucket exists and lets us in (one cheap HEAD request).
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    else:
        # Local disk: a missing name is a fine answer; an unreadable disk raises.
        storage.exists("readyz")


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: this process answers requests. It asks nothing else (no database, no
    cache), so that a load balancer polling every web process often costs next to
    nothing, and a database outage does not make every process look dead at once.
    network.middleware.LivenessMiddleware answers first; this view is its URL's name."""
    return liveness_response()


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness, for deploys and the load balancer's decision to send traffic: 200 when
    the database, the cache, the file storage and (in service mode) the broker answer;
    503 naming the parts that do not."""
    checks = {"database": _check_database, "cache": _check_cache, "storage": _check_storage}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _check_broker
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"
            logger.error("readiness check failed part=%s error=%s", name, error)
            results[name] = "unavailable"
    failing = [name for name, result in results.items() if result != "ok"]
    body = {"status": "unavailable" if failing else "ok", "checks": results}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    # A refusal that explains itself (forum.views.MembersOnly) brings its own page.
    if hasattr(exception, "page_context"):
        context = exception.page_context(request)
        return render(request, exception.template_name, context, status=403)
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form came back without the security token this
    browser now holds (signed in or out in another tab since the page was opened, a page
    left open for days, cookies blocked). Said in the site's words and layout, with what
    was written shown back to be copied; Django logs the reason (django.security.csrf)."""
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return render(
        request,
        "403_csrf.html",
        {
            "written": written_back(request),
            "no_cookie": reason == REASON_NO_CSRF_COOKIE,
            "back": back,
        },
        status=403,
    )


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Render with the request so the page keeps the layout; fall back to the bare
    # template if the failure is in something the layout itself needs.
    try:
        return render(request, "500.html", status=500)
    except Exception:  # noqa: BLE001
        return HttpResponse(loader.get_template("500_plain.html").render(), status=500)
