"""Data pages: the list by topic, a page with its charts and tables, a chart's CSV.

Thin views: read the filter from the query string (so a filtered page can be shared),
ask sector_data/access.py, build each chart's data once (selectors) and draw it (charts).
"""

from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from members import access as members_access
from members.models import Region
from sector_data import access, caching
from sector_data.charts import chart_svg
from sector_data.exports import chart_csv_text
from sector_data.forms import PlaceForm, council_options
from sector_data.models import Chart, Council, DataPage
from sector_data.selectors.chart_data import ChartData
from sector_data.selectors.figures import chart_data, current_versions
from sector_data.selectors.places import ENGLAND_ONLY, Place


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
    councils = []
    place = ENGLAND_ONLY
    own_council = None
    if full:
        councils = caching.filter_councils()
        form = PlaceForm(request.GET or None, councils=councils)
        place = form.place()
        own_council = access.own_council(request.user)
    query = _place_query(place)
    # Visitors see the first chart (the teaser) for England; members every chart.
    shown_charts = charts if full else charts[:1]
    drawn = _drawn_charts(request, shown_charts, versions, place, query=query, full=full)
    context = {
        "page": data_page,
        "charts": [entry["html"] for entry in drawn],
        "headline": drawn[0]["headline"] if drawn else None,
        "illustrative": drawn[0]["illustrative"] if drawn else False,
        "full": full,
        "hidden_charts": len(charts) - len(shown_charts),
        "form": form,
        "regions": Region.choices,
        "council_options": (
            council_options(councils, place.council.slug if place.council else "") if full else ""
        ),
        "place": place,
        "own_council": own_council,
        "related": list(data_page.related_resources.live().only("title", "slug", "summary")),
        "lapsed": members_access.is_lapsed(request.user) if not full else False,
    }
    return render(request, "sector_data/page.html", context)


def _drawn_charts(
    request: HttpRequest,
    charts: list[Chart],
    versions: dict,
    place: Place,
    *,
    query: str,
    full: bool,
) -> list[dict]:
    """Each chart's section of the page (SVGs, summary, table) and headline, from the
    cache when nothing it is made from has changed (sector_data/caching.py)."""
    generation = caching.generation()
    place_key = place.council.slug if place.council else place.region
    keys = {}
    for chart in charts:
        version = versions.get(chart.measure.dataset_id)
        keys[chart.pk] = (
            f"sector_data:chart:{generation}:{chart.pk}:{version.pk if version else 0}:"
            f"{place_key}:{int(full)}"
        )
    found = cache.get_many(keys.values())
    missing = {}
    for chart in charts:
        key = keys[chart.pk]
        if key in found:
            continue
        data = chart_data(chart, version=versions.get(chart.measure.dataset_id), place=place)
        element_id = f"chart-{chart.pk}"
        csv_url = reverse(
            "sector_data:chart_csv", kwargs={"slug": chart.page.slug, "chart_id": chart.pk}
        )
        item = ShownChart(
            data=data,
            svg=chart_svg(data, element_id=element_id),
            svg_narrow=chart_svg(data, element_id=f"{element_id}-narrow", narrow=True),
            element_id=element_id,
            csv_url=f"{csv_url}?{query}" if query else csv_url,
        )
        html = render_to_string(
            "sector_data/includes/chart.html", {"item": item, "full": full}, request=request
        )
        missing[key] = {
            "html": mark_safe(html),
            "headline": data.headline(),
            "illustrative": data.illustrative,
        }
    if missing:
        cache.set_many(missing, caching.CHART_TIMEOUT)
    return [found.get(keys[chart.pk]) or missing[keys[chart.pk]] for chart in charts]


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
    # The byte order mark tells Excel the file is UTF-8 (a "£" or a council's accented
    # name otherwise opens garbled).
    response = HttpResponse(
        "\ufeff" + chart_csv_text(data, place=place), content_type="text/csv; charset=utf-8"
    )
    where = place.council.slug if place.council else (place.region or "england")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{chart.pk}-{where}.csv"'
    return response
