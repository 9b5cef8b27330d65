"""The generated library of bench/library.py: a corpus from the demo library's sentences
with a wider vocabulary (TextMaker), streamed into PostgreSQL with COPY, and the search
entries built by the site's own INSERT ... SELECT. Imported by bench/library.py after
Django is set up; see its docstring for how to run the benchmark.
"""

import io
import random
import re
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection

from network.models import Topic
from practice_library import demo
from practice_library.models import ResourceType
from practice_library.search import library_changed
from practice_library.services import SEARCH_ENTRIES_UPSERT_SQL

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
