"""The editors' side in the admin: uploading a version (checked, every problem listed),
composing and publishing a page; and the demo content."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from members.access import EDITORS_GROUP
from sector_data.models import DataPage, DatasetVersion, Observation
from tests import roles
from tests.members.factories import OrganisationFactory, TopicFactory
from tests.sector_data.factories import DatasetFactory, csv_file, mapped_dataset

pytestmark = pytest.mark.django_db


def upload_url(dataset) -> str:
    return reverse("admin:sector_data_dataset_upload", args=[dataset.pk])


def test_an_upload_in_the_admin_loads_a_new_version(staff_client, northmoor):
    dataset = mapped_dataset()
    rows = [["Year", "Region", "Council", "Homes", "Places"], ["2023", "", "Northmoor", "12", "44"]]

    response = staff_client.post(
        upload_url(dataset), {"file": csv_file(rows), "note": "First"}, follow=True
    )

    assert "Version 1 loaded: 1 line, 2 figures" in response.content.decode()
    assert DatasetVersion.objects.get().note == "First"


def test_a_bad_upload_in_the_admin_lists_every_problem_and_loads_nothing(staff_client):
    dataset = mapped_dataset()
    rows = [
        ["Year", "Region", "Council", "Homes", "Places"],
        ["2023", "Narnia", "", "1", "2"],
        ["soon", "", "", "1", "2"],
    ]

    response = staff_client.post(upload_url(dataset), {"file": csv_file(rows)})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was loaded: 2 problems in the file." in content
    assert "Line 2: “Narnia” is not one of England&#x27;s nine regions." in content
    assert "Line 3: “soon” is not a year." in content
    assert not Observation.objects.exists()


def test_a_refused_upload_s_page_title_says_there_was_an_error(staff_client):
    dataset = mapped_dataset(title="Homes by council")
    rows = [["Year", "Region", "Council", "Homes", "Places"], ["soon", "", "", "1", "2"]]

    response = staff_client.post(upload_url(dataset), {"file": csv_file(rows)})

    assert "<title>Error: Upload a new version: Homes by council" in response.content.decode()


def test_the_first_upload_maps_the_columns_from_its_headings(staff_client):
    dataset = DatasetFactory()
    rows = [["Year", "Region", "Homes"], ["2023", "London", "12"]]

    response = staff_client.post(upload_url(dataset), {"file": csv_file(rows)}, follow=True)

    assert "Its columns were mapped from its headings" in response.content.decode()
    assert [c.role for c in dataset.columns.all()] == ["year", "region", "measure"]
    assert Observation.objects.get().value == 12


def test_a_refused_first_upload_says_the_mapping_read_from_it_is_kept(staff_client):
    dataset = DatasetFactory()
    rows = [["Year", "Region", "Homes"], ["soon", "London", "12"]]

    response = staff_client.post(upload_url(dataset), {"file": csv_file(rows)})

    assert "Nothing was loaded: 1 problem in the file." in response.text
    assert "mapped from this file's headings, and the mapping is kept" in response.text
    assert dataset.columns.count() == 3
    assert not Observation.objects.exists()


def test_an_editor_composes_and_publishes_a_page(staff_client, homes_dataset):
    topic = TopicFactory(name="Commissioning and contracts")
    homes = homes_dataset.measures.get(slug="homes")
    data = {
        "title": "Homes near you", "slug": "homes-near-you", "topic": topic.pk,
        "summary": "Homes by council.", "commentary": "Homes **grow**.", "is_published": "on",
        "charts-TOTAL_FORMS": "1", "charts-INITIAL_FORMS": "0",
        "charts-MIN_NUM_FORMS": "0", "charts-MAX_NUM_FORMS": "1000",
        "charts-0-title": "Homes", "charts-0-order": "0", "charts-0-kind": "line",
        "charts-0-dimension": "", "charts-0-measure": homes.pk,
    }  # fmt: skip

    response = staff_client.post(reverse("admin:sector_data_datapage_add"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    page = DataPage.objects.get(slug="homes-near-you")
    assert page.commentary_html == "<p>Homes <strong>grow</strong>.</p>\n"
    assert page.published_at is not None
    assert page.charts.get().measure == homes


def test_the_admin_pages_open(staff_client, data_page):
    dataset = data_page.charts.first().measure.dataset
    for url in [
        reverse("admin:sector_data_dataset_changelist"),
        reverse("admin:sector_data_dataset_change", args=[dataset.pk]),
        upload_url(dataset),
        reverse("admin:sector_data_datasetversion_changelist"),
        reverse("admin:sector_data_datapage_change", args=[data_page.pk]),
        reverse("admin:sector_data_council_changelist"),
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_the_demo_quotes_only_the_published_figures_and_labels_the_rest(client, member):
    call_command("seed_demo", "network", "members", "practice_library", "sector_data", verbosity=0)
    client.force_login(member)

    content = client.get("/data/unregulated-placements/").content.decode()
    assert "2,900" in content and "6,100" in content
    assert "Illustrative data" not in content
    homes = client.get("/data/homes-and-places/").content.decode()
    assert homes.count("Illustrative data, fictional councils") >= 3
    editors = Group.objects.get(name=EDITORS_GROUP)
    assert editors.permissions.filter(content_type__app_label="sector_data").exists()


def test_a_refused_upload_asks_for_a_file_again(staff_client):
    dataset = mapped_dataset()
    response = staff_client.post(
        upload_url(dataset),
        {"file": SimpleUploadedFile("notes.txt", b"not a table"), "note": "March figures"},
    )

    text = response.content.decode()
    assert "You chose “notes.txt”" in text
    assert "March figures" in text


def test_a_file_saved_with_semicolons_is_refused_with_how_to_save_it(staff_client):
    dataset = mapped_dataset()
    text = "Year;Region;Council;Homes;Places\n2023;;Northmoor;12;44\n"
    response = staff_client.post(
        upload_url(dataset),
        {"file": SimpleUploadedFile("figures.csv", text.encode()), "note": "March figures"},
    )

    content = response.content.decode()
    assert "separated by semicolons, not commas" in content
    assert "“CSV (comma delimited)”" in content
    assert "is missing" not in content
    assert "March figures" in content
    assert not Observation.objects.exists()


def test_a_title_above_the_headings_is_refused_with_the_line_they_start_on(staff_client):
    dataset = mapped_dataset()
    rows = [
        ["Children's homes by council, 2023", "", "", "", ""],
        ["", "", "", "", ""],
        ["Year", "Region", "Council", "Homes", "Places"],
        ["2023", "", "Northmoor", "12", "44"],
    ]

    response = staff_client.post(upload_url(dataset), {"file": csv_file(rows), "note": "March"})

    content = response.content.decode()
    assert "they seem to start on line 3" in content
    assert "Delete the lines above the headings" in content
    assert "is missing" not in content
    assert "March" in content
    assert not Observation.objects.exists()


def test_a_first_file_with_a_title_above_its_headings_maps_no_columns(staff_client):
    dataset = DatasetFactory()
    rows = [["Homes by region"], ["Year", "Region", "Homes"], ["2023", "London", "12"]]

    response = staff_client.post(upload_url(dataset), {"file": csv_file(rows)})

    assert "they seem to start on line 2" in response.content.decode()
    assert not dataset.columns.exists()


@pytest.fixture
def sector_data_editor(client):
    """An editor whose group holds the sector data permissions, as the demo gives them."""
    editor = roles.editor()
    group = Group.objects.get(name=EDITORS_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="sector_data"))
    client.force_login(editor)
    return client


def test_an_editor_sees_a_council_s_member_organisation_as_text(sector_data_editor, northmoor):
    northmoor.organisation = OrganisationFactory(name="Northmoor County Council")
    northmoor.save(update_fields=["organisation"])

    page = sector_data_editor.get(
        reverse("admin:sector_data_council_change", args=[northmoor.pk])
    ).content.decode()

    assert "Northmoor County Council" in page
    assert 'name="organisation"' not in page  # no box that finding organisations refuses


def test_an_editor_saving_a_council_keeps_its_member_organisation(sector_data_editor, northmoor):
    organisation = OrganisationFactory(name="Northmoor County Council")
    northmoor.organisation = organisation
    northmoor.save(update_fields=["organisation"])

    sector_data_editor.post(
        reverse("admin:sector_data_council_change", args=[northmoor.pk]),
        {
            "name": northmoor.name,
            "slug": northmoor.slug,
            "region": northmoor.region,
            "child_population": "81000",
            "aliases": "",
        },
    )

    northmoor.refresh_from_db()
    assert (northmoor.child_population, northmoor.organisation) == (81_000, organisation)


def test_staff_find_a_council_s_member_organisation_in_a_box(staff_client, northmoor):
    page = staff_client.get(
        reverse("admin:sector_data_council_change", args=[northmoor.pk])
    ).content.decode()

    assert 'name="organisation"' in page
    assert "admin-autocomplete" in page
