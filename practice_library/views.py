"""Library pages: search, a resource, downloads, My library, and editors' previews.

Thin views: read input, ask members/access.py and practice_library/access.py (through
the services that count free reads), call a service, render.
"""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from members import access
from network.activity import (
    LIBRARY_SEARCH_EMPTY,
    RESOURCE_DOWNLOAD,
    RESOURCE_VIEW,
    activity_record,
)
from network.files import protected_file_response, safe_filename
from practice_library import services
from practice_library.models import Attachment, Bookmark, RecentRead, Resource
from practice_library.search import SORTS, Library, search_body_cached

logger = logging.getLogger(__name__)

RECENT_READS_SHOWN = 10


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    def search_body() -> dict:
        library = Library(request.GET)
        page = library.page()
        found_nothing = bool(library.params.q) and not page.object_list
        context = {
            "params": library.params,
            "page": page,
            "facets": library.facets(),
            "approximate": library.approximate,
            "total_estimated": library.total_estimated,
            "active_filters": library.active_filters(),
            "sorts": SORTS,
            "sort": library.sort,
            "page_query": library.params.querystring(),
            # Why nothing was found, asked only then.
            "too_common": found_nothing
            and not page.paginator.count
            and library.only_common_words(),
        }
        return {
            "q": library.params.q,
            # Words the library lacks, not words too common to search on.
            "found_nothing": found_nothing and not context["too_common"],
            # Rendered without the request: nothing of the reader can reach it.
            "html": render_to_string("practice_library/includes/search_body.html", context),
        }

    body = search_body_cached(request.GET, search_body)
    if body["found_nothing"]:
        # What members look for and the library lacks (the words only, not who).
        activity_record(LIBRARY_SEARCH_EMPTY, term=body["q"].strip().lower())
    return render(
        request,
        "practice_library/index.html",
        # Our own template's output, escaped when it was rendered.
        {"q": body["q"], "search_body": mark_safe(body["html"])},
    )


def _resource_for_page(request: HttpRequest, **lookup) -> Resource:
    queryset = Resource.objects.select_related(
        "resource_type", "young_person_version"
    ).prefetch_related(
        "topics",
        "audiences",
        "attachments",
        Prefetch("related", queryset=Resource.objects.live().for_listing()),
        Prefetch(
            "young_person_version_of",
            queryset=Resource.objects.live().only("title", "slug", "young_person_version_id"),
        ),
    )
    resource = get_object_or_404(queryset, **lookup)
    if not resource.is_live and not (
        access.is_editor(request.user) or access.is_staff(request.user)
    ):
        raise Http404("No such resource.")
    return resource


def _detail_context(request: HttpRequest, resource: Resource, reading: services.Reading) -> dict:
    young_person_version = resource.young_person_version
    if young_person_version is not None and not young_person_version.is_live:
        young_person_version = None
    bookmarked = (
        request.user.is_authenticated
        and Bookmark.objects.filter(user=request.user, resource=resource).exists()
    )
    return {
        "resource": resource,
        "reading": reading,
        "topics": resource.topics.all(),
        "audiences": resource.audiences.all(),
        "attachments": resource.attachments.all(),
        "related": resource.related.all(),
        "young_person_version": young_person_version,
        "young_person_original": next(iter(resource.young_person_version_of.all()), None),
        "bookmarked": bookmarked,
        "is_member": access.is_member(request.user),
        "lapsed": access.is_lapsed(request.user) if not reading.allowed else False,
    }


@login_not_required
@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _resource_for_page(request, slug=slug)
    reading = services.resource_open(user=request.user, resource=resource)
    if reading.allowed:
        activity_record(RESOURCE_VIEW, user=request.user, subject_id=resource.pk)
    return render(
        request, "practice_library/detail.html", _detail_context(request, resource, reading)
    )


@require_GET
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Editors see a resource (also a draft) as a member or a non-member would."""
    if not (access.is_editor(request.user) or access.is_staff(request.user)):
        raise PermissionDenied
    resource = _resource_for_page(request, pk=pk)
    viewer = request.GET.get("as", "member")
    per_month = settings.LIBRARY_FREE_READS_PER_MONTH
    if viewer == "member":
        reading = services.Reading(allowed=True)
    elif viewer == "registered":
        allowed = resource.access_level != access.AccessLevel.MEMBERS
        reading = services.Reading(
            allowed=allowed, free_reads_left=0, free_reads_per_month=per_month
        )
    else:
        viewer = "anonymous"
        reading = services.Reading(
            allowed=resource.access_level == access.AccessLevel.PUBLIC,
            free_reads_per_month=per_month,
        )
    context = _detail_context(request, resource, reading)
    context.update({"preview_as": viewer, "is_member": viewer == "member", "bookmarked": False})
    return render(request, "practice_library/detail.html", context)


@login_not_required
@require_GET
def download(request: HttpRequest, slug: str, attachment_id: int) -> HttpResponse:
    resource = _resource_for_page(request, slug=slug)
    attachment = get_object_or_404(Attachment, pk=attachment_id, resource=resource)
    reading = services.resource_open(user=request.user, resource=resource)
    if not reading.allowed:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return render(
            request,
            "practice_library/download_refused.html",
            {"resource": resource, "reading": reading, "lapsed": access.is_lapsed(request.user)},
            status=403,
        )
    try:
        response = protected_file_response(
            request,
            attachment.file,
            filename=safe_filename(attachment.original_filename, extension=attachment.extension),
            content_type=attachment.content_type,
        )
    except FileNotFoundError:
        logger.error(
            "library attachment file missing from storage attachment=%s resource=%s path=%s",
            attachment.pk,
            resource.pk,
            attachment.file.name,
        )
        return render(
            request,
            "practice_library/download_unavailable.html",
            {"resource": resource, "attachment": attachment},
            status=404,
        )
    services.attachment_count_download(attachment_id=attachment.pk)
    activity_record(RESOURCE_DOWNLOAD, user=request.user, subject_id=resource.pk)
    return response


def my_library(request: HttpRequest) -> HttpResponse:
    bookmarks = (
        Bookmark.objects.filter(user=request.user, resource__in=Resource.objects.live())
        .select_related("resource__resource_type")
        .order_by("-created_at")
    )
    recent = (
        RecentRead.objects.filter(user=request.user, resource__in=Resource.objects.live())
        .select_related("resource__resource_type")
        .order_by("-read_at")[:RECENT_READS_SHOWN]
    )
    left, _ = services.free_reads_status(user=request.user)
    context = {
        "bookmarks": bookmarks,
        "recent": recent,
        "is_member": access.is_member(request.user),
        "free_reads_left": left,
    }
    return render(request, "practice_library/my_library.html", context)


@require_POST
def bookmark_add(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.live(), slug=slug)
    services.bookmark_add(user=request.user, resource=resource)
    return redirect(_next_or(request, resource.get_absolute_url()))


@require_POST
def bookmark_remove(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    services.bookmark_remove(user=request.user, resource=resource)
    return redirect(_next_or(request, resource.get_absolute_url()))


def _next_or(request: HttpRequest, default: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
