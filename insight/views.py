"""Insight's pages: the staff dashboard (under /admin/, so the admin's sign-in and
two-factor rules apply) and an organisation's engagement, for its admins and for staff.
Thin views: the period from the query string, the figures from dashboard/ (through
figures.py) or engagement.py, a page or a CSV."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from insight import access
from insight.engagement import organisation_engagement
from insight.figures import cached, dashboard_panels
from insight.periods import period_from
from members.models import Organisation


def _csv_name(slug: str, period) -> str:
    return f"{slug}-{period.first:%Y-%m-%d}-to-{period.last:%Y-%m-%d}"


@staff_member_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    if not access.can_see_dashboard(request.user):
        raise Http404
    form, period, compared = period_from(request.GET)
    panels = dashboard_panels(period, compared)
    context = {
        "form": form,
        "period": period,
        "compared": compared,
        "panels": panels,
        "query": request.GET.urlencode(),
    }
    return render(request, "insight/dashboard.html", context)


@staff_member_required
@require_GET
def dashboard_csv(request: HttpRequest, slug: str) -> HttpResponse:
    if not access.can_see_dashboard(request.user):
        raise Http404
    _, period, compared = period_from(request.GET)
    panels = dashboard_panels(period, compared)
    table = next((t for _, tables in panels for t in tables if t.slug == slug), None)
    if table is None:
        raise Http404("No such table.")
    return table.csv_response(_csv_name(slug, period))


def _engagement(organisation: Organisation, period, compared):
    key = f"insight:organisation:{organisation.pk}:{period.key}:{bool(compared)}:{period.last}"
    return cached(key, lambda: organisation_engagement(organisation, period, compared))


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    # Someone else's organisation looks like no organisation.
    if not access.can_see_organisation_use(request.user, organisation):
        raise Http404("No such organisation.")
    return organisation


def _engagement_page(request: HttpRequest, organisation: Organisation, *, in_admin: bool):
    form, period, compared = period_from(request.GET)
    engagement = _engagement(organisation, period, compared)
    context = {
        "form": form,
        "period": period,
        "compared": compared,
        "organisation": organisation,
        "engagement": engagement,
        "tables": engagement.tables,
        "in_admin": in_admin,
        "query": request.GET.urlencode(),
    }
    return render(request, "insight/organisation.html", context)


@require_GET
def organisation_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _engagement_page(request, _organisation(request, slug), in_admin=False)


@require_GET
def organisation_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    _, period, compared = period_from(request.GET)
    found = _engagement(organisation, period, compared).table(table)
    if found is None:
        raise Http404("No such table.")
    return found.csv_response(_csv_name(f"{organisation.slug}-{table}", period))


@staff_member_required
@require_GET
def organisation_admin_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff preparing a renewal: the same report for any organisation."""
    if not access.can_see_dashboard(request.user):
        raise Http404
    return _engagement_page(request, get_object_or_404(Organisation, slug=slug), in_admin=True)
