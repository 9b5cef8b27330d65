"""Library search benchmark: a large generated library in PostgreSQL, then search timings.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_bench \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/library.py [--resources 100000] [--reuse]

Generation is set-based: the rows are streamed into PostgreSQL with COPY and the search
entries are built by the same INSERT ... SELECT that the site uses
(services.SEARCH_ENTRIES_UPSERT_SQL), 5,000 resources per statement, never one ORM save
per row. Text comes from the sentences of the demo library with a quarter of their words
swapped for words of a wider vocabulary (see TextMaker): bodies of about 250-1,500
words; a third of resources carry an attachment of about 1,000-4,000 words of text.

Timing: each page is requested through Django's test Client in this process, and the
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
import io
import logging
import os
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from network.models import Topic  # noqa: E402
from practice_library import demo  # noqa: E402
from practice_library.models import ResourceType  # noqa: E402
from practice_library.search import library_changed  # noqa: E402
from practice_library.services import SEARCH_ENTRIES_UPSERT_SQL  # noqa: E402

SEED = 20260101
ACCESS_LEVELS = ["public"] * 3 + ["registered"] * 2 + ["members"] * 5
AUDIENCES = ["provider", "commissioner", "policy"]
# Rarer words mixed into generated text, so that not every word is in every resource.
PLACES = [
    "Northmoor",
    "Eastfield",
    "Harbourside",
    "Westbrook",
    "Kingsmere",
    "Ashdale",
    "Riverton",
    "Fernhill",
    "Marlow",
    "Oakridge",
    "Stonebridge",
    "Larkhill",
    "Thornbury",
    "Millbrook",
    "Cresthaven",
    "Brackenfield",
]
EXTRA_WORDS = [
    "keyworker",
    "handover",
    "supervision",
    "rota",
    "induction",
    "debrief",
    "restorative",
    "attachment",
    "resilience",
    "advocacy",
    "mentoring",
    "apprenticeship",
    "tutoring",
    "allotment",
    "football",
    "music",
    "independence",
    "budgeting",
    "cooking",
    "tenancy",
    "employment",
    "volunteering",
    "counselling",
    "neurodiversity",
    "autism",
    "dyslexia",
    "speech",
    "language",
    "therapy",
    "physiotherapy",
    "dentist",
    "immunisation",
    "nutrition",
    "sleep",
    "exercise",
    "wellbeing",
    "mindfulness",
    "bereavement",
    "loss",
    "contact",
    "family",
    "siblings",
    "grandparents",
    "fostering",
    "adoption",
    "kinship",
    "guardianship",
    "commissioning",
    "procurement",
    "tender",
    "framework",
    "spot",
    "purchase",
    "invoice",
    "budget",
    "forecast",
    "occupancy",
    "vacancy",
    "referral",
    "matching",
    "impact",
    "risk",
    "assessment",
    "statement",
    "purpose",
    "notification",
    "complaint",
    "whistleblowing",
    "allegation",
    "designated",
    "officer",
    "police",
    "exploitation",
    "county",
    "lines",
    "trafficking",
    "online",
    "grooming",
    "radicalisation",
    "missing",
    "return",
    "interview",
    "curfew",
    "boundaries",
    "sanctions",
    "rewards",
    "consequences",
    "de-escalation",
    "restraint",
    "physical",
    "intervention",
    "recording",
    "audit",
    "governance",
    "board",
    "trustees",
]


def corpus() -> tuple[list[str], list[str], list[str]]:
    """(sentences, titles, summaries) from the demo library and its attached files."""
    sentences: list[str] = []
    titles: list[str] = []
    summaries: list[str] = []
    for row in demo.RESOURCES:
        title, summary, points = row[1], row[8], row[9]
        titles.append(title)
        summaries.append(summary)
        sentences.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", summary) if s.strip())
        sentences.extend(points)
    for _, _, heading, lines in demo.PDFS:
        titles.append(heading)
        sentences.extend(lines)
    sentences.extend(demo.INTRO_BY_TYPE.values())
    return sentences, titles, summaries


class TextMaker:
    """Text that reads like the library's: sentences of the demo resources in which about
    a quarter of the words are swapped for words of a wider vocabulary drawn with Zipf's
    law (a few are everywhere, most are rare), so that common words match most resources
    and rarer ones a few, as in a real collection."""

    def __init__(self, rng: random.Random):
        from faker.providers.lorem.en_US import Provider as Lorem
        from faker.providers.person.en_GB import Provider as Person

        self.rng = rng
        self.sentences, self.titles, self.summaries = corpus()
        vocabulary = PLACES + EXTRA_WORDS + list(Lorem.word_list) + list(Person.last_names)
        rng.shuffle(vocabulary)
        weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
        self.pool = []
        for _ in range(20_000):
            words = rng.choice(self.sentences).split()
            for i in range(len(words)):
                if rng.random() < 0.25:
                    words[i] = rng.choices(vocabulary, weights)[0]
            self.pool.append(" ".join(words))

    def sentence(self) -> str:
        return self.rng.choice(self.pool)

    def words(self, low: int, high: int) -> str:
        target = self.rng.randint(low, high)
        parts: list[str] = []
        count = 0
        while count < target:
            sentence = self.sentence()
            parts.append(sentence)
            count += sentence.count(" ") + 1
        return " ".join(parts)

    def title(self, n: int) -> str:
        base = self.rng.choice(self.titles)
        place = self.rng.choice(PLACES)
        return f"{base} ({place}, {n})"[:250]

    def summary(self) -> str:
        return f"{self.rng.choice(self.summaries)} {self.sentence()}"

    def body(self) -> str:
        paragraphs = [self.words(60, 250) for _ in range(self.rng.randint(2, 6))]
        return "\n\n".join(f"## Part {i + 1}\n\n{p}" for i, p in enumerate(paragraphs))


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    """Stream rows into a table with COPY (text format)."""

    def escape(value) -> str:
        if value is None:
            return r"\N"
        text = str(value)
        return (
            text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(escape(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def generate(total: int) -> None:
    started = time.perf_counter()
    rng = random.Random(SEED)
    maker = TextMaker(rng)
    for order, (slug, name, description) in enumerate(demo.TYPES):
        ResourceType.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    from django.utils.text import slugify

    from network.demo import TOPICS

    for order, name in enumerate(TOPICS):
        Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name, "order": order})
    type_ids = list(ResourceType.objects.values_list("pk", flat=True))
    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    now = datetime.now(tz=UTC)

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(
            "TRUNCATE practice_library_resource, practice_library_resource_topics, "
            "practice_library_searchentry, "
            "practice_library_resourceaudience, practice_library_attachment, "
            "practice_library_resource_related, practice_library_bookmark, "
            "practice_library_recentread, practice_library_freeread RESTART IDENTITY CASCADE"
        )
        resources, topics, audiences, attachments = [], [], [], []
        for n in range(1, total + 1):
            published = now - timedelta(days=rng.random() * 365 * 12, hours=rng.random() * 24)
            status = "published" if rng.random() < 0.95 else rng.choice(["draft", "review"])
            body = maker.body()
            resources.append(
                (
                    n,
                    maker.title(n),
                    f"bench-resource-{n}",
                    rng.choice(type_ids),
                    rng.choice(ACCESS_LEVELS),
                    status,
                    published if status == "published" else None,
                    published if status == "published" else None,
                    "Network editorial team",
                    maker.summary(),
                    body,
                    "<p>" + body.replace("\n\n", "</p><p>") + "</p>",
                    1,
                    published.date(),
                    (published + timedelta(days=730)).date(),
                    published,
                    published,
                )
            )
            for topic_id in rng.sample(topic_ids, rng.choice([1, 1, 2, 2, 2, 3])):
                topics.append((n, topic_id))
            for audience in rng.sample(AUDIENCES, rng.choice([1, 1, 2, 3])):
                audiences.append((n, audience))
            if rng.random() < 0.33:
                name = f"{rng.getrandbits(128):032x}"
                attachments.append(
                    (
                        n,
                        "",
                        f"library/{name[:2]}/{name}",
                        f"bench-{n}.pdf",
                        "application/pdf",
                        "pdf",
                        rng.randint(40_000, 4_000_000),
                        maker.words(1_000, 4_000),
                        published,
                        0,
                        0,
                        published,
                    )
                )
            if n % 10_000 == 0 or n == total:
                _copy(
                    cursor,
                    "practice_library_resource",
                    [
                        "id", "title", "slug", "resource_type_id", "access_level", "status",
                        "publish_at", "published_at", "source", "summary", "body", "body_html",
                        "body_renderer_version", "reviewed_on", "review_due", "created_at",
                        "updated_at",
                    ],
                    resources,
                )  # fmt: skip
                _copy(
                    cursor, "practice_library_resource_topics", ["resource_id", "topic_id"], topics
                )
                _copy(
                    cursor,
                    "practice_library_resourceaudience",
                    ["resource_id", "audience"],
                    audiences,
                )
                _copy(
                    cursor,
                    "practice_library_attachment",
                    [
                        "resource_id", "title", "file", "original_filename", "content_type",
                        "extension", "size_bytes", "extracted_text", "text_extracted_at",
                        "download_count", "\"order\"", "created_at",
                    ],
                    attachments,
                )  # fmt: skip
                resources, topics, audiences, attachments = [], [], [], []
                print(
                    f"  {n:,} resources written ({time.perf_counter() - started:.0f} s)", flush=True
                )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('practice_library_resource', 'id'), %s)",
            [total],
        )
        print("  building search entries in SQL...", flush=True)
        # The GIN indexes are built once at the end: filling them entry by entry (every
        # word and word pair of 100,000 documents) takes several times longer.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'practice_library_searchentry' AND indexdef LIKE '%% USING gin %%'"
        )
        gin_indexes = cursor.fetchall()
        for name, _ in gin_indexes:
            cursor.execute(f"DROP INDEX {name}")
        try:
            step = 5_000
            for start in range(1, total + 1, step):
                ids = list(range(start, min(start + step, total + 1)))
                cursor.execute(SEARCH_ENTRIES_UPSERT_SQL, {"ids": ids, "tz": settings.TIME_ZONE})
                print(
                    f"  {ids[-1]:,} indexed ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
        finally:  # even when interrupted, so that the database keeps its indexes
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for name, definition in gin_indexes:
                cursor.execute(definition)
                print(f"  {name} built ({time.perf_counter() - started:.0f} s)", flush=True)
        for table in (
            "practice_library_resource",
            "practice_library_resource_topics",
            "practice_library_resourceaudience",
            "practice_library_attachment",
            "practice_library_searchentry",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    library_changed()
    print(f"Generated {total:,} resources in {time.perf_counter() - started:.0f} s")


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
    total = connection.cursor()
    total.execute("SELECT count(*) FROM practice_library_resource")
    print(f"Library: {total.fetchone()[0]:,} resources; load before: {os.getloadavg()[0]:.2f}")
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
    parser.add_argument("--resources", type=int, default=100_000)
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
        generate(args.resources)
    measure()


if __name__ == "__main__":
    main()
