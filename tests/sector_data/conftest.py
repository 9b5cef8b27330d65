import pytest

from members.models import Region
from sector_data.models import ChartDimension, ChartKind
from tests.sector_data.factories import (
    ChartFactory,
    CouncilFactory,
    DataPageFactory,
    mapped_dataset,
    upload,
)


@pytest.fixture
def northmoor(db):
    return CouncilFactory(
        name="Northmoor (fictional)", slug="northmoor", region=Region.WEST_MIDLANDS,
        child_population=80_000,
    )  # fmt: skip


@pytest.fixture
def severnside(db):
    return CouncilFactory(
        name="Severnside (fictional)", slug="severnside", region=Region.WEST_MIDLANDS,
        child_population=20_000,
    )  # fmt: skip


@pytest.fixture
def tynebridge(db):
    return CouncilFactory(
        name="Tynebridge (fictional)", slug="tynebridge", region=Region.NORTH_EAST,
        child_population=50_000,
    )  # fmt: skip


@pytest.fixture
def homes_dataset(northmoor, severnside, tynebridge):
    """Three councils, two years, homes and places: councils add up to regions and England."""
    dataset = mapped_dataset(is_illustrative=True)
    upload(
        dataset,
        [
            ["Year", "Region", "Council", "Homes", "Places"],
            ["2022", "West Midlands", "Northmoor", "10", "40"],
            ["2023", "West Midlands", "Northmoor", "12", "44"],
            ["2022", "West Midlands", "Severnside", "5", "16"],
            ["2023", "West Midlands", "Severnside", "6", "18"],
            ["2022", "North East", "Tynebridge", "7", "25"],
            ["2023", "North East", "Tynebridge", "8", "30"],
        ],
    )
    return dataset


@pytest.fixture
def ratings_dataset(northmoor):
    dataset = mapped_dataset(
        columns=[
            ("Year", "year", "", ""),
            ("Council", "council", "", ""),
            ("Rating", "rating", "", ""),
            ("Homes", "measure", "Homes", "count"),
        ],
        title="Inspection outcomes",
    )
    upload(
        dataset,
        [
            ["Year", "Council", "Rating", "Homes"],
            ["2023", "Northmoor", "Outstanding", "2"],
            ["2023", "Northmoor", "Good", "7"],
            ["2023", "Northmoor", "Requires improvement to be good", "2"],
            ["2023", "Northmoor", "Inadequate", "1"],
        ],
    )
    return dataset


@pytest.fixture
def data_page(homes_dataset, ratings_dataset):
    """A published page: homes over time (the teaser), places per 10,000 children by
    region, and homes by rating."""
    page = DataPageFactory(title="Homes and places", slug="homes-and-places")
    homes = homes_dataset.measures.get(slug="homes")
    places = homes_dataset.measures.get(slug="places")
    ChartFactory(page=page, title="Children's homes", measure=homes, order=0)
    ChartFactory(
        page=page, title="Places per 10,000 children", measure=places,
        kind=ChartKind.REGION_BARS, per_10k_children=True, order=1,
    )  # fmt: skip
    ChartFactory(
        page=page, title="Homes by rating", kind=ChartKind.STACKED,
        measure=ratings_dataset.measures.get(), dimension=ChartDimension.RATING, order=2,
    )  # fmt: skip
    return page
