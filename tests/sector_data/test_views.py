"""Data pages as readers get them: the same numbers in each chart, its table and its CSV;
filters by region and council in the address; a teaser for visitors; downloads for
members; a fixed number of queries."""

import codecs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html

from members.models import Organisation
from sector_data.models import ILLUSTRATIVE_LABEL, Council, Licence
from tests.sector_data.factories import ChartFactory, CouncilFactory, DataPageFactory, upload
from tests.sector_data.helpers import (
    chart_ids,
    csv_numbers,
    has_legend,
    page_tree,
    svg_numbers,
    table_numbers,
)

pytestmark = pytest.mark.django_db


def page_url(page, **query) -> str:
    url = reverse("sector_data:page", kwargs={"slug": page.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def chart_csv(client, page, chart_id: str, query: str = "") -> str:
    url = reverse(
        "sector_data:chart_csv",
        kwargs={"slug": page.slug, "chart_id": chart_id.removeprefix("chart-")},
    )
    response = client.get(url + query)
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    "query", ["", "?region=west-midlands", "?council=northmoor", "?region=north-east"]
)
def test_every_charts_numbers_equal_its_tables_and_its_csvs(client, member, data_page, query):
    client.force_login(member)
    tree = page_tree(client.get(page_url(data_page) + query))

    ids = chart_ids(tree)
    assert len(ids) == 3
    assert svg_numbers(tree, ids[0]), "the first chart draws figures"
    for element_id in ids:
        named = has_legend(tree, element_id)  # one series: no legend, no names to match
        drawn = svg_numbers(tree, element_id)
        tabled = table_numbers(tree, element_id, with_names=named)
        downloaded = csv_numbers(chart_csv(client, data_page, element_id, query), with_names=named)
        assert drawn == tabled == downloaded, element_id


def test_a_council_is_shown_beside_its_region_and_england(client, member, data_page):
    client.force_login(member)

    tree = page_tree(client.get(page_url(data_page, council="northmoor")))

    homes = table_numbers(tree, chart_ids(tree)[0])
    assert homes == {
        ("England", "2022"): 22, ("England", "2023"): 26,
        ("West Midlands", "2022"): 15, ("West Midlands", "2023"): 18,
        ("Northmoor (fictional)", "2022"): 10, ("Northmoor (fictional)", "2023"): 12,
    }  # fmt: skip


def test_rates_per_10000_children_compare_a_council_with_england_and_every_region(
    client, member, data_page
):
    client.force_login(member)

    tree = page_tree(client.get(page_url(data_page, council="northmoor")))

    rates = table_numbers(tree, chart_ids(tree)[1], with_names=False)
    # Places in 2023 over children: Northmoor 44/80,000; West Midlands 62/100,000;
    # North East 30/50,000; England 92/150,000.
    assert rates[("", "Northmoor (fictional)")] == 5.5
    assert rates[("", "West Midlands")] == 6.2
    assert rates[("", "North East")] == 6
    assert rates[("", "England")] == 6.1
    assert ("", "London") not in rates  # no figures: shown as a dash, not as 0


def test_the_filter_lives_in_the_address_so_it_can_be_shared(client, member, data_page):
    client.force_login(member)

    response = client.get(page_url(data_page, region="west-midlands"))

    assert "<title>Homes and places: West Midlands" in response.content.decode()
    tree = page_tree(response)
    csv_link = tree.xpath("//a[contains(@href, '.csv')]/@href")[0]
    assert csv_link.endswith("?region=west-midlands")


def test_an_unknown_council_shows_england_and_says_so(client, member, data_page):
    client.force_login(member)

    response = client.get(page_url(data_page, council="atlantis"))

    assert "That council or region is not on our list" in response.content.decode()
    assert list(table_numbers(page_tree(response), "chart-" + str(data_page.charts.first().pk))) == [
        ("England", "2022"), ("England", "2023"),
    ]  # fmt: skip


def test_a_commissioner_is_offered_their_own_council(
    client, commissioner_member, data_page, northmoor
):
    northmoor.organisation = Organisation.objects.get(name="Northmoor Council")
    northmoor.save()
    client.force_login(commissioner_member)

    response = client.get(page_url(data_page))

    assert (
        'href="?council=northmoor">Show your council, Northmoor (fictional)'
        in response.content.decode()
    )


@pytest.mark.parametrize("role", ["anonymous", "registered", "lapsed"])
def test_visitors_see_the_headline_and_the_first_chart_only(client, request, role, data_page):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = client.get(page_url(data_page, council="northmoor"))

    content = response.content.decode()
    tree = page_tree(response)
    assert response.status_code == 200
    assert chart_ids(tree) == [f"chart-{data_page.charts.first().pk}"]
    assert tree.xpath("//p[@class='data-headline']//text()")[0] == "26"  # England, 2023
    assert "2 more charts for members" in content
    assert "Join the network" in content or "Renew your membership" in content
    assert ".csv" not in content
    assert "Compare a region or a council" not in content
    assert "Places grow" not in content  # the commentary is for members


@pytest.mark.parametrize(
    "role", ["provider_member", "commissioner_member", "policy_member", "editor", "staff"]
)
def test_members_and_curators_see_every_chart_and_the_downloads(client, request, role, data_page):
    client.force_login(request.getfixturevalue(role))

    response = client.get(page_url(data_page))

    tree = page_tree(response)
    assert len(chart_ids(tree)) == 3
    assert len(tree.xpath("//a[contains(@href, '.csv')]")) == 3
    assert "Places grow" in response.content.decode()


def test_a_lapsed_member_is_asked_to_renew(client, lapsed, data_page):
    client.force_login(lapsed)

    assert "Renew your membership" in client.get(page_url(data_page)).content.decode()


def test_a_registered_person_downloading_a_csv_gets_the_join_page(client, registered, data_page):
    client.force_login(registered)
    chart = data_page.charts.first()

    response = client.get(
        reverse("sector_data:chart_csv", kwargs={"slug": data_page.slug, "chart_id": chart.pk})
    )

    assert response.status_code == 403
    assert "This page is for members" in response.content.decode()


def test_a_draft_page_is_for_editors_only(client, member, editor, data_page):
    data_page.is_published = False
    data_page.save()

    client.force_login(member)
    assert client.get(page_url(data_page)).status_code == 404
    assert data_page.title not in client.get(reverse("sector_data:index")).content.decode()
    client.force_login(editor)
    assert "Draft: only editors and staff" in client.get(page_url(data_page)).content.decode()


def test_the_index_lists_published_pages_by_topic(client, data_page):
    response = client.get(reverse("sector_data:index"))

    tree = page_tree(response)
    assert tree.xpath("//h2/text()") == ["Data and research"]
    assert tree.xpath("//h3/a/text()") == ["Homes and places"]


def test_the_csv_says_where_the_figures_come_from_and_that_they_are_illustrative(
    client, member, data_page
):
    client.force_login(member)
    chart = data_page.charts.first()

    text = chart_csv(client, data_page, f"chart-{chart.pk}", "?council=northmoor")

    dataset = chart.measure.dataset
    updated = timezone.localdate(dataset.versions.get().uploaded_at)
    lines = text.splitlines()
    assert lines[:7] == [
        "Children's homes",
        "Source: Department for Education. Licence: Open Government Licence v3.0",
        f"Period covered: {dataset.period_covered}",
        f'"Dataset: {dataset.title}, version 1, figures updated {updated:%-d %B %Y}"',
        "Place: Northmoor (fictional)",
        f'"{ILLUSTRATIVE_LABEL}"',
        "",
    ]
    assert lines[7] == "Year,England,West Midlands,Northmoor (fictional)"


def test_a_datasets_method_notes_are_shown_with_its_charts_and_in_their_csv(
    client, member, data_page
):
    # The licence "Other (see the method notes)" sent readers to notes shown nowhere.
    chart = data_page.charts.first()
    dataset = chart.measure.dataset
    dataset.method_notes = "Homes registered with Ofsted on 31 March.\nSecure homes excluded."
    dataset.licence = Licence.OTHER
    dataset.save()
    client.force_login(member)

    tree = page_tree(client.get(page_url(data_page)))
    text = chart_csv(client, data_page, f"chart-{chart.pk}")

    section = tree.xpath(f"//section[@aria-labelledby='chart-{chart.pk}-heading']")[0]
    method = "Method: Homes registered with Ofsted on 31 March.\nSecure homes excluded."
    assert method in section.text_content()
    assert "Method: Homes registered with Ofsted on 31 March. Secure homes excluded." in (
        text.splitlines()
    )


def test_a_chart_s_notes_are_in_its_csv_above_the_table(client, member, data_page, severnside):
    # The page said Severnside has no figures; the CSV, an empty table, said nothing.
    chart = data_page.charts.get(title="Homes by rating")
    client.force_login(member)

    text = chart_csv(client, data_page, f"chart-{chart.pk}", "?council=severnside")

    lines = text.split("\r\n\r\n", 1)[0].splitlines()
    assert "Note: Figures for Severnside (fictional)." in lines
    assert "Note: This dataset has no figures for Severnside (fictional)." in lines
    assert text.split("\r\n\r\n", 1)[1].startswith("Year,")


def test_rates_say_which_child_population_they_use_and_from_how_many_councils(
    client, member, data_page
):
    # After a partial upload England's rate came from 3 councils and read as a national one.
    Council.objects.update(population_year=2023)
    CouncilFactory(name="Eastvale (fictional)", child_population=None)  # no population
    CouncilFactory(name="Westmere (fictional)", child_population=40_000)  # no figures
    chart = data_page.charts.get(title="Places per 10,000 children")
    client.force_login(member)

    tree = page_tree(client.get(page_url(data_page)))
    text = chart_csv(client, data_page, f"chart-{chart.pk}")

    population = (
        "Rates per 10,000 children use each council's child population in 2023, for every "
        "year shown."
    )
    coverage = (
        "The rate for England comes from 3 of its 5 councils: the others have no figures in "
        "this dataset or no child population on record."
    )
    section = tree.xpath(f"//section[@aria-labelledby='chart-{chart.pk}-heading']")[0]
    assert population in section.text_content()
    assert coverage in section.text_content()
    header = text.split("\r\n\r\n", 1)[0]
    assert f'"Note: {population}"' in header.splitlines()
    assert f"Note: {coverage}" in header.splitlines()


def test_every_chart_and_table_of_illustrative_data_says_so(client, member, data_page):
    client.force_login(member)

    tree = page_tree(client.get(page_url(data_page)))

    first = chart_ids(tree)[0]
    section = tree.xpath(f"//section[@aria-labelledby='{first}-heading']")[0]
    assert ILLUSTRATIVE_LABEL in section.xpath(".//p[@class='data-tag']/text()")
    assert (
        "(illustrative data, fictional councils)" in section.xpath(".//caption")[0].text_content()
    )
    assert ILLUSTRATIVE_LABEL in section.xpath(f".//svg[@id='{first}']/desc")[0].text_content()


def test_a_downloaded_csv_tells_a_spreadsheet_it_is_utf8(client, member, data_page):
    client.force_login(member)
    chart = data_page.charts.first()

    response = client.get(
        reverse("sector_data:chart_csv", kwargs={"slug": data_page.slug, "chart_id": chart.pk})
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(codecs.BOM_UTF8)


def test_a_csv_cell_that_looks_like_a_formula_stays_text(client, member, homes_dataset):
    page = DataPageFactory()
    ChartFactory(
        page=page,
        title='=HYPERLINK("http://evil.example")',
        measure=homes_dataset.measures.get(slug="homes"),
    )
    client.force_login(member)

    text = chart_csv(client, page, f"chart-{page.charts.get().pk}")

    assert text.splitlines()[0].startswith("\"'=HYPERLINK")


def _many_councils(count: int, dataset) -> None:
    rows = [["Year", "Region", "Council", "Homes", "Places"]]
    for number in range(count):
        council = CouncilFactory(name=f"Extra {number} (fictional)", region="london")
        rows += [[year, "London", council.name, 3, 9] for year in range(2014, 2024)]
    upload(dataset, rows)


@pytest.mark.parametrize("councils", [1, 40])
def test_a_data_page_runs_a_fixed_number_of_queries(
    client, member, data_page, homes_dataset, councils, django_assert_max_num_queries
):
    _many_councils(councils, homes_dataset)
    client.force_login(member)
    client.get(page_url(data_page))  # session and membership warm-up is not the page's

    # Signing in and the session (7), the page, membership (2), charts, versions, councils,
    # the related resources, and one or two grouped queries per chart: not per council.
    with django_assert_max_num_queries(20):
        response = client.get(page_url(data_page, council="extra-0-fictional"))

    assert response.status_code == 200


def test_a_visitors_teaser_runs_a_fixed_number_of_queries(
    client, data_page, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        assert client.get(page_url(data_page)).status_code == 200


def test_a_drawn_chart_is_served_from_the_cache_the_second_time(client, member, data_page):
    client.force_login(member)
    client.get(page_url(data_page))

    with CaptureQueriesContext(connection) as queries:
        client.get(page_url(data_page))

    assert not [q for q in queries.captured_queries if "sector_data_observation" in q["sql"]]


def test_a_new_version_shows_at_once_despite_the_cache(client, member, data_page, homes_dataset):
    client.force_login(member)
    client.get(page_url(data_page))

    upload(
        homes_dataset,
        [["Year", "Region", "Council", "Homes", "Places"], ["2024", "London", "", "99", "300"]],
    )

    tree = page_tree(client.get(page_url(data_page)))
    assert table_numbers(tree, chart_ids(tree)[0], with_names=False) == {("", "2024"): 99}


@pytest.mark.parametrize("change", ["chart", "council"])
def test_an_edit_to_a_chart_or_a_council_shows_at_once_despite_the_cache(
    client, member, data_page, northmoor, change
):
    client.force_login(member)
    client.get(page_url(data_page, council="northmoor"))
    if change == "chart":
        chart = data_page.charts.first()
        chart.title = "Homes, renamed"
        chart.save()
    else:
        northmoor.child_population = 40_000
        northmoor.save()

    content = client.get(page_url(data_page, council="northmoor")).content.decode()

    if change == "chart":
        assert "Homes, renamed" in content
    else:
        rates = table_numbers(
            html.fromstring(content), f"chart-{data_page.charts.all()[1].pk}", with_names=False
        )
        assert rates[("", "Northmoor (fictional)")] == 11  # 44 places for 40,000 children


def test_a_council_added_later_is_offered_in_the_filter_at_once(client, member, data_page):
    client.force_login(member)
    client.get(page_url(data_page))

    CouncilFactory(name="Fenmarsh (fictional)", slug="fenmarsh", region="east")

    tree = page_tree(client.get(page_url(data_page)))
    assert "Fenmarsh (fictional)" in tree.xpath("//select[@name='council']//option/text()")


def test_the_council_list_marks_the_chosen_council(client, member, data_page):
    CouncilFactory(name="Fenmarsh (fictional)", slug="fenmarsh", region="east")
    client.force_login(member)

    tree = page_tree(client.get(page_url(data_page, council="fenmarsh")))

    assert tree.xpath("//select[@name='council']//option[@selected]/text()") == [
        "Fenmarsh (fictional)"
    ]
    assert tree.xpath("//select[@name='region']//option[@selected]/@value") == ["east"]
