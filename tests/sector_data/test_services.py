"""Uploading datasets: a good file loads as the current version; a bad one is refused
whole with every problem and its line; a new upload keeps the old version."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sector_data import services
from sector_data.models import DatasetColumn, DatasetVersion, Level, Observation
from tests.sector_data.factories import DatasetFactory, csv_file, mapped_dataset, upload

pytestmark = pytest.mark.django_db

HEADER = ["Year", "Region", "Council", "Homes", "Places"]


def problems_of(dataset, rows) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        upload(dataset, rows)
    return raised.value.messages


def test_a_good_csv_loads_every_figure_as_the_current_version(northmoor, editor):
    dataset = mapped_dataset()

    version = upload(
        dataset,
        [
            HEADER,
            ["2023", "West Midlands", "Northmoor", "12", "44"],
            ["2023", "England", "", "900", "3,600"],
        ],
        uploaded_by=editor,
    )

    assert (version.number, version.is_current, version.row_count) == (1, True, 2)
    assert version.uploaded_by == editor
    figures = {
        (o.measure.slug, o.level, o.council_id, o.year): o.value
        for o in Observation.objects.select_related("measure")
    }
    assert figures == {
        ("homes", Level.COUNCIL, northmoor.pk, 2023): 12,
        ("places", Level.COUNCIL, northmoor.pk, 2023): 44,
        ("homes", Level.ENGLAND, None, 2023): 900,
        ("places", Level.ENGLAND, None, 2023): 3600,
    }


def test_a_council_row_takes_its_region_from_the_council(northmoor):
    dataset = mapped_dataset(
        columns=[
            ("Year", "year", "", ""),
            ("Council", "council", "", ""),
            ("Homes", "measure", "Homes", "count"),
        ]
    )

    upload(dataset, [["Year", "Council", "Homes"], ["2023", "northmoor", "12"]])

    assert Observation.objects.get().region == northmoor.region


def test_a_bad_csv_reports_every_bad_line_and_loads_nothing(northmoor):
    dataset = mapped_dataset()
    upload(dataset, [HEADER, ["2022", "West Midlands", "Northmoor", "10", "40"]])

    problems = problems_of(
        dataset,
        [
            HEADER,
            ["2023", "West Midlands", "Northmoor", "12", "44"],
            ["2023", "Middle Earth", "", "5", "6"],
            ["2023", "", "Gondor", "5", "6"],
            ["twenty", "London", "", "5", "6"],
            ["2023", "London", "", "lots", "6"],
            ["2023", "North East", "Northmoor", "5", "6"],
        ],
    )

    assert problems == [
        "Line 3: “Middle Earth” is not one of England's nine regions.",
        "Line 4: “Gondor” is not a council we know.",
        "Line 5: “twenty” is not a year.",
        "Line 6: “lots” in the column “Homes” is not a number.",
        "Line 7: Northmoor (fictional) is in West Midlands, not North East.",
    ]
    assert DatasetVersion.objects.get().number == 1
    assert Observation.objects.filter(year=2023).count() == 0


def test_a_line_with_more_cells_than_the_header_is_refused_not_cut_short():
    dataset = mapped_dataset()

    # "6,100" unquoted: the figure 6 and a stray cell, not 6100.
    problems = problems_of(
        dataset,
        [HEADER, ["2023", "London", "", "12", "6", "100"], ["2023", "London", "", "", "", ""]],
    )

    assert problems == [
        "Line 2: This line has 6 cells but the header has 5 columns. Put a figure written "
        'with a comma in quotes ("6,100"), or remove the extra cells.'
    ]
    assert not Observation.objects.exists()


def test_a_figure_that_is_not_a_finite_number_is_refused_like_a_word():
    dataset = mapped_dataset()

    # Python reads all three as numbers; none is a figure a release would print.
    problems = problems_of(
        dataset,
        [
            HEADER,
            ["2021", "London", "", "NaN", "6"],
            ["2022", "London", "", "inf", "6"],
            ["2023", "London", "", "1_000", "6"],
        ],
    )

    assert problems == [
        "Line 2: “NaN” in the column “Homes” is not a number.",
        "Line 3: “inf” in the column “Homes” is not a number.",
        "Line 4: “1_000” in the column “Homes” is not a number.",
    ]
    assert not DatasetVersion.objects.exists()


def test_wrong_headers_are_reported_before_any_line():
    dataset = mapped_dataset()

    problems = problems_of(
        dataset, [["Year", "Region", "Council", "Homes", "Beds"], ["2023", "", "", "1", "2"]]
    )

    assert problems == [
        "Line 1: The column “Places” is missing.",
        "Line 1: The column “Beds” is not in this dataset's column mapping (map it, or mark it “Ignore this column”).",
    ]
    assert not DatasetVersion.objects.exists()


def test_the_same_figure_twice_is_reported_with_the_first_line(northmoor):
    dataset = mapped_dataset()

    problems = problems_of(
        dataset,
        [HEADER, ["2023", "", "Northmoor", "1", "2"], ["2023", "", "Northmoor", "3", "4"]],
    )

    assert (
        problems[0]
        == "Line 3: “Homes” for the same place, year and categories is already on line 2."
    )


def test_suppressed_cells_are_skipped_not_refused():
    dataset = mapped_dataset()

    version = upload(
        dataset, [HEADER, ["2023", "London", "", "x", "40"], ["2022/23", "London", "", "..", "c"]]
    )

    assert version.observation_count == 1
    assert Observation.objects.get().year == 2023


def test_a_new_upload_becomes_current_and_the_old_version_is_kept():
    dataset = mapped_dataset()
    first = upload(dataset, [HEADER, ["2022", "London", "", "5", "20"]])

    second = upload(dataset, [HEADER, ["2023", "London", "", "6", "24"]], note="2023 added")

    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.number) == (False, True, 2)
    assert Observation.objects.filter(version=first).count() == 2
    assert Observation.objects.filter(version=second).count() == 2
    assert list(dataset.versions.values_list("number", flat=True)) == [2, 1]


def test_an_older_version_can_be_made_current_again():
    dataset = mapped_dataset()
    first = upload(dataset, [HEADER, ["2022", "London", "", "5", "20"]])
    upload(dataset, [HEADER, ["2023", "London", "", "6", "24"]])

    services.dataset_version_make_current(version=first)

    assert dataset.versions.get(is_current=True) == first


def test_an_excel_file_loads_like_a_csv(northmoor):
    dataset = mapped_dataset()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([2023, "West Midlands", "Northmoor", 12, 44.5])
    data = io.BytesIO()
    workbook.save(data)

    version = services.dataset_version_upload(
        dataset=dataset, uploaded=SimpleUploadedFile("figures.xlsx", data.getvalue())
    )

    assert version.observation_count == 2
    assert sorted(Observation.objects.values_list("value", flat=True)) == [12, 44.5]


def test_an_excel_problem_names_the_spreadsheet_row():
    dataset = mapped_dataset()
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append([2023, "Atlantis", None, 1, 2])
    data = io.BytesIO()
    workbook.save(data)

    with pytest.raises(ValidationError) as raised:
        services.dataset_version_upload(
            dataset=dataset, uploaded=SimpleUploadedFile("figures.xlsx", data.getvalue())
        )

    assert raised.value.messages == ["Line 2: “Atlantis” is not one of England's nine regions."]


def test_a_file_that_is_neither_csv_nor_excel_is_refused():
    dataset = mapped_dataset()

    with pytest.raises(ValidationError, match="not a CSV or an Excel"):
        services.dataset_version_upload(
            dataset=dataset, uploaded=SimpleUploadedFile("figures.csv", b"PK\x03\x04rubbish")
        )


def test_the_first_file_maps_the_columns_from_its_headings():
    dataset = DatasetFactory()
    uploaded = csv_file(
        [["Year", "Local authority", "Overall rating", "Age band", "Homes", "% good"]]
    )

    services.dataset_columns_from_file(dataset=dataset, uploaded=uploaded)

    assert [(c.header, c.role, c.unit) for c in DatasetColumn.objects.filter(dataset=dataset)] == [
        ("Year", "year", ""),
        ("Local authority", "council", ""),
        ("Overall rating", "rating", ""),
        ("Age band", "age_band", ""),
        ("Homes", "measure", "count"),
        ("% good", "measure", "percent"),
    ]


def test_a_first_file_with_a_heading_used_twice_is_refused_with_the_heading():
    dataset = DatasetFactory()
    uploaded = csv_file([["Year", "Homes", "Homes"], ["2023", "12", "14"]])

    with pytest.raises(ValidationError) as raised:
        services.dataset_columns_from_file(dataset=dataset, uploaded=uploaded)

    assert raised.value.messages == [
        "The heading “Homes” is used for more than one column: give each column its own heading."
    ]
    assert not DatasetColumn.objects.filter(dataset=dataset).exists()


def test_a_file_with_a_heading_used_twice_loads_neither_column():
    dataset = mapped_dataset()

    # Read by heading, one of the two columns of figures would be dropped unseen.
    problems = problems_of(dataset, [[*HEADER, "Homes"], ["2023", "London", "", "12", "40", "14"]])

    assert problems == [
        "The heading “Homes” is used for more than one column: give each column its own heading."
    ]
    assert not DatasetVersion.objects.exists()


def test_an_upload_to_a_dataset_without_columns_is_refused():
    with pytest.raises(ValidationError, match="Map the dataset's columns first"):
        upload(DatasetFactory(), [HEADER])


def test_a_year_written_as_in_government_statistics_files_is_read_as_its_first_year():
    dataset = mapped_dataset()

    version = upload(dataset, [HEADER, ["202324", "London", "", "12", "40"]])

    assert version.observation_count == 2
    assert set(Observation.objects.values_list("year", flat=True)) == {2023}


def test_six_digits_that_are_not_a_year_and_the_next_are_refused():
    assert problems_of(mapped_dataset(), [HEADER, ["201999", "London", "", "12", "40"]]) == [
        "Line 2: “201999” is not a year."
    ]


def test_a_footnote_under_the_table_is_named_as_a_line_without_year_or_figures():
    problems = problems_of(
        mapped_dataset(),
        [
            HEADER,
            ["2023", "London", "", "12", "40"],
            [],
            ["Source: Department for Education, children's homes data pack", "", "", "", ""],
            ["x = figure suppressed"],
        ],
    )

    assert problems == [
        "Line 4: This line has no year and no figures (“Source: Department for Education, "
        "children's homes data pack”). If it is a note or a footnote, delete it from the file.",
        "Line 5: This line has no year and no figures (“x = figure suppressed”). If it is a "
        "note or a footnote, delete it from the file.",
    ]
