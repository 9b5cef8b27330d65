"""Admin change lists on a large forum and library: the pages staff open to find posts
and resources. Prints figures.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_bench \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/admin.py [--runs 10]

Run it on a database that bench/forum.py (--keep) and bench/library.py filled: 200,000
posts and 100,000 resources, or --scale 2m and 1m. It adds one staff account (with an
authenticator, which the admin asks of staff) and changes nothing else.

Each list is requested `--runs` times through Django's test client, DEBUG off, as
staff: the wall time of the request (the database's part printed apart), and its number
of queries. Lists are counted up to network.admin_lists.COUNT_UP_TO rows.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from production import production_settings  # noqa: E402 (bench/, the script's own folder)

production_settings()

import django  # noqa: E402

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from forum.models import Post, Thread  # noqa: E402
from members.models import User  # noqa: E402
from practice_library.models import Resource  # noqa: E402


def staff_client() -> Client:
    staff, _ = User.objects.get_or_create(
        email="bench-staff@example.org",
        defaults={"name": "Bench Staff", "is_staff": True, "is_superuser": True},
    )
    Authenticator.objects.get_or_create(
        user=staff, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench"}}
    )
    client = Client()
    client.force_login(staff)
    return client


def lists() -> dict[str, str]:
    """The lists to time, with words that the bench data holds."""
    author = User.objects.filter(forum_posts__isnull=False).order_by("pk").first()
    thread = Thread.objects.order_by("pk").first()
    newest = Post.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    published = (
        Resource.objects.filter(published_at__isnull=False)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    found = {
        "posts": "/admin/forum/post/",
        "posts, page 50": "/admin/forum/post/?p=49",
        "posts, visible": "/admin/forum/post/?state__exact=visible",
        "posts, held": "/admin/forum/post/?state__exact=held",
    }
    if newest:
        found["posts, one year"] = f"/admin/forum/post/?created_at_year={newest.year}"
    if author:
        found["posts, search: an author's surname"] = (
            f"/admin/forum/post/?q={author.name.split()[-1]}"
        )
    if thread:
        found["posts, search: a word of titles"] = f"/admin/forum/post/?q={thread.title.split()[0]}"
    found.update(
        {
            "resources": "/admin/practice_library/resource/",
            "resources, published": "/admin/practice_library/resource/?status__exact=published",
            "resources, search: a common word": "/admin/practice_library/resource/?q=placement",
            "resources, search: a word in none": "/admin/practice_library/resource/?q=zqxjkv",
        }
    )
    if published:
        found["resources, one year"] = (
            f"/admin/practice_library/resource/?published_at_year={published.year + 1}"
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if connection.vendor != "postgresql" or "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    settings.ALLOWED_HOSTS = ["testserver"]
    logging.disable(logging.INFO)
    client = staff_client()
    print(
        f"{Post.objects.count():,} posts, {Resource.objects.count():,} resources; "
        f"load before: {os.getloadavg()[0]:.2f}"
    )
    for label, url in lists().items():
        client.get(url)  # the first request compiles templates and warms the caches
        times, database, queries = [], [], 0
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            database.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            queries = len(captured)
        times.sort()
        print(
            f"  {label:<40} p50 {statistics.median(times):7.1f} ms   "
            f"p95 {times[max(0, round(0.95 * len(times)) - 1)]:7.1f} ms   "
            f"database p50 {statistics.median(database):6.1f} ms   queries {queries}"
        )
    print(f"Load after: {os.getloadavg()[0]:.2f} (2 cores; 1-minute load average)")


if __name__ == "__main__":
    main()
