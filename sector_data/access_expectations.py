"""What each role gets from each sector-data URL (the project-wide access-matrix test).

A published page opens for everyone: visitors (anonymous, registered, lapsed) get its
teaser, members and curators all of it (tests/sector_data/test_views.py checks which).
A chart's CSV is for members, editors and staff: visitors are sent to sign in, registered
and lapsed people get the join page (403). A draft page, and its CSV, are for editors and
staff only; to everyone else they do not exist.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from members.access_matrix import ROLES  # noqa: F401 (the roles this module answers for)
from members.models import Region
from network.models import Topic
from sector_data import services
from sector_data.models import Chart, Council, DataPage, Dataset, DatasetColumn, Dimension

FULL = {"anonymous": 302, "registered": 403, "lapsed": 403, "*": 200}
CURATORS_ONLY = {"editor": 200, "staff": 200, "*": 404}

EXPECTED: dict[str, dict[str, int]] = {
    "sector_data:index": {"*": 200},
    "sector_data:page[published]": {"*": 200},
    "sector_data:page[draft]": CURATORS_ONLY,
    "sector_data:chart_csv[published]": FULL,
    "sector_data:chart_csv[draft]": CURATORS_ONLY,
}

CSV = b"Year,Council,Homes\n2022,Access Vale,4\n2023,Access Vale,5\n"


def url_kwargs(people: dict) -> dict[str, dict]:
    topic, _ = Topic.objects.get_or_create(slug="data-and-research", defaults={"name": "Data"})
    Council.objects.get_or_create(
        slug="access-vale",
        defaults={"name": "Access Vale", "region": Region.NORTH_EAST, "child_population": 1000},
    )
    dataset = Dataset.objects.create(
        title="Access matrix homes", slug="access-matrix-homes", source_organisation="Test",
        period_covered="2022 to 2023",
    )  # fmt: skip
    DatasetColumn.objects.bulk_create(
        [
            DatasetColumn(dataset=dataset, header="Year", role=Dimension.YEAR),
            DatasetColumn(dataset=dataset, header="Council", role=Dimension.COUNCIL),
            DatasetColumn(
                dataset=dataset, header="Homes", role=Dimension.MEASURE, label="Homes", unit="count"
            ),
        ]
    )
    services.dataset_version_upload(
        dataset=dataset, uploaded=SimpleUploadedFile("homes.csv", CSV, content_type="text/csv")
    )
    measure = dataset.measures.get()
    kwargs = {}
    for state, published in (("published", True), ("draft", False)):
        page = DataPage.objects.create(
            title=f"Access matrix {state}", slug=f"access-matrix-{state}", topic=topic,
            summary="Used to check access.", is_published=published,
        )  # fmt: skip
        chart = Chart.objects.create(page=page, title="Homes", measure=measure)
        kwargs[f"sector_data:page[{state}]"] = {"slug": page.slug}
        kwargs[f"sector_data:chart_csv[{state}]"] = {"slug": page.slug, "chart_id": chart.pk}
    return kwargs
