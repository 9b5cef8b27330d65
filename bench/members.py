"""Benchmark the access policy and the organisation page; prints figures, asserts nothing.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/net_bench \\
        .venv/bin/python bench/members.py [--people 2000] [--seats 200]

Without DATABASE_URL it uses a throwaway SQLite file under var/. The database is migrated
and filled with fictional people; run it against a database made for benchmarks only.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-members.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from members import access  # noqa: E402
from members.models import (  # noqa: E402
    MemberType,
    Organisation,
    Plan,
    Seat,
    Subscription,
    SubscriptionStatus,
    User,
)


def timed(function, repeat: int) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def fill(people: int, seats: int) -> tuple[Organisation, User]:
    User.objects.filter(email__endswith="@bench.example.net").delete()
    Organisation.objects.filter(slug__startswith="bench-").delete()
    plan, _ = Plan.objects.get_or_create(
        slug="bench-organisation",
        defaults={
            "name": "Bench organisation",
            "member_type": MemberType.PROVIDER,
            "holder": Plan.Holder.ORGANISATION,
            "interval": Plan.Interval.YEAR,
            "price_pence": 100000,
            "seats": seats,
        },
    )
    organisation = Organisation.objects.create(
        name="Bench Homes (fictional)", slug="bench-homes", org_type=MemberType.PROVIDER
    )
    Subscription.objects.create(
        organisation=organisation, plan=plan, quantity=seats, status=SubscriptionStatus.ACTIVE
    )
    users = User.objects.bulk_create(
        User(email=f"person{n}@bench.example.net", name=f"Person {n}") for n in range(people)
    )
    Seat.objects.bulk_create(
        Seat(organisation=organisation, user=user, slot=n + 1, is_admin=n == 0)
        for n, user in enumerate(users[:seats])
    )
    return organisation, users[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=200)
    options = parser.parse_args()

    call_command("migrate", verbosity=0)
    organisation, admin = fill(options.people, options.seats)
    print(f"database: {connection.vendor}; people: {options.people}; seats: {options.seats}")

    def membership_of_admin():
        access.forget(admin)
        access.membership(admin)

    with CaptureQueriesContext(connection) as queries:
        membership_of_admin()
    median, p95 = timed(membership_of_admin, 200)
    print(
        f"access.membership(seat holder): {median:.2f} ms median, {p95:.2f} ms p95, "
        f"{len(queries)} queries"
    )

    median, p95 = timed(lambda: User.objects.filter(access.members_now_q()).count(), 20)
    print(f"members_now_q() count over everyone: {median:.1f} ms median, {p95:.1f} ms p95")

    client = Client()
    client.force_login(admin)
    url = f"/account/organisation/{organisation.slug}/"
    client.get(url)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    median, p95 = timed(lambda: client.get(url), 20)
    print(
        f"organisation page ({options.seats} seats): {median:.1f} ms median, {p95:.1f} ms p95, "
        f"{len(queries)} queries, status {status}"
    )


if __name__ == "__main__":
    main()
