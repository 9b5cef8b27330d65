"""Sector data in Chromium: an editor uploads a dataset (a bad file first, refused with
every problem listed) and publishes a page; a commissioner filters to their council and
downloads a chart's CSV; a visitor sees the teaser. The data pages, charts included, are
checked with axe-core, and no Content-Security-Policy violation may appear."""

import csv
import io

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission

from members.access import EDITORS_GROUP
from members.models import Organisation, Region
from sector_data.models import Council, DataPage
from tests.browser.conftest import assert_accessible, signed_in, watch_csp
from tests.members.factories import TopicFactory, UserFactory
from tests.sector_data.factories import CouncilFactory

GOOD = (
    "Year,Region,Council,Homes,Places\n"
    "2022,West Midlands,Northmoor,10,40\n"
    "2023,West Midlands,Northmoor,12,44\n"
    "2022,West Midlands,Severnside,5,16\n"
    "2023,West Midlands,Severnside,6,18\n"
    "2022,North East,Tynebridge,7,25\n"
    "2023,North East,Tynebridge,8,30\n"
)
BAD = "Year,Region,Council,Homes,Places\n2023,Mordor,,1,2\n2023,,Northmoor,many,2\n"


@pytest.fixture
def places(db):
    for name, region, children in [
        ("Northmoor", Region.WEST_MIDLANDS, 80_000),
        ("Severnside", Region.WEST_MIDLANDS, 20_000),
        ("Tynebridge", Region.NORTH_EAST, 50_000),
    ]:
        CouncilFactory(
            name=f"{name} (fictional)",
            slug=name.lower(),
            region=region,
            aliases=name,
            child_population=children,
        )
    TopicFactory(name="Commissioning and contracts")


@pytest.fixture
def editor_with_two_factor(db):
    editor = UserFactory(email="editor@example.org", is_staff=True)
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=["sector_data"]))
    editor.groups.add(group)
    Authenticator.objects.create(user=editor, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return editor


@pytest.mark.django_db(transaction=True)
def test_editor_uploads_and_publishes_then_a_commissioner_compares_their_council_and_a_visitor_sees_the_teaser(
    new_page, live_server, places, editor_with_two_factor, commissioner_member, tmp_path
):
    # The editor describes the dataset, then uploads a bad file and a good one.
    page = signed_in(new_page, live_server, editor_with_two_factor)
    page.goto("/admin/sector_data/dataset/add/")
    page.get_by_label("Title").fill("Homes and places by council")
    page.get_by_label("Title").press("Tab")
    page.get_by_label("Source organisation").fill("Department for Education")
    page.get_by_label("Period covered").fill("2022 to 2023")
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_role("link", name="Upload a new version").click()

    bad = tmp_path / "homes.csv"
    bad.write_text(BAD)
    page.get_by_label("Data file").set_input_files(str(bad))
    page.get_by_role("button", name="Check and upload").click()
    problems = page.locator("#upload-problems")
    problems.wait_for()
    assert "Nothing was loaded: 2 problems" in problems.inner_text()
    assert "Line 2: “Mordor” is not one of England's nine regions." in problems.inner_text()
    assert "Line 3: “many” in the column “Homes” is not a number." in problems.inner_text()

    good = tmp_path / "homes-fixed.csv"
    good.write_text(GOOD)
    page.get_by_label("Data file").set_input_files(str(good))
    page.get_by_role("button", name="Check and upload").click()
    page.get_by_text("Version 1 loaded: 6 lines, 12 figures").wait_for()

    # Then composes a page with one chart and publishes it.
    page.goto("/admin/sector_data/datapage/add/")
    page.get_by_label("Title:").first.fill("Homes near you")
    page.get_by_label("Title:").first.press("Tab")
    assert page.get_by_label("Slug").input_value() == "homes-near-you"  # from the title
    page.get_by_label("Topic").select_option(label="Commissioning and contracts")
    page.get_by_label("Summary").fill("Children's homes by council.")
    page.get_by_label("Commentary").fill("Homes grow **slowly**.")
    page.get_by_label("Is published").check()
    page.locator("#id_charts-0-title").fill("Children's homes")
    page.locator("#id_charts-0-measure").select_option(label="Homes (Homes and places by council)")
    page.locator("input[name=_save]").click()
    page.get_by_text("was added successfully").wait_for()
    assert DataPage.objects.get(slug="homes-near-you").is_published

    # A commissioner of Northmoor compares their council and downloads the figures.
    council = Council.objects.get(slug="northmoor")
    council.organisation = Organisation.objects.get(name="Northmoor Council")
    council.save()
    page = signed_in(new_page, live_server, commissioner_member)
    violations = watch_csp(page)
    page.goto("/data/")
    assert_accessible(page)
    page.get_by_role("link", name="Homes near you").click()
    page.get_by_role("link", name="Show your council, Northmoor (fictional)").wait_for()
    page.get_by_label("Council", exact=True).select_option(label="Northmoor (fictional)")
    page.get_by_role("button", name="Show figures").click()
    page.get_by_role("heading", name="Homes near you: Northmoor (fictional)").wait_for()
    assert "council=northmoor" in page.url
    table = page.locator("table").first
    assert table.locator("thead th").all_inner_texts() == [
        "Year",
        "England",
        "West Midlands",
        "Northmoor (fictional)",
    ]
    assert table.locator("tbody tr").first.locator("td").all_inner_texts() == ["22", "15", "10"]
    assert page.locator("svg[role=img] > title").first.text_content() == "Children's homes"
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures (CSV)").first.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text.split("\n\n", 1)[1])))
    assert rows[:3] == [
        ["Year", "England", "West Midlands", "Northmoor (fictional)"],
        ["2022", "22", "15", "10"],
        ["2023", "26", "18", "12"],
    ]
    assert violations == []

    # A visitor sees the headline and the first chart, and how to join.
    page = new_page()
    violations = watch_csp(page)
    page.goto("/data/homes-near-you/?council=northmoor")
    assert page.locator(".data-headline__figure").inner_text() == "26"
    assert page.locator("section.data-chart").count() == 1
    assert page.get_by_role("link", name="Download these figures (CSV)").count() == 0
    assert page.get_by_role("link", name="Join the network").is_visible()
    assert_accessible(page)
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_every_demo_data_page_is_accessible_at_every_width(new_page, live_server):
    from django.core.management import call_command

    from members.models import User

    # One demo for the three widths: loading it is most of the cost of a width.
    call_command("seed_demo", "network", "members", "practice_library", "sector_data", verbosity=0)
    member = User.objects.get(email="commissioner@example.org")
    page = signed_in(new_page, live_server, member)
    visitor = new_page()
    violations, visitor_violations = watch_csp(page), watch_csp(visitor)
    data_pages = [(str(p), p.get_absolute_url(), p.charts.count()) for p in DataPage.objects.all()]
    for width in (1280, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        for name, url, charts in data_pages:
            page.goto(url + "?council=northmoor")
            assert page.locator("section.data-chart svg[role=img]:visible").count() == charts, (
                f"{name} at {width} px"
            )
            assert_accessible(page)
        visitor.set_viewport_size({"width": width, "height": 900})
        visitor.goto("/data/homes-and-places/")
        visitor.get_by_role("link", name="Join the network").wait_for()
        assert_accessible(visitor)
    assert violations == [] and visitor_violations == []
