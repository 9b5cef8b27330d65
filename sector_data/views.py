"""Data pages: the list by topic, a page with its charts and tables, a chart's CSV.

Thin views: read the filter from the query string (so a filtered page can be shared),
ask sector_data/access.py, build each chart's data once (selectors) and draw it (charts).
"""

from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from members import access as members_access
from sector_data import access
from sector_data.charts import chart_svg
from sector_data.exports import chart_csv_text
from sector_data.forms import PlaceForm
from sector_data.models import Chart, Council, DataPage
from sector_data.selectors import ENGLAND_ONLY, ChartData, Place, chart_data, current_versions


@dataclass
class ShownChart:
    data: ChartData
    svg: SafeString
    svg_narrow: SafeString
    element_id: str
    csv_url: str


def _place_query(place: Place) -> str:
    if place.council is not None:
        return urlencode({"council": place.council.slug})
    if place.region:
        return urlencode({"region": place.region})
    return ""


def _page_or_404(request: HttpRequest, slug: str) -> DataPage:
    data_page = get_object_or_404(DataPage.objects.select_related("topic"), slug=slug)
    if not access.can_see_page(request.user, data_page):
        raise Http404("No such data page.")
    return data_page


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    pages = DataPage.objects.select_related("topic").order_by("topic__order", "title")
    if not (members_access.is_editor(request.user) or members_access.is_staff(request.user)):
        pages = pages.published()
    topics = [(topic, list(items)) for topic, items in groupby(pages, key=lambda p: p.topic)]
    return render(
        request,
        "sector_data/index.html",
        {"topics": topics, "full": access.can_read_in_full(request.user)},
    )


@login_not_required
@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    data_page = _page_or_404(request, slug)
    full = access.can_read_in_full(request.user)
    charts = list(data_page.charts.select_related("measure__dataset"))
    versions = current_versions(chart.measure.dataset_id for chart in charts)
    form = None
    place = ENGLAND_ONLY
    own_council = None
    if full:
        councils = list(Council.objects.only("name", "slug", "region").order_by("region", "name"))
        form = PlaceForm(request.GET or None, councils=councils)
        place = form.place()
        if place.council is not None:
            # The form shows what the page shows: the council and its own region.
            form = PlaceForm(
                {"region": place.region, "council": place.council.slug}, councils=councils
            )
            form.is_valid()
        own_council = access.own_council(request.user)
    query = _place_query(place)
    shown = []
    # Visitors see the first chart (the teaser) for England; members every chart.
    for chart in charts if full else charts[:1]:
        data = chart_data(chart, version=versions.get(chart.measure.dataset_id), place=place)
        element_id = f"chart-{chart.pk}"
        csv_url = reverse("sector_data:chart_csv", kwargs={"slug": slug, "chart_id": chart.pk})
        shown.append(
            ShownChart(
                data=data,
                svg=chart_svg(data, element_id=element_id),
                svg_narrow=chart_svg(data, element_id=f"{element_id}-narrow", narrow=True),
                element_id=element_id,
                csv_url=f"{csv_url}?{query}" if query else csv_url,
            )
        )
    context = {
        "page": data_page,
        "charts": shown,
        "headline": shown[0].data.headline() if shown else None,
        "full": full,
        "hidden_charts": len(charts) - len(shown),
        "form": form,
        "place": place,
        "own_council": own_council,
        "related": list(data_page.related_resources.live().only("title", "slug", "summary")),
        "lapsed": members_access.is_lapsed(request.user) if not full else False,
    }
    return render(request, "sector_data/page.html", context)


@login_not_required
@require_GET
def chart_csv(request: HttpRequest, slug: str, chart_id: int) -> HttpResponse:
    data_page = _page_or_404(request, slug)
    chart = get_object_or_404(
        Chart.objects.select_related("measure__dataset"), pk=chart_id, page=data_page
    )
    if not access.can_download(request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return render(
            request,
            "members/join_required.html",
            {"lapsed": members_access.is_lapsed(request.user)},
            status=403,
        )
    councils = list(Council.objects.filter(slug=request.GET.get("council", "")))
    place = PlaceForm(request.GET or None, councils=councils).place()
    version = current_versions([chart.measure.dataset_id]).get(chart.measure.dataset_id)
    data = chart_data(chart, version=version, place=place)
    response = HttpResponse(chart_csv_text(data, place=place), content_type="text/csv")
    where = place.council.slug if place.council else (place.region or "england")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{chart.pk}-{where}.csv"'
    return response
