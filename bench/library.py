"""Library search benchmark: a large generated library in PostgreSQL, then search timings.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_bench \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/library.py [--scale 100k|1m | --resources N] [--reuse]

Generation happens inside PostgreSQL (bench/library_data.py): every resource, its
topics, audiences, attachments and search entry are written by INSERT ... SELECT over
generate_series, their texts put together from a pool of 20,000 sentences of the demo
library with a Zipf-distributed wider vocabulary, over two connections, never one ORM
save per row. Up to 200,000 resources, bodies of about 250-1,500 words and a third of
resources with an attachment of 1,000-4,000 words; above, shorter resources (see
library_data.sizes_for). The time generation took is printed.

Timing (with DEBUG off and the other production settings, bench/production.py): each
page is requested through Django's test Client in this process, and the
figure is the wall time of `client.get()`: URL routing, middleware, the view, its SQL
and the template, without any network or front server. The SQL query count per page
is captured at the same time. Facet counts may be cached (see practice_library/search/cache.py);
"cold" figures clear the cache before every request, "warm" repeat the same requests.

Set REDIS_URL as in production: without it the cache is Django's in-process local
memory, which keeps only 300 entries, fewer than 200 searches need. Clearing the cache
empties that whole Redis database, so give the bench a database of its own.

The database named in DATABASE_URL is emptied of library content first: its name must
contain "bench".
"""

import argparse
import logging
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from production import production_settings  # noqa: E402 (bench/, the script's own folder)

production_settings()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from library_data import (  # noqa: E402 (bench/, the script's own folder)
    AUDIENCES,
    SEED,
    corpus,
    generate,
)
from library_words import EXTRA_WORDS, PLACES  # noqa: E402

from network.models import Topic  # noqa: E402
from practice_library.models import ResourceType  # noqa: E402

SCALES = {"100k": 100_000, "1m": 1_000_000}


def queries(rng: random.Random) -> list[dict]:
    """200 fixed searches: one word, several words, quoted phrases; half with facets."""
    sentences, _, _ = corpus()
    words = sorted(
        {w.lower() for s in sentences for w in re.findall(r"[A-Za-z][a-z]{3,}", s)}
        | {w.lower() for w in PLACES + EXTRA_WORDS}
    )
    phrases = sorted(
        {
            " ".join(m)
            for s in sentences
            for m in zip(s.split()[:-1], s.split()[1:], strict=False)
            if all(re.fullmatch(r"[A-Za-z]{4,}", w) for w in m)
        }
    )
    type_slugs = list(ResourceType.objects.values_list("slug", flat=True))
    topic_slugs = list(Topic.objects.values_list("slug", flat=True))
    found = []
    for i in range(200):
        kind = ["one word", "several words", "quoted phrase"][i % 3]
        if kind == "one word":
            q = rng.choice(words)
        elif kind == "several words":
            q = " ".join(rng.sample(words, rng.randint(2, 4)))
        else:
            q = f'"{rng.choice(phrases)}"'
        params: dict = {"q": q}
        if i % 2:
            facet = rng.choice(["type", "topic", "audience", "year"])
            params[facet] = {
                "type": lambda: rng.choice(type_slugs),
                "topic": lambda: rng.choice(topic_slugs),
                "audience": lambda: rng.choice(AUDIENCES),
                "year": lambda: str(rng.randint(2016, 2025)),
            }[facet]()
        found.append({"kind": kind, "facets": bool(i % 2), "params": params})
    return found


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


HITS: dict[str, int] = {}
ESTIMATED: set[str] = set()  # searches whose number of results was an estimate


def timed_get(client: Client, url: str, *, cold: bool) -> tuple[float, int]:
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    found = re.search(
        rb'id="results-heading"[^>]*>\s*(?:About )?([0-9,]+) resource', response.content
    )
    HITS[url] = int(found.group(1).replace(b",", b"")) if found else 0
    if found and b"About " in found.group(0):
        ESTIMATED.add(url)
    return elapsed, len(captured)


def report(label: str, timings: list[float], counts: list[int]) -> None:
    print(
        f"  {label:<34} n={len(timings):<4} p50 {percentile(timings, 50):7.1f} ms   "
        f"p95 {percentile(timings, 95):7.1f} ms   p99 {percentile(timings, 99):7.1f} ms   "
        f"queries {min(counts)}-{max(counts)}"
    )


def measure() -> None:
    client = Client()
    searches = queries(random.Random(SEED))
    urls = [f"/library/?{urlencode(s['params'], doseq=True)}" for s in searches]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM practice_library_resource")
        resources = cursor.fetchone()[0]
        # Whether the search entries fit in PostgreSQL's own buffers decides a first
        # search's time at 1,000,000 resources: printed with the figures.
        cursor.execute(
            "SELECT current_setting('shared_buffers'), "
            "pg_size_pretty(pg_relation_size('practice_library_searchentry')), "
            "pg_size_pretty(pg_total_relation_size('practice_library_searchentry'))"
        )
        shared_buffers, entries, with_indexes = cursor.fetchone()
    print(
        f"Library: {resources:,} resources; load before: {os.getloadavg()[0]:.2f}; "
        f"PostgreSQL shared_buffers {shared_buffers}; search entries {entries} "
        f"({with_indexes} with their indexes)"
    )
    # Warm PostgreSQL's and the OS's caches the way a running site is warm.
    for url in urls[:20]:
        client.get(url)
    for mode in ("cold", "warm"):
        if mode == "cold":
            print("Search, cold: the cache is emptied before each request (a first search):")
        else:
            for url in urls:  # each search once, so that the timed requests repeat it
                client.get(url)
            print("Search, warm: the same searches again (cached counts and page ids):")
        results = [timed_get(client, url, cold=mode == "cold") for url in urls]
        timings = [t for t, _ in results]
        counts = [c for _, c in results]
        report("all 200 searches", timings, counts)
        for kind in ("one word", "several words", "quoted phrase"):
            picked = [r for r, s in zip(results, searches, strict=True) if s["kind"] == kind]
            report(kind, [t for t, _ in picked], [c for _, c in picked])
        for facets in (False, True):
            picked = [r for r, s in zip(results, searches, strict=True) if s["facets"] == facets]
            label = "with a facet" if facets else "without facets"
            report(label, [t for t, _ in picked], [c for _, c in picked])
    hits = sorted(HITS[url] for url in urls)
    print(
        f"  resources found per search: median {percentile(hits, 50):,}, "
        f"p95 {percentile(hits, 95):,}, max {hits[-1]:,}; "
        f"{sum(1 for h in hits if h == 0)} of 200 found nothing; "
        f"{len(ESTIMATED & set(urls))} of 200 showed an estimated number"
    )
    print("Browsing (no search text):")
    pages = {
        "index, first page": "/library/",
        "index, page 50": "/library/?page=50",
        "facet page: one topic": f"/library/?topic={Topic.objects.first().slug}",
        "facet page: type + year": (
            f"/library/?type={ResourceType.objects.first().slug}&year=2022"
        ),
        "facet page: audience, newest": "/library/?audience=commissioner&sort=newest",
    }
    for label, url in pages.items():
        results = [timed_get(client, url, cold=True) for _ in range(20)]
        report(label, [t for t, _ in results], [c for _, c in results])
    print(f"Load after: {os.getloadavg()[0]:.2f} (2 cores; 1-minute load average)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--resources", type=int, help="how many resources (default 100,000)")
    size.add_argument(
        "--scale", choices=sorted(SCALES), help="100k or 1m resources (sizes: library_data.py)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure the library already in the database"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Refusing to empty a database whose name does not contain 'bench'.")
    settings.ALLOWED_HOSTS = ["testserver"]
    logging.disable(logging.INFO)  # one log line per request would drown the figures
    if not args.reuse:
        generate(SCALES[args.scale] if args.scale else args.resources or 100_000)
    measure()


if __name__ == "__main__":
    main()
