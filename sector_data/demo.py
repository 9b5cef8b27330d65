"""Demo sector data: fictional councils, four datasets and four data pages.

Only two kinds of figure appear. Published figures the sector has quoted (16 and 17 year
olds placed in unregulated settings: 2,900 in 2009, 6,100 in 2019; 82% of homes rated
good or outstanding in 2019, quoted in a commentary) are marked as quoted. Everything
else is made up, for 27 fictional councils (three in each region), from a fixed random
seed, and its datasets are marked illustrative, so every chart, table and CSV made from
them says "Illustrative data, fictional councils".

Datasets are loaded through the same upload service editors use (seed_through_services),
once: a dataset that already has a version is left alone.
"""

import csv
import io
import random

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.access import EDITORS_GROUP
from members.models import Organisation, Region
from network.models import Topic
from practice_library.models import Resource
from sector_data import services
from sector_data.models import (
    Chart,
    ChartDimension,
    ChartKind,
    Council,
    DataPage,
    Dataset,
    Licence,
    Measure,
)

YEARS = range(2014, 2024)
SEED = 20_260_101

# Three fictional councils per region, with the children (0 to 17) living in each.
COUNCILS = {
    Region.NORTH_EAST: [("Tynebridge", 61_000), ("Kestrel Vale", 48_000), ("Coldharbour", 39_000)],
    Region.NORTH_WEST: [("Mersey Fells", 92_000), ("Ashworth", 71_000), ("Pendle Cross", 44_000)],
    Region.YORKSHIRE: [("Calder Moor", 83_000), ("Wolds End", 52_000), ("Airedale Vale", 66_000)],
    Region.EAST_MIDLANDS: [("Trentholme", 74_000), ("Lindenshire", 58_000), ("Peakhollow", 41_000)],
    Region.WEST_MIDLANDS: [("Northmoor", 88_000), ("Severnside", 69_000), ("Blackbrook", 57_000)],
    Region.EAST: [("Fenmarsh", 79_000), ("Broadwater", 63_000), ("Stourhaven", 46_000)],
    Region.LONDON: [("Thameside", 71_000), ("Northgate", 64_000), ("Riverwark", 59_000)],
    Region.SOUTH_EAST: [("Downsbury", 97_000), ("Wealdmoor", 73_000), ("Solent Bay", 68_000)],
    Region.SOUTH_WEST: [("Tamarside", 62_000), ("Exe Vale", 55_000), ("Cotswold Edge", 49_000)],
}
# The demo commissioner holds a seat in this council's membership (members/demo.py).
NORTHMOOR_ORGANISATION = "northmoor-borough-council"

RATING_SHARES = [("Outstanding", 0.17), ("Good", 0.63), ("Requires improvement", 0.16)]
AGE_SHARES = [("Under 10", 0.05), ("10 to 13", 0.28), ("14 to 15", 0.36), ("16 to 17", 0.31)]

ILLUSTRATIVE_SOURCE = {
    "source_organisation": "English Residential Network (illustrative demo data)",
    "licence": Licence.ILLUSTRATIVE,
    "is_illustrative": True,
    "method_notes": "Made up for the demo from a fixed random seed, for fictional councils. "
    "Not published statistics.",
}


def council_name(name: str) -> str:
    return f"{name} (fictional)"


def _councils() -> list[Council]:
    northmoor = Organisation.objects.filter(slug=NORTHMOOR_ORGANISATION).first()
    councils = []
    for region, entries in COUNCILS.items():
        for name, children in entries:
            council, _ = Council.objects.update_or_create(
                slug=name.lower().replace(" ", "-"),
                defaults={
                    "name": council_name(name),
                    "region": region,
                    "child_population": children,
                    "population_year": 2023,
                    "aliases": name,
                    "organisation": northmoor if name == "Northmoor" else None,
                },
            )
            councils.append(council)
    return councils


def _csv(header: list[str], rows: list[list]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("demo.csv", buffer.getvalue().encode(), content_type="text/csv")


def _homes(rng: random.Random, council: Council) -> dict[int, int]:
    base = council.child_population / 2_600 * rng.uniform(0.7, 1.3)
    growth = rng.uniform(0.01, 0.05)
    return {year: max(3, round(base * (1 + growth) ** (year - 2014))) for year in YEARS}


def _split(total: int, shares: list[tuple[str, float]], rng: random.Random) -> list[int]:
    parts = [round(total * share * rng.uniform(0.8, 1.2)) for _, share in shares]
    return [*parts, max(0, total - sum(parts))]


def illustrative_files(councils: list[Council]) -> dict[str, SimpleUploadedFile]:
    """The three illustrative datasets' files, the same on every run."""
    rng = random.Random(SEED)
    homes_rows, rating_rows, age_rows = [], [], []
    for council in councils:
        homes = _homes(rng, council)
        short = council.aliases
        for year, count in homes.items():
            places = round(count * rng.uniform(3.4, 4.4))
            homes_rows.append([year, council.get_region_display(), short, count, places])
            ratings = _split(count, RATING_SHARES, rng)
            for (label, _), value in zip([*RATING_SHARES, ("Inadequate", 0)], ratings, strict=True):
                rating_rows.append([year, short, label, value])
            children = round(places * rng.uniform(0.78, 0.9))
            bands = _split(children, AGE_SHARES[:-1], rng)
            for (label, _), value in zip(AGE_SHARES, bands, strict=True):
                age_rows.append([year, short, label, value])
    return {
        "homes-and-places-by-council": _csv(
            ["Year", "Region", "Council", "Children's homes", "Places"], homes_rows
        ),
        "inspection-outcomes-by-council": _csv(
            ["Year", "Council", "Overall rating", "Homes"], rating_rows
        ),
        "children-in-homes-by-age-band": _csv(
            ["Year", "Council", "Age band", "Children"], age_rows
        ),
    }


DATASETS = [
    {
        "slug": "homes-and-places-by-council",
        "title": "Children's homes and places by council, 2014 to 2023 (illustrative)",
        "period_covered": "2014 to 2023, at 31 March each year",
        **ILLUSTRATIVE_SOURCE,
    },
    {
        "slug": "inspection-outcomes-by-council",
        "title": "Inspection outcomes of children's homes by council (illustrative)",
        "period_covered": "2014 to 2023, latest full inspection at 31 March",
        **ILLUSTRATIVE_SOURCE,
    },
    {
        "slug": "children-in-homes-by-age-band",
        "title": "Children living in children's homes by age band (illustrative)",
        "period_covered": "2014 to 2023, at 31 March each year",
        **ILLUSTRATIVE_SOURCE,
    },
    {
        "slug": "unregulated-placements-16-17",
        "title": "16 and 17 year olds placed in unregulated settings, England",
        "period_covered": "2009 and 2019",
        "source_organisation": "The sector's own reporting, as quoted by the network",
        "licence": Licence.QUOTED,
        "is_illustrative": False,
        "method_notes": "The two published figures the sector quotes: 2,900 young people "
        "aged 16 and 17 in unregulated (often semi-independent) settings in 2009, and 6,100 "
        "in 2019. No figures for the years between are shown, because none are quoted.",
    },
]

PUBLISHED_FILE = (
    ["Year", "Region", "16 and 17 year olds in unregulated settings"],
    [[2009, "England", 2900], [2019, "England", 6100]],
)

# slug, title, topic, summary, commentary, related resources, charts:
# (title, kind, dataset slug, measure slug, dimension, per 10,000 children)
PAGES = [
    (
        "homes-and-places",
        "Children's homes and places",
        "commissioning-and-contracts",
        "How many children's homes and places there are, region by region and council by "
        "council, and how that has changed over ten years.",
        "Councils have a duty to commission enough good places for the children they look "
        "after. These illustrative figures show the shape of the question: places grow "
        "slowly, and unevenly between regions.\n\n"
        "Compare your council with its region using **places per 10,000 children**, which "
        "allows for the size of each area.",
        ["sufficiency-duty-explained", "using-local-data-for-sufficiency"],
        [
            ("Children's homes, 2014 to 2023", ChartKind.LINE, "homes-and-places-by-council",
             "childrens-homes", "", False),
            ("Places per 10,000 children, by region", ChartKind.REGION_BARS,
             "homes-and-places-by-council", "places", "", True),
            ("Places in children's homes, 2014 to 2023", ChartKind.LINE,
             "homes-and-places-by-council", "places", "", False),
        ],
    ),
    (
        "inspection-outcomes",
        "Inspection outcomes",
        "inspection-and-quality",
        "How children's homes were rated at their latest full inspection, year by year.",
        "In 2019, 82% of children's homes were rated good or outstanding, the sector's "
        "published figure. The charts below are illustrative, for fictional councils: they "
        "show how a council can follow the ratings of the homes it uses.\n\n"
        "Studies of homes that stayed good or outstanding for years point to the culture of "
        "the home and strong leadership.",
        ["what-outstanding-homes-have-in-common", "preparing-for-your-ofsted-inspection"],
        [
            ("Homes by Ofsted rating", ChartKind.STACKED, "inspection-outcomes-by-council",
             "homes", ChartDimension.RATING, False),
            ("Homes per 10,000 children, by region", ChartKind.REGION_BARS,
             "inspection-outcomes-by-council", "homes", "", True),
        ],
    ),
    (
        "children-by-age-band",
        "Children in children's homes by age",
        "data-and-research",
        "The ages of the children living in children's homes, and how many there are for "
        "every 10,000 children in each area.",
        "Most children living in children's homes are teenagers. Illustrative figures for "
        "fictional councils.",
        ["childrens-homes-data-pack"],
        [
            ("Children in children's homes by age band", ChartKind.STACKED,
             "children-in-homes-by-age-band", "children", ChartDimension.AGE_BAND, False),
            ("Children in children's homes per 10,000 children", ChartKind.LINE,
             "children-in-homes-by-age-band", "children", "", True),
        ],
    ),
    (
        "unregulated-placements",
        "Unregulated placements of 16 and 17 year olds",
        "leaving-care-and-staying-close",
        "Young people aged 16 and 17 placed in unregulated, often semi-independent, "
        "settings: the two figures the sector has published.",
        "The number of 16 and 17 year olds placed in unregulated settings more than doubled "
        "between 2009 and 2019, from 2,900 to 6,100. Only the two published figures are "
        "shown; the line between them is not a trend for the years between.",
        ["unregulated-settings-rise", "staying-close-explained"],
        [
            ("16 and 17 year olds in unregulated settings, England", ChartKind.LINE,
             "unregulated-placements-16-17", "16-and-17-year-olds-in-unregulated-settings",
             "", False),
        ],
    ),
]  # fmt: skip


def seed() -> None:
    editors = Group.objects.filter(name=EDITORS_GROUP).first()
    if editors is not None:
        editors.permissions.add(*Permission.objects.filter(content_type__app_label="sector_data"))
    _councils()
    for fields in DATASETS:
        slug = fields["slug"]
        Dataset.objects.update_or_create(
            slug=slug, defaults={k: v for k, v in fields.items() if k != "slug"}
        )


def seed_through_services() -> None:
    councils = list(Council.objects.filter(slug__in=_council_slugs()).order_by("region", "name"))
    files = illustrative_files(councils)
    files["unregulated-placements-16-17"] = _csv(*PUBLISHED_FILE)
    for dataset in Dataset.objects.filter(slug__in=files):
        if dataset.versions.exists():
            continue
        uploaded = files[dataset.slug]
        services.dataset_columns_from_file(dataset=dataset, uploaded=uploaded)
        services.dataset_version_upload(dataset=dataset, uploaded=uploaded, note="Demo data")
    _pages()


def _council_slugs() -> list[str]:
    return [name.lower().replace(" ", "-") for entries in COUNCILS.values() for name, _ in entries]


def _pages() -> None:
    measures = {
        (m.dataset.slug, m.slug): m for m in Measure.objects.select_related("dataset").all()
    }
    for slug, title, topic, summary, commentary, related, charts in PAGES:
        page = DataPage.objects.filter(slug=slug).first() or DataPage(slug=slug)
        page.title = title
        page.topic = Topic.objects.get(slug=topic)
        page.summary = summary
        page.commentary = commentary
        page.is_published = True
        services.data_page_prepare(page=page, now=timezone.now())
        page.save()
        page.related_resources.set(Resource.objects.filter(slug__in=related))
        page.charts.all().delete()
        for order, (chart_title, kind, dataset, measure, dimension, per_10k) in enumerate(charts):
            Chart.objects.create(
                page=page,
                title=chart_title,
                kind=kind,
                measure=measures[(dataset, measure)],
                dimension=dimension,
                per_10k_children=per_10k,
                order=order,
            )
