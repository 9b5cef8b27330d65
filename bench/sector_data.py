"""Benchmark of the data pages with ten years of data for every council. Prints figures.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_bench \\
        .venv/bin/python bench/sector_data.py [--councils 153] [--runs 60] [--keep]

Creates `--councils` fictional councils across the nine regions (England has 153 with
children's services) and loads, through the same upload service editors use, three
datasets of ten years each for every council: homes and places (two measures), homes by
Ofsted rating (four lines per council and year) and children by age band (four). Then
three data pages like the demo's (seven charts between them: lines, bars by region per
10,000 children, stacked bars) are requested `--runs` times through Django's test client,
as a member (for England, a region and a council), as a visitor (the teaser) and as a
member downloading a chart's CSV; it prints p50/p95 server time, the queries and the
CPU time of the web process. The target is p95 under 50 ms for a data page.
The database is created if missing; --keep reuses the data already loaded.
"""

import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/network_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

YEARS = range(2014, 2024)
PREFIX = "bench-"


def ensure_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    connection = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _file(header: list[str], rows: list[list]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("bench.csv", buffer.getvalue().encode(), content_type="text/csv")


def fill(councils: int) -> None:
    from members.models import Region
    from network.models import Topic
    from sector_data import services
    from sector_data.models import (
        Chart,
        ChartDimension,
        ChartKind,
        Council,
        DataPage,
        Dataset,
        Observation,
    )

    started = time.perf_counter()
    DataPage.objects.filter(slug__startswith=PREFIX).delete()
    Observation.objects.filter(version__dataset__slug__startswith=PREFIX).delete()
    Dataset.objects.filter(slug__startswith=PREFIX).delete()
    Council.objects.filter(slug__startswith=PREFIX).delete()
    rng = random.Random(7)
    regions = [value for value, _ in Region.choices]
    created = Council.objects.bulk_create(
        Council(
            name=f"Bench council {n} (fictional)",
            slug=f"{PREFIX}council-{n}",
            region=regions[n % len(regions)],
            child_population=rng.randint(20_000, 300_000),
        )
        for n in range(councils)
    )
    homes_rows, rating_rows, age_rows = [], [], []
    for council in created:
        for year in YEARS:
            homes = rng.randint(3, 60)
            homes_rows.append([year, council.name, homes, homes * 4])
            for rating in ("Outstanding", "Good", "Requires improvement", "Inadequate"):
                rating_rows.append([year, council.name, rating, rng.randint(0, 20)])
            for band in ("Under 10", "10 to 13", "14 to 15", "16 to 17"):
                age_rows.append([year, council.name, band, rng.randint(0, 80)])
    files = {
        "homes": _file(["Year", "Council", "Children's homes", "Places"], homes_rows),
        "ratings": _file(["Year", "Council", "Overall rating", "Homes"], rating_rows),
        "ages": _file(["Year", "Council", "Age band", "Children"], age_rows),
    }
    measures = {}
    for key, uploaded in files.items():
        dataset = Dataset.objects.create(
            title=f"Bench {key}", slug=f"{PREFIX}{key}", source_organisation="Bench",
            period_covered="2014 to 2023", is_illustrative=True,
        )  # fmt: skip
        services.dataset_columns_from_file(dataset=dataset, uploaded=uploaded)
        services.dataset_version_upload(dataset=dataset, uploaded=uploaded)
        for measure in dataset.measures.all():
            measures[(key, measure.slug)] = measure
    topic, _ = Topic.objects.get_or_create(slug="data-and-research", defaults={"name": "Data"})
    pages = {
        "homes": [
            ("Homes", ChartKind.LINE, ("homes", "childrens-homes"), "", False),
            ("Places per 10,000", ChartKind.REGION_BARS, ("homes", "places"), "", True),
            ("Places", ChartKind.LINE, ("homes", "places"), "", False),
        ],
        "ratings": [
            ("Ratings", ChartKind.STACKED, ("ratings", "homes"), ChartDimension.RATING, False),
            ("Homes per 10,000", ChartKind.REGION_BARS, ("ratings", "homes"), "", True),
        ],
        "ages": [
            ("Ages", ChartKind.STACKED, ("ages", "children"), ChartDimension.AGE_BAND, False),
            ("Children per 10,000", ChartKind.LINE, ("ages", "children"), "", True),
        ],
    }
    for key, charts in pages.items():
        page = DataPage.objects.create(
            title=f"Bench {key}", slug=f"{PREFIX}{key}", topic=topic, summary="Bench.",
            is_published=True,
        )  # fmt: skip
        for order, (title, kind, measure, dimension, per_10k) in enumerate(charts):
            Chart.objects.create(
                page=page, title=title, kind=kind, measure=measures[measure],
                dimension=dimension, per_10k_children=per_10k, order=order,
            )  # fmt: skip
    total = Observation.objects.filter(version__dataset__slug__startswith=PREFIX).count()
    print(
        f"Loaded {councils} councils x {len(YEARS)} years: {total:,} figures "
        f"in {time.perf_counter() - started:.1f} s"
    )


def member():
    from django.utils import timezone

    from members.models import Plan, Subscription, User

    user, _ = User.objects.get_or_create(
        email="bench-data-reader@example.org",
        defaults={"name": "Bench Reader", "member_type": "commissioner"},
    )
    plan, _ = Plan.objects.get_or_create(
        slug="bench-provider",
        defaults={"name": "Bench", "member_type": "provider", "holder": "individual",
                  "interval": "year", "price_pence": 12000},
    )  # fmt: skip
    Subscription.objects.get_or_create(
        user=user,
        defaults={"plan": plan, "status": "active", "stripe_subscription_id": "sub_bench_data",
                  "current_period_end": timezone.now() + timezone.timedelta(days=30)},
    )  # fmt: skip
    return user


def measure(label: str, request, runs: int) -> float:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        request()  # warm caches and connections
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = request()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (label, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        request()
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    print(
        f"{label:<44} p50 {statistics.median(timings):6.1f} ms   p95 {p95:6.1f} ms   "
        f"{len(queries.captured_queries):3d} queries   "
        f"(web process CPU p50 {statistics.median(cpu):5.1f} ms)"
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=153)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="reuse the data already loaded")
    options = parser.parse_args()
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("bench/sector_data.py measures PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from sector_data.models import Chart, DataPage

    if not options.keep or not DataPage.objects.filter(slug__startswith=PREFIX).exists():
        fill(options.councils)
    client = Client()
    client.force_login(member())
    visitor = Client()
    council = f"{PREFIX}council-4"
    worst = []
    measure("baseline: /about/", lambda: client.get("/about/"), options.runs)
    for key in ("homes", "ratings", "ages"):
        url = f"/data/{PREFIX}{key}/"
        worst.append(measure(f"{url} (member, England)", lambda u=url: client.get(u), options.runs))
        worst.append(
            measure(
                f"{url}?region=london",
                lambda u=url: client.get(u, {"region": "london"}),
                options.runs,
            )
        )
        worst.append(
            measure(
                f"{url}?council=… (beside region, England)",
                lambda u=url: client.get(u, {"council": council}),
                options.runs,
            )
        )
        worst.append(
            measure(f"{url} (visitor: teaser)", lambda u=url: visitor.get(u), options.runs)
        )
    chart = Chart.objects.filter(page__slug=f"{PREFIX}homes").order_by("order").first()
    csv_url = f"/data/{PREFIX}homes/charts/{chart.pk}.csv"
    measure(
        "a chart's CSV (council)", lambda: client.get(csv_url, {"council": council}), options.runs
    )
    print(f"Worst data-page p95: {max(worst):.1f} ms (target: under 50 ms)")


if __name__ == "__main__":
    main()
