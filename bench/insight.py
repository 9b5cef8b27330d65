"""Insight benchmark: two years of counted activity for 5,000 members in 300
organisations, then the dashboard's and an organisation page's timings, and the
rollup task's time for one day.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_insight_bench \\
        .venv/bin/python bench/insight.py [--members 5000] [--organisations 300] [--days 730]

What is generated (streamed into PostgreSQL with COPY, never one ORM save per row):
- 300 organisations (a third commissioners) with 10 seats each and an active
  subscription (a third billed by invoice), and the remaining members on personal
  monthly or annual subscriptions: 5,000 members in all;
- 200 resources and 6 forum rooms to be the subjects of the counts;
- daily counts (DailyActivity) for every day of two years, per organisation and kind:
  reads and downloads of a few resources, forum posts, sign-ins, event attendance;
  members by type, region and source (MemberCount) and subscribers (SubscriberCount);
- raw events (ActivityEvent) for the last 95 days (what personal_data.py keeps): about
  3,000 a day.

Timing: each page is requested through Django's test Client in this process, and the
figure is the wall time of `client.get()` (routing, middleware, view, SQL, template),
with no network or front server; the SQL query count is captured at the same time.

The dashboard and organisation pages keep their figures (charts drawn) in the cache
for ten minutes: "cold" clears the cache before each request (the figures are counted
and drawn), "warm" is every other request in those ten minutes. Clearing the cache
empties that whole Redis database, so give the bench a database of its own.

The database named in DATABASE_URL is emptied of the bench's rows first (--reuse keeps
them): its name must contain "bench".
"""

import argparse
import io
import logging
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

import django  # noqa: E402

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from forum.models import Category  # noqa: E402
from insight import services  # noqa: E402
from insight.models import (  # noqa: E402
    ActivityEvent,
    DailyActivity,
    Kind,
    MemberCount,
    SubscriberCount,
)
from members.models import (  # noqa: E402
    MemberType,
    Organisation,
    Plan,
    Region,
    Seat,
    Subscription,
    User,
)
from practice_library.models import Resource, ResourceType  # noqa: E402

SEED = 16
REQUESTS = 30
DOMAIN = "insight-bench.example"


def _copy(table: str, columns: list[str], rows) -> int:
    def escape(value) -> str:
        return r"\N" if value is None else str(value).replace("\t", " ").replace("\n", " ")

    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(escape(v) for v in row) + "\n")
        count += 1
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return count


def wipe() -> None:
    for model in (ActivityEvent, DailyActivity, MemberCount, SubscriberCount):
        model.objects.all().delete()
    Subscription.objects.filter(user__email__endswith=DOMAIN).delete()
    Subscription.objects.filter(organisation__slug__startswith="bench-").delete()
    Seat.objects.filter(organisation__slug__startswith="bench-").delete()
    Organisation.objects.filter(slug__startswith="bench-").delete()
    User.objects.filter(email__endswith=DOMAIN).delete()
    Resource.objects.filter(slug__startswith="bench-").delete()
    Category.objects.filter(slug__startswith="bench-").delete()
    Plan.objects.filter(slug__startswith="bench-").delete()


def people(rng: random.Random, members: int, organisations: int):
    types = [MemberType.PROVIDER, MemberType.COMMISSIONER, MemberType.POLICY]
    regions = [value for value, _ in Region.choices]
    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench organisation {n}",
            slug=f"bench-{n}",
            org_type=types[n % 2],
            region=regions[n % len(regions)],
        )
        for n in range(organisations)
    )
    users = User.objects.bulk_create(
        User(
            email=f"person{n}@{DOMAIN}",
            name=f"Person {n}",
            region=rng.choice(regions),
            member_type=rng.choice(types),
        )
        for n in range(members)
    )
    monthly = Plan.objects.create(
        name="Bench monthly",
        slug="bench-monthly",
        member_type=MemberType.PROVIDER,
        holder=Plan.Holder.INDIVIDUAL,
        interval=Plan.Interval.MONTH,
        price_pence=1500,
    )
    annual = Plan.objects.create(
        name="Bench annual",
        slug="bench-annual",
        member_type=MemberType.PROVIDER,
        holder=Plan.Holder.INDIVIDUAL,
        interval=Plan.Interval.YEAR,
        price_pence=15000,
    )
    council = Plan.objects.create(
        name="Bench organisation",
        slug="bench-org",
        member_type=MemberType.COMMISSIONER,
        holder=Plan.Holder.ORGANISATION,
        interval=Plan.Interval.YEAR,
        price_pence=12000,
        seats=10,
    )
    seated = organisations * 10
    Seat.objects.bulk_create(
        Seat(organisation=orgs[n // 10], user=users[n], is_admin=n % 10 == 0, slot=n % 10 + 1)
        for n in range(min(seated, members))
    )
    period_end = timezone.now() + timedelta(days=200)
    Subscription.objects.bulk_create(
        [
            Subscription(
                organisation=org,
                plan=council,
                status="active",
                quantity=10,
                collection_method="send_invoice" if n % 3 == 0 else "charge_automatically",
                current_period_end=period_end,
            )
            for n, org in enumerate(orgs)
        ]
        + [
            Subscription(
                user=user,
                plan=monthly if n % 2 else annual,
                status="active",
                current_period_end=period_end,
            )
            for n, user in enumerate(users[seated:])
        ]
    )
    return orgs, users


def subjects() -> tuple[list[int], list[int]]:
    kind = ResourceType.objects.first() or ResourceType.objects.create(name="Guide", slug="guide")
    resources = Resource.objects.bulk_create(
        Resource(
            title=f"Bench resource {n}",
            slug=f"bench-resource-{n}",
            resource_type=kind,
            status="published",
            published_at=timezone.now() - timedelta(days=800),
            summary="Generated for the insight bench.",
        )
        for n in range(200)
    )
    rooms = Category.objects.bulk_create(
        Category(name=f"Bench room {n}", slug=f"bench-room-{n}") for n in range(6)
    )
    return [r.pk for r in resources], [c.pk for c in rooms]


def daily_counts(rng, orgs, resources, rooms, days: int) -> int:
    today = timezone.localdate()
    regions = [value for value, _ in Region.choices]

    def rows():
        for offset in range(days):
            day = today - timedelta(days=offset)
            for org in orgs:
                if rng.random() < 0.3:
                    continue  # a quiet day
                for subject in rng.sample(resources, 2):
                    n = rng.randint(1, 6)
                    yield (
                        day,
                        Kind.RESOURCE_VIEW,
                        org.pk,
                        org.org_type,
                        org.region,
                        subject,
                        "",
                        n,
                        min(n, rng.randint(1, 4)),
                    )
                yield (
                    day,
                    Kind.RESOURCE_DOWNLOAD,
                    org.pk,
                    org.org_type,
                    org.region,
                    rng.choice(resources),
                    "",
                    1,
                    1,
                )
                yield (
                    day,
                    Kind.SIGN_IN,
                    org.pk,
                    org.org_type,
                    org.region,
                    None,
                    "",
                    rng.randint(1, 8),
                    rng.randint(1, 5),
                )
                if rng.random() < 0.3:
                    yield (
                        day,
                        Kind.FORUM_REPLY,
                        org.pk,
                        org.org_type,
                        org.region,
                        rng.choice(rooms),
                        "",
                        rng.randint(1, 3),
                        1,
                    )
            for region in regions:  # personal members, no organisation
                yield (
                    day,
                    Kind.RESOURCE_VIEW,
                    None,
                    MemberType.PROVIDER,
                    region,
                    rng.choice(resources),
                    "",
                    rng.randint(1, 20),
                    rng.randint(1, 10),
                )
            for term in ("staffing rotas", "regulation 45", "ofsted sccif")[: rng.randint(0, 3)]:
                yield (day, Kind.LIBRARY_SEARCH_EMPTY, None, "", "", None, term, 1, 0)

    columns = [
        "day",
        "kind",
        "organisation_id",
        "member_type",
        "region",
        "subject_id",
        "term",
        "count",
        "people",
    ]
    written = _copy(DailyActivity._meta.db_table, columns, rows())
    sources = ["personal", "seat", "grant"]
    _copy(
        MemberCount._meta.db_table,
        ["day", "member_type", "region", "source", "members"],
        (
            (today - timedelta(days=offset), member_type, region, source, rng.randint(10, 80))
            for offset in range(days)
            for member_type in (MemberType.PROVIDER, MemberType.COMMISSIONER, MemberType.POLICY)
            for region in regions
            for source in sources
        ),
    )
    _copy(
        SubscriberCount._meta.db_table,
        ["day", "subscribers"],
        ((today - timedelta(days=offset), 4000 - offset) for offset in range(days)),
    )
    return written


def raw_events(rng, orgs, users, resources, per_day: int) -> int:
    now = timezone.now()
    seat_of = {
        seat.user_id: seat.organisation for seat in Seat.objects.select_related("organisation")
    }
    kinds = [Kind.RESOURCE_VIEW] * 6 + [Kind.RESOURCE_DOWNLOAD, Kind.SIGN_IN, Kind.SIGN_IN]

    def rows():
        for offset in range(95):
            for _ in range(per_day):
                user = rng.choice(users)
                org = seat_of.get(user.pk)
                kind = rng.choice(kinds)
                at = now - timedelta(days=offset, seconds=rng.randint(0, 86_000))
                yield (
                    uuid.uuid4(),
                    kind,
                    at.isoformat(),
                    user.pk,
                    org.pk if org else None,
                    org.org_type if org else MemberType.PROVIDER,
                    user.region,
                    rng.choice(resources) if kind != Kind.SIGN_IN else None,
                    "",
                    1,
                )

    columns = [
        "uid",
        "kind",
        "at",
        "user_id",
        "organisation_id",
        "member_type",
        "region",
        "subject_id",
        "term",
        "count",
    ]
    return _copy(ActivityEvent._meta.db_table, columns, rows())


def timed(client: Client, path: str, params: dict, *, cold: bool = False) -> tuple[float, int]:
    if cold:
        cache.clear()  # the figures are drawn again (as after each ten minutes)
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = client.get(path, params)
        elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed, len(captured.captured_queries)


def report(name: str, figures: list[tuple[float, int]]) -> None:
    times = sorted(ms for ms, _ in figures)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"{name:<40} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
        f"queries {max(q for _, q in figures)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--events-per-day", type=int, default=3000)
    parser.add_argument("--reuse", action="store_true", help="keep the generated data")
    args = parser.parse_args()
    if not settings.USING_POSTGRES or "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    logging.disable(logging.INFO)
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    started = time.perf_counter()
    if not (args.reuse and Organisation.objects.filter(slug__startswith="bench-").exists()):
        wipe()
        orgs, users = people(rng, args.members, args.organisations)
        resources, rooms = subjects()
        written = daily_counts(rng, orgs, resources, rooms, args.days)
        events = raw_events(rng, orgs, users, resources, args.events_per_day)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"generated {len(users):,} members, {len(orgs):,} organisations, {written:,} "
            f"daily counts over {args.days} days, {events:,} raw events in "
            f"{time.perf_counter() - started:.0f} s"
        )

    yesterday = timezone.localdate() - timedelta(days=1)
    durations = []
    for _ in range(3):
        start = time.perf_counter()
        rows = services.activity_rollup(day=yesterday)
        durations.append(time.perf_counter() - start)
    print(f"rollup of one day ({rows:,} rows): median {statistics.median(durations):.2f} s")

    staff = User.objects.filter(email=f"staff@{DOMAIN}").first() or User.objects.create(
        email=f"staff@{DOMAIN}", name="Bench staff", is_staff=True, is_superuser=True
    )
    Authenticator.objects.get_or_create(
        user=staff, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    client = Client()
    client.force_login(staff)
    for period in ("30d", "quarter", "year"):
        params = {"period": period}
        report(
            f"dashboard, {period}, cold",
            [timed(client, "/admin/insight/", params, cold=True) for _ in range(REQUESTS)],
        )
        report(
            f"dashboard, {period}, warm",
            [timed(client, "/admin/insight/", params) for _ in range(REQUESTS)],
        )
    admins = {
        seat.organisation.slug: seat.user
        for seat in Seat.objects.filter(
            is_admin=True, organisation__slug__startswith="bench-"
        ).select_related("organisation", "user")
    }
    for period in ("30d", "year"):
        cold, warm = [], []
        for slug in rng.sample(sorted(admins), REQUESTS):
            org_client = Client()
            org_client.force_login(admins[slug])
            path = f"/insight/organisations/{slug}/"
            cold.append(timed(org_client, path, {"period": period}, cold=True))
            warm.append(timed(org_client, path, {"period": period}))
        report(f"organisation page, {period}, cold", cold)
        report(f"organisation page, {period}, warm", warm)


if __name__ == "__main__":
    main()
