"""Charts as SVG: named for screen readers, nothing the strict CSP would block, and the
stylesheet that replaces pygal's inline one kept in step with it."""

import pytest
from lxml import etree

from sector_data.charts import (
    NARROW_HEIGHT,
    NARROW_WIDTH,
    STYLESHEET_PATH,
    chart_stylesheet,
    chart_svg,
)
from sector_data.models import ChartKind, Unit
from sector_data.selectors.chart_data import format_value
from sector_data.selectors.figures import chart_data, current_versions
from sector_data.selectors.places import Place
from tests.sector_data.factories import ChartFactory, mapped_dataset, upload
from tests.sector_data.helpers import page_tree, svg_element

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def drawn(chart, **place) -> etree._Element:
    version = current_versions([chart.measure.dataset_id]).get(chart.measure.dataset_id)
    data = chart_data(chart, version=version, place=Place(**place))
    return etree.fromstring(str(chart_svg(data, element_id=f"chart-{chart.pk}")))


@pytest.mark.parametrize("kind", [ChartKind.LINE, ChartKind.REGION_BARS, ChartKind.STACKED])
def test_the_svg_is_an_image_named_by_its_title_and_described_by_its_summary(homes_dataset, kind):
    chart = ChartFactory(
        title="Children's homes", kind=kind, measure=homes_dataset.measures.get(slug="homes")
    )

    svg = drawn(chart)

    title, desc = svg[0], svg[1]
    assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc")
    assert title.text == "Children's homes"
    assert desc.text.startswith(chart.get_kind_display())
    assert desc.text.endswith("Illustrative data, fictional councils.")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert len(svg.findall(f".//{SVG}title")) == 1
    assert len(svg.findall(f".//{SVG}desc")) == 1


def test_the_line_charts_summary_gives_each_places_first_and_last_figure(homes_dataset, northmoor):
    chart = ChartFactory(title="Homes", measure=homes_dataset.measures.get(slug="homes"))

    desc = drawn(chart, region=northmoor.region, council=northmoor)[1].text

    assert desc == (
        "Line over time of children's homes, 2022 to 2023. England: 22 in 2022, 26 in 2023. "
        "West Midlands: 15 in 2022, 18 in 2023. Northmoor (fictional): 10 in 2022, 12 in 2023. "
        "Illustrative data, fictional councils."
    )


@pytest.mark.parametrize("kind", [ChartKind.LINE, ChartKind.REGION_BARS, ChartKind.STACKED])
def test_the_svg_holds_nothing_the_content_security_policy_would_block(homes_dataset, kind):
    chart = ChartFactory(kind=kind, measure=homes_dataset.measures.get(slug="homes"))

    svg = drawn(chart)

    assert svg.findall(f".//{SVG}script") == []
    assert svg.findall(f".//{SVG}style") == []
    assert [e for e in svg.iter() if isinstance(e.tag, str) and "style" in e.attrib] == []
    assert [
        e.get("href")
        for e in svg.iter()
        if e.get("href") or e.get("{http://www.w3.org/1999/xlink}href")
    ] == []


def test_ids_inside_charts_are_unique_on_a_page(client, member, data_page):
    client.force_login(member)

    tree = page_tree(client.get(f"/data/{data_page.slug}/"))

    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids))


def test_each_chart_on_the_page_parses_as_svg_with_a_title_and_a_description(
    client, member, data_page
):
    client.force_login(member)
    tree = page_tree(client.get(f"/data/{data_page.slug}/"))

    for chart in data_page.charts.all():
        for element_id in (f"chart-{chart.pk}", f"chart-{chart.pk}-narrow"):
            svg = svg_element(tree, element_id)
            assert svg.find(f"{SVG}title").text == chart.title
            assert svg.find(f"{SVG}desc").text


def test_the_static_stylesheet_is_the_one_pygal_would_inline():
    # When this fails after changing the chart style or pygal: manage.py sector_data_chart_css
    assert STYLESHEET_PATH.read_text(encoding="utf-8") == chart_stylesheet()


def test_a_line_over_years_with_years_missing_keeps_to_scale_and_draws_no_line_through_them():
    dataset = mapped_dataset(
        columns=[("Year", "year", "", ""), ("Placed", "measure", "Placed", "count")]
    )
    upload(dataset, [["Year", "Placed"], ["2009", "2900"], ["2019", "6100"]])
    chart = ChartFactory(title="Unregulated placements", measure=dataset.measures.get())

    svg = drawn(chart)

    labels = [text.text for text in svg.iter(f"{SVG}text") if (text.text or "").startswith("20")]
    assert labels[:11] == [str(year) for year in range(2009, 2020)]
    points = {g.get("data-label"): g.get("data-value") for g in svg.iter() if g.get("data-value")}
    assert points == {"2009": "2,900", "2019": "6,100"}
    # Two separate points, not one path from 2009 to 2019.
    lines = [
        p
        for p in svg.iter(f"{SVG}path")
        if "line" in (p.get("class") or "").split() and "reactive" in (p.get("class") or "")
    ]
    assert all(p.get("d").count("L") == 0 for p in lines)


def test_a_phone_s_line_over_years_with_years_missing_writes_every_other_year():
    # "2009201020112012…" under the unregulated placements chart on a phone, before.
    dataset = mapped_dataset(
        columns=[("Year", "year", "", ""), ("Placed", "measure", "Placed", "count")]
    )
    upload(dataset, [["Year", "Placed"], ["2009", "2900"], ["2019", "6100"]])
    chart = ChartFactory(title="Unregulated placements", measure=dataset.measures.get())
    version = current_versions([dataset.pk])[dataset.pk]
    data = chart_data(chart, version=version, place=Place())

    svg = etree.fromstring(str(chart_svg(data, element_id="chart-1-narrow", narrow=True)))

    labels = [text.text for text in svg.iter(f"{SVG}text") if (text.text or "").startswith("20")]
    assert labels == [str(year) for year in range(2009, 2020, 2)]


def test_a_phone_s_line_writes_its_last_year_whole_inside_the_drawing():
    # "201" for 2019 at the right edge of the unregulated placements chart, before.
    dataset = mapped_dataset(
        columns=[("Year", "year", "", ""), ("Placed", "measure", "Placed", "count")]
    )
    upload(dataset, [["Year", "Placed"], ["2009", "2900"], ["2019", "6100"]])
    chart = ChartFactory(title="Unregulated placements", measure=dataset.measures.get())
    version = current_versions([dataset.pk])[dataset.pk]
    data = chart_data(chart, version=version, place=Place())

    svg = etree.fromstring(str(chart_svg(data, element_id="chart-1-narrow", narrow=True)))

    plot = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "plot")
    plot_left = float(plot.get("transform").removeprefix("translate(").split(",")[0])
    last = [text for text in svg.iter(f"{SVG}text") if text.text == "2019"][-1]
    # Centred on its point; digits at 15 px are at most about 0.64 em wide.
    half_width = len(last.text) * 0.64 * 15 / 2
    assert plot_left + float(last.get("x")) + half_width <= NARROW_WIDTH
    assert svg.get("viewBox") == f"0 0 {NARROW_WIDTH} {NARROW_HEIGHT}"


@pytest.mark.parametrize(
    ("value", "written"), [(4523.5, "£4,523.50"), (4523.47, "£4,523.47"), (1200.0, "£1,200")]
)
def test_an_amount_in_pounds_is_written_in_whole_pounds_or_with_its_pence(value, written):
    assert format_value(value, Unit.POUNDS) == written


def test_a_council_whose_figures_are_all_zero_is_not_said_to_have_none(northmoor):
    dataset = mapped_dataset()
    upload(
        dataset,
        [
            ["Year", "Region", "Council", "Homes", "Places"],
            ["2022", "West Midlands", "Northmoor", "0", "0"],
            ["2023", "West Midlands", "Northmoor", "0", "0"],
        ],
    )
    chart = ChartFactory(measure=dataset.measures.get(slug="homes"))
    version = current_versions([dataset.pk])[dataset.pk]

    data = chart_data(chart, version=version, place=Place(council=northmoor))

    assert data.series[-1].values == [0, 0]
    assert not any("no figures" in note for note in data.notes)
