"""The generated library of bench/library.py, built inside PostgreSQL.

Python makes a pool of 20,000 sentences (pool_sentences): sentences of the demo
library in which about a quarter of the words are swapped for words of a wider
vocabulary drawn with Zipf's law, so that a few words are in most resources and most
words in few, as in a real collection. The pool, the titles and the summaries go into
scratch tables (bench_*, dropped at the end), where each pool sentence also gets its
document vector and word pairs, parsed once. One statement per range of 10,000
resources (RANGE_SQL) then writes the resources, their topics, audiences and
attachments and their search entries, over generate_series: each text is put together
from pool sentences picked by hashes of the resource's number, so the library is the
same on every run and Python builds no row, and each search entry from its sentences'
vectors, as services.SEARCH_ENTRIES_UPSERT_SQL would build it (see RANGE_SQL for the
small differences). Two connections share the ranges. The search entries' GIN indexes
are kept and filled through large pending lists (see _in_parallel): building them at
the end would take one core longer than the whole load takes two.

Sizes (sizes_for) depend on the scale, because building the search documents (every word
and word pair of every text) is what generation spends its time on:

- up to 200,000 resources, as before: bodies of about 250-1,500 words; a third of the
  resources carry an attachment of about 1,000-4,000 words of extracted text;
- above, shorter resources: a summary and a body of about 100-350 words; one resource
  in twenty carries an attachment of about 400-1,200 words. Building a search entry
  costs about 5 microseconds per word when parsed (most of it the word pairs), and a
  million of them must be built within minutes on two cores.

Facets: 8 types, every topic of network/demo.py (1-3 each), 1-3 of the 3 audiences,
publication over 12 years, access levels public 30 %, registered 20 %, members 50 %,
5 % of resources unpublished (drafts or in review, with no search entry).

Imported by bench/library.py after Django is set up; see its docstring for how to run
the benchmark.
"""

import io
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, connections
from library_words import EXTRA_WORDS, PLACES  # bench/, the folder of bench/library.py

from network.demo_documents import demo_texts
from network.markup import MARKUP_RENDERER_VERSION
from network.models import Topic
from practice_library import demo
from practice_library.models import ResourceType
from practice_library.search import library_changed

SEED = 20260101
ACCESS_LEVELS = ["public"] * 3 + ["registered"] * 2 + ["members"] * 5
AUDIENCES = ["provider", "commissioner", "policy"]
POOL_SIZE = 20_000
RANGE = 10_000  # resources one statement writes
WORKERS = 2  # connections writing at once (the machine's cores)


@dataclass(frozen=True)
class Sizes:
    """Words of generated text (low, high), and the share of resources with a file."""

    body_words: tuple[int, int]
    attachment_share: float
    attachment_words: tuple[int, int]


def sizes_for(total: int) -> Sizes:
    """The sizes of a library of `total` resources (see the module's docstring)."""
    if total <= 200_000:
        return Sizes(
            body_words=(250, 1_500), attachment_share=0.33, attachment_words=(1_000, 4_000)
        )
    return Sizes(body_words=(100, 350), attachment_share=0.05, attachment_words=(400, 1_200))


_MARKUP = re.compile(r"\*\*|\*|^\s*(?:[-+]|\d+\.)\s+|^#+\s+", re.MULTILINE)


def corpus() -> tuple[list[str], list[str], list[str]]:
    """(sentences, titles, summaries) from the demo library and its attached files."""
    sentences: list[str] = []
    titles: list[str] = []
    summaries: list[str] = []
    for text in demo_texts(demo.CONTENT):
        titles.append(text.meta["title"])
        summaries.append(text.meta["summary"])
        for block in [text.meta["summary"], text.body, *(f.text for f in text.files)]:
            for line in _MARKUP.sub("", block).splitlines():
                if line.strip().startswith(("|", "<!--")):
                    continue  # tables and markers are not prose
                sentences.extend(
                    s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if len(s.split()) >= 4
                )
    return sentences, titles, summaries


def pool_sentences(rng: random.Random, sentences: list[str]) -> list[str]:
    """POOL_SIZE sentences of the demo library in which about a quarter of the words are
    swapped for words of a wider vocabulary drawn with Zipf's law (a few are everywhere,
    most are rare), so that common words match most resources and rarer ones a few."""
    from faker.providers.lorem.en_US import Provider as Lorem
    from faker.providers.person.en_GB import Provider as Person

    vocabulary = PLACES + EXTRA_WORDS + list(Lorem.word_list) + list(Person.last_names)
    rng.shuffle(vocabulary)
    cumulative, running = [], 0.0
    for rank in range(len(vocabulary)):
        running += 1 / (rank + 1)
        cumulative.append(running)
    pool = []
    for _ in range(POOL_SIZE):
        words = rng.choice(sentences).split()
        for i in range(len(words)):
            if rng.random() < 0.25:
                words[i] = rng.choices(vocabulary, cum_weights=cumulative)[0]
        pool.append(" ".join(words))
    return pool


# A number in [0, 2^31) from a resource's number and a salt: every random choice of the
# generated library, so that the same library comes out on every run.
FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION bench_hash(bigint, bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT hashint8extended($1, $2) & 2147483647 $$;
CREATE OR REPLACE AGGREGATE bench_vector_agg(tsvector)
    (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '');
CREATE OR REPLACE AGGREGATE bench_array_agg(text[])
    (SFUNC = array_cat, STYPE = text[], INITCOND = '{}');
"""
FUNCTIONS_DROP_SQL = """
DROP AGGREGATE bench_array_agg(text[]);
DROP AGGREGATE bench_vector_agg(tsvector);
DROP FUNCTION bench_hash(bigint, bigint);
"""

# Each pool sentence's document vector and word pairs, as the site's statement
# (services.SEARCH_ENTRIES_UPSERT_SQL) computes them for a whole text.
SENTENCE_VECTORS_SQL = """
UPDATE bench_sentence
SET vector = to_tsvector('english', text), pairs = library_word_pairs(to_tsvector('english', text))
"""

# `count` pool sentences picked for resource `n` (salt: which text): their text, the
# concatenation of their vectors (positions run on from one sentence to the next, as in
# the text) and their word pairs.
_SENTENCES = """
    FROM generate_series(1, {count}) k
    JOIN bench_sentence s ON s.id = bench_hash({n}::bigint * 4096 + k, {salt}) %% %(pool_size)s
"""

# One range of resources: the rows, their topics, audiences and attachments, and the
# search entries of the published ones, in one statement. The search entry is what
# services.SEARCH_ENTRIES_UPSERT_SQL builds (same weights, the title and summary as
# ranking vector, the document with its word pairs), except that the vectors of the
# body and the file are put together from the pool sentences' vectors rather than
# parsed again: a phrase across two sentences has no word pair, and positions run on
# without the headings. Parsing and pairing every text again is what took the time.
RANGE_SQL = f"""
WITH gen AS MATERIALIZED (
    SELECT n, v.*, b.*, f.*,
        left(ti.text || ' (' || (%(places)s::text[])[1 + bench_hash(n, 2) %% %(place_count)s]
            || ', ' || n || ')', 250) AS title,
        su.text || ' ' || extra.text AS summary,
        (%(types)s::integer[])[1 + bench_hash(n, 3) %% %(type_count)s] AS type_id,
        (%(levels)s::text[])[1 + bench_hash(n, 4) %% %(level_count)s] AS access_level,
        ARRAY(
            SELECT id FROM (
                SELECT id FROM unnest(%(topics)s::integer[]) id
                ORDER BY hashint8extended(n::bigint * 1000 + id, 12)
                LIMIT (ARRAY[1, 1, 2, 2, 2, 3])[1 + bench_hash(n, 13) %% 6]
            ) picked ORDER BY id
        ) AS topic_ids,
        ARRAY(
            SELECT audience FROM (
                SELECT audience FROM unnest(%(audiences)s::varchar(20)[]) WITH ORDINALITY u(audience, i)
                ORDER BY hashint8extended(n::bigint * 8 + i, 14)
                LIMIT (ARRAY[1, 1, 2, 3])[1 + bench_hash(n, 15) %% 4]
            ) picked ORDER BY audience
        ) AS audiences
    FROM generate_series(%(low)s, %(high)s) n
    CROSS JOIN LATERAL (
        SELECT %(now)s::timestamptz
                - (bench_hash(n, 1) %% (12 * 365 * 86400)) * interval '1 second' AS at,
            CASE WHEN bench_hash(n, 5) %% 100 < 95 THEN 'published'
                 WHEN bench_hash(n, 6) %% 2 = 0 THEN 'draft' ELSE 'review' END AS status,
            %(body_low)s + bench_hash(n, 7) %% (%(body_high)s - %(body_low)s + 1) AS sentences,
            bench_hash(n, 19) %% 1000 < %(file_per_mille)s AS has_file
    ) v
    JOIN bench_title ti ON ti.id = bench_hash(n, 8) %% %(title_count)s
    JOIN bench_summary su ON su.id = bench_hash(n, 9) %% %(summary_count)s
    JOIN bench_sentence extra ON extra.id = bench_hash(n, 10) %% %(pool_size)s
    CROSS JOIN LATERAL (
        -- Parts of eight sentences, each under a heading, as editors write them.
        SELECT substr(string_agg(
                CASE WHEN k %% 8 = 1 THEN E'\\n\\n## Part ' || (k / 8 + 1) || E'\\n\\n'
                    ELSE ' ' END || s.text, '' ORDER BY k), 3) AS body,
            bench_vector_agg(s.vector ORDER BY k) AS body_vector,
            bench_array_agg(s.pairs) AS body_pairs
        {_SENTENCES.format(count="v.sentences", n="n", salt=11)}
    ) b
    CROSS JOIN LATERAL (
        SELECT string_agg(s.text, ' ' ORDER BY k) AS file_text,
            bench_vector_agg(s.vector ORDER BY k) AS file_vector,
            bench_array_agg(s.pairs) AS file_pairs
        {
    _SENTENCES.format(
        count="CASE WHEN v.has_file THEN %(file_low)s"
        " + bench_hash(n, 17) %% (%(file_high)s - %(file_low)s + 1) ELSE 0 END",
        n="n",
        salt=18,
    )
}
    ) f
),
resources AS (
    INSERT INTO practice_library_resource (
        id, title, slug, resource_type_id, access_level, status, publish_at, published_at,
        source, summary, body, body_html, body_renderer_version, reviewed_on, review_due,
        created_at, updated_at)
    SELECT n, title, 'bench-resource-' || n, type_id, access_level, status,
        CASE WHEN status = 'published' THEN at END,
        CASE WHEN status = 'published' THEN at END,
        'Network editorial team', summary, body,
        '<p>' || replace(body, E'\\n\\n', '</p><p>') || '</p>',
        %(version)s, at::date, (at + interval '730 days')::date, at, at
    FROM gen
),
topics AS (
    INSERT INTO practice_library_resource_topics (resource_id, topic_id)
    SELECT n, unnest(topic_ids) FROM gen
),
audiences AS (
    INSERT INTO practice_library_resourceaudience (resource_id, audience)
    SELECT n, unnest(audiences) FROM gen
),
files AS (
    INSERT INTO practice_library_attachment (
        resource_id, title, file, original_filename, content_type, extension, size_bytes,
        extracted_text, text_extracted_at, download_count, "order", created_at)
    SELECT n, '', 'library/' || left(md5(n::text), 2) || '/' || md5(n::text || 'file'),
        'bench-' || n || '.pdf', 'application/pdf', 'pdf',
        40000 + bench_hash(n, 16) %% 3960000, file_text, at, 0, 0, at
    FROM gen WHERE has_file
)
INSERT INTO practice_library_searchentry
    (resource_id, published_at, year, resource_type_id, topic_ids, audiences, ranking, document)
SELECT n, at, extract(year FROM at AT TIME ZONE %(tz)s)::smallint, type_id, topic_ids,
    audiences, head.vector,
    head.vector || setweight(body_vector, 'C') || setweight(coalesce(file_vector, ''), 'D')
        || array_to_tsvector(
            library_word_pairs(head.vector) || body_pairs || coalesce(file_pairs, '{{}}'))
FROM gen
CROSS JOIN LATERAL (
    SELECT setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', summary), 'B') AS vector
) head
WHERE status = 'published'
"""


def _copy(cursor, table: str, rows: list[tuple]) -> None:
    """Stream rows into a table with COPY (text format)."""

    def escape(value) -> str:
        text = str(value)
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    buffer = io.StringIO("".join("\t".join(escape(v) for v in row) + "\n" for row in rows))
    cursor.copy_expert(f"COPY {table} FROM STDIN", buffer)


def _in_parallel(work: list, run) -> None:
    """run(cursor, item) for every item, over WORKERS connections of their own, taking
    the items in order; each thread's connection is closed when it is done."""
    items = iter(work)
    lock = threading.Lock()

    def worker() -> None:
        try:
            with connections["default"].cursor() as django_cursor:
                cursor = django_cursor.cursor
                cursor.execute("SET synchronous_commit = off")
                # New search entries wait in their GIN indexes' pending lists, which
                # each connection merges in turn while the other goes on writing: over
                # two connections, faster than building the indexes once at the end
                # (which PostgreSQL 15 does on one core). VACUUM merges the rest.
                cursor.execute("SET gin_pending_list_limit = '32MB'")
                cursor.execute("SET work_mem = '256MB'")  # a range's rows in memory
                while True:
                    with lock:
                        item = next(items, None)
                    if item is None:
                        return
                    run(cursor, item)
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(WORKERS) as executor:
        for future in [executor.submit(worker) for _ in range(WORKERS)]:
            future.result()


def generate(total: int) -> None:
    started = time.perf_counter()

    def say(what: str) -> None:
        print(f"  {what} ({time.perf_counter() - started:.0f} s)", flush=True)

    rng = random.Random(SEED)
    sentences, titles, summaries = corpus()
    pool = pool_sentences(rng, sentences)
    mean_words = sum(len(s.split()) for s in pool) / len(pool)
    sizes = sizes_for(total)
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

    def sentences_for(words: int) -> int:
        return max(1, round(words / mean_words))

    params = {
        "now": datetime.now(tz=UTC),
        "pool_size": POOL_SIZE,
        "places": PLACES,
        "place_count": len(PLACES),
        "types": type_ids,
        "type_count": len(type_ids),
        "levels": ACCESS_LEVELS,
        "level_count": len(ACCESS_LEVELS),
        "topics": topic_ids,
        "audiences": AUDIENCES,
        "title_count": len(titles),
        "summary_count": len(summaries),
        "body_low": sentences_for(sizes.body_words[0]),
        "body_high": sentences_for(sizes.body_words[1]),
        "file_low": sentences_for(sizes.attachment_words[0]),
        "file_high": sentences_for(sizes.attachment_words[1]),
        "file_per_mille": round(sizes.attachment_share * 1000),
        "tz": settings.TIME_ZONE,
        "version": MARKUP_RENDERER_VERSION,
    }

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(
            "TRUNCATE practice_library_resource, practice_library_resource_topics, "
            "practice_library_searchentry, "
            "practice_library_resourceaudience, practice_library_attachment, "
            "practice_library_resource_related, practice_library_bookmark, "
            "practice_library_recentread, practice_library_freeread RESTART IDENTITY CASCADE"
        )
        cursor.execute(FUNCTIONS_SQL)
        # Scratch tables of the generator, not the site's: unlogged, dropped at the end.
        for table, texts in (
            ("bench_sentence", pool),
            ("bench_title", titles),
            ("bench_summary", summaries),
        ):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE UNLOGGED TABLE {table} (id integer PRIMARY KEY, text text)")
            _copy(cursor, table, list(enumerate(texts)))
        cursor.execute("ALTER TABLE bench_sentence ADD vector tsvector, ADD pairs text[]")
        cursor.execute(SENTENCE_VECTORS_SQL)
        for table in ("bench_sentence", "bench_title", "bench_summary"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    connection.close()  # the workers' connections must see the tables committed
    say(f"{len(pool):,} pool sentences of {mean_words:.1f} words; writing {total:,} resources")

    done = []

    def write(cursor, low: int) -> None:
        high = min(low + RANGE - 1, total)
        cursor.execute(RANGE_SQL, params | {"low": low, "high": high})
        done.append(high - low + 1)
        say(f"{sum(done):,} resources written and indexed")

    _in_parallel(list(range(1, total + 1, RANGE)), write)

    with connection.cursor() as django_cursor:
        django_cursor.execute(
            "SELECT setval(pg_get_serial_sequence('practice_library_resource', 'id'), %s)",
            [total],
        )
        for table in ("bench_sentence", "bench_title", "bench_summary"):
            django_cursor.execute(f"DROP TABLE {table}")
        django_cursor.execute(FUNCTIONS_DROP_SQL)
    connection.close()

    def vacuum(cursor, table: str) -> None:
        cursor.execute(f"VACUUM ANALYZE {table}")
        say(f"{table} vacuumed")

    _in_parallel(
        [
            "practice_library_resource",
            "practice_library_searchentry",
            "practice_library_attachment",
            "practice_library_resource_topics",
            "practice_library_resourceaudience",
        ],
        vacuum,
    )
    library_changed()
    print(f"Generated {total:,} resources in {time.perf_counter() - started:.0f} s", flush=True)
