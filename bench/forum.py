"""Benchmark of the forum's main pages on a large PostgreSQL forum. Prints figures.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_bench \\
        .venv/bin/python bench/forum.py [--scale 200k|2m] [--threads 2000] [--posts 200000]
        [--members 5000] [--runs 60] [--keep]

--scale picks threads, posts and members together (200k: 2,000 threads, 200,000 posts,
5,000 members, the defaults; 2m: 20,000 threads, 2,000,000 posts, 20,000 members);
--threads, --posts and --members given as well override it.

Fills the database with SQL (about a minute for 200,000 posts, a few for 2,000,000), one
thread of 1,000 posts among them. Post bodies run from two sentences to five paragraphs,
some with a quotation or a list, so that a page renders as much HTML as a real one.
Then requests each page `--runs` times through Django's test client as a signed-in
member and prints p50/p95 server time, the number of queries and the CPU time of the web
process (which, unlike wall time, hardly moves when other work shares the machine; a
no-forum page is measured first as a baseline):
the forum index, a category page, page 1 and the last page of the 1,000-post thread,
and posting a reply. Posting is measured up to the response: the notification task it
enqueues runs in a Celery worker in production, so here it is recorded, not run.
The database is created if missing and emptied of forum content first (--keep reuses it).
"""

import argparse
import logging
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/network_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

CATEGORIES = [
    "Commissioning and contracts",
    "Workforce and training",
    "Inspection and quality",
    "Leaving care and Staying Close",
    "Safeguarding practice",
    "Education",
    "Health and wellbeing",
    "Therapeutic practice",
]


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


SCALES = {
    "200k": {"threads": 2000, "posts": 200_000, "members": 5000},
    "2m": {"threads": 20_000, "posts": 2_000_000, "members": 20_000},
}

# Paragraphs of post bodies, as Markdown and as the HTML the renderer stores. A post is a
# run of 1 to 5 of them (mostly 1 or 2), so 60 distinct bodies recur across the forum.
PARAGRAPHS = [
    (
        "We moved to a shorter handover last spring and it helped the evening settle. "
        "Staff coming on shift read the log before the meeting, so the handover itself is "
        "about what changed, not a recital of the whole day.",
        None,
    ),
    (
        "Supervision is where we slipped. Monthly sessions kept moving when the rota was "
        "tight, and by the time we noticed, two of the newer staff had gone ten weeks "
        "without one. We now book the year's sessions in January and treat them like a "
        "placement meeting: they move only if a child needs us.",
        None,
    ),
    (
        "> Has anyone found a way to keep agency staff consistent across a week?\n"
        ">\n> We block-book two people and brief them ourselves.",
        "<blockquote>\n<p>Has anyone found a way to keep agency staff consistent across a "
        "week?</p>\n<p>We block-book two people and brief them ourselves.</p>\n"
        "</blockquote>",
    ),
    (
        "What worked for us, in the order we tried it:\n\n"
        "- a named key worker on every shift the young person is in\n"
        "- the same two agency staff, booked for the month, not the week\n"
        "- a one-page profile written with the young person, kept in the office\n"
        "- a debrief after any incident, within the shift",
        "<p>What worked for us, in the order we tried it:</p>\n<ul>\n"
        "<li>a named key worker on every shift the young person is in</li>\n"
        "<li>the same two agency staff, booked for the month, not the week</li>\n"
        "<li>a one-page profile written with the young person, kept in the office</li>\n"
        "<li>a debrief after any incident, within the shift</li>\n</ul>",
    ),
    (
        "Our inspector asked to see how we knew the handovers were working. We could not "
        "answer well, so now the deputy samples three a month against the log and notes "
        "anything that was missed.",
        None,
    ),
    (
        "On placement stability: the matching meeting matters more than anything we do "
        "after the move. When we have been given two days to decide, we have said no, and "
        "the local authority has mostly come back with more information rather than gone "
        "elsewhere.",
        None,
    ),
    (
        "I would be careful with the rota pattern you describe. Long days look efficient "
        "but the last three hours are when our incidents cluster, and tired adults escalate "
        "things that rested ones would let pass.",
        None,
    ),
    (
        "> The Staying Close pilot funding ends in March.\n\n"
        "Ours too. We are asking the council to carry the two posts for another year on the "
        "strength of the outcomes report, which is the only lever we have.",
        "<blockquote>\n<p>The Staying Close pilot funding ends in March.</p>\n"
        "</blockquote>\n<p>Ours too. We are asking the council to carry the two posts for "
        "another year on the strength of the outcomes report, which is the only lever we "
        "have.</p>",
    ),
    (
        "Education has been our hardest partnership. The virtual school is responsive, "
        "but the schools themselves vary enormously, and a young person's first term "
        "decides a great deal. We now ask for a named contact before the start date.",
        None,
    ),
    (
        "Things we check at the monthly quality meeting:\n\n"
        "1. missing-from-care episodes and what was learned\n"
        "2. restraint records, read by someone who was not there\n"
        "3. complaints and how quickly they were answered\n"
        "4. the young people's own feedback, in their words",
        "<p>Things we check at the monthly quality meeting:</p>\n<ol>\n"
        "<li>missing-from-care episodes and what was learned</li>\n"
        "<li>restraint records, read by someone who was not there</li>\n"
        "<li>complaints and how quickly they were answered</li>\n"
        "<li>the young people's own feedback, in their words</li>\n</ol>",
    ),
    (
        "Thank you, this is really useful. We have a similar home and the same problem "
        "with evening handovers; I will bring your approach to our team meeting.",
        None,
    ),
    (
        "Therapeutic training made the biggest difference to retention for us. Staff who "
        "understand why a young person is behaving as they are stay longer, and they stop "
        "taking the hard nights personally.",
        None,
    ),
]
LENGTHS = [1, 1, 1, 1, 2, 2, 2, 3, 3, 5]  # paragraphs per post, a tenth of them long


def _bodies() -> list[tuple[int, str, str]]:
    """(slot, Markdown, HTML) for each of 120 slots a post picks from by its ids."""
    bodies = []
    for start in range(len(PARAGRAPHS)):
        for length in LENGTHS:
            chosen = [PARAGRAPHS[(start + i) % len(PARAGRAPHS)] for i in range(length)]
            markdown = "\n\n".join(text for text, _ in chosen)
            html = "\n".join(rendered or f"<p>{text}</p>" for text, rendered in chosen)
            bodies.append((len(bodies), markdown, html))
    return bodies


def fill(*, threads: int, posts: int, members: int) -> None:
    from django.db import connection

    from forum.models import Category
    from forum.services import publishing
    from network.markup import MARKUP_RENDERER_VERSION

    big = 1000
    rest_threads = threads - 1
    rest_posts = posts - big
    base, extra = divmod(rest_posts, rest_threads)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE forum_post, forum_thread, forum_category, forum_threadreadstate, "
            "forum_categoryreadmark, forum_follow, forum_notification, forum_reaction, "
            "forum_postbookmark, forum_report, forum_reviewitem, forum_forumemail, "
            "forum_postrevision, forum_postattachment RESTART IDENTITY CASCADE"
        )
        # bench/load.py grants memberships to bench members and signs them in.
        for table in ("members_membershipgrant", "usersessions_usersession"):
            cursor.execute(
                f"DELETE FROM {table} WHERE user_id IN (SELECT id FROM members_user "
                "WHERE email LIKE 'bench-%%@example.org' AND email <> 'bench-reader@example.org')"
            )
        cursor.execute(
            "DELETE FROM members_user WHERE email LIKE 'bench-%%@example.org' "
            "AND email <> 'bench-reader@example.org'"
        )
        cursor.execute(
            """
            INSERT INTO members_user (password, is_superuser, email, name, job_title,
                organisation_name, member_type, region, is_staff, is_active, date_joined)
            SELECT '!', false, 'bench-' || n || '@example.org', 'Bench Member ' || n,
                'Registered manager', 'Fictional Homes ' || (n %% 300), 'provider',
                'north-west', false, true, now()
            FROM generate_series(1, %s) n
            """,
            [members],
        )
        # The reader is kept from an earlier fill, so its id is below the new members'.
        cursor.execute(
            "SELECT min(id), max(id) FROM members_user WHERE email LIKE 'bench-%%' "
            "AND email <> 'bench-reader@example.org'"
        )
        first_user, last_user = cursor.fetchone()
    for order, name in enumerate(CATEGORIES):
        Category.objects.create(name=name, slug=f"bench-{order}", order=order)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), count(*) FROM forum_category")
        first_category, category_count = cursor.fetchone()
        # Thread 1 is the long one; the others share the remaining posts.
        cursor.execute(
            """
            INSERT INTO forum_thread (category_id, title, slug, author_id, state, is_pinned,
                is_locked, post_number_counter, post_count, last_post_number, last_post_at,
                created_at)
            SELECT %(first_category)s + (n %% %(categories)s),
                'Bench thread ' || n || ': rotas, supervision and placement stability',
                'bench-thread-' || n, %(first_user)s + (n * 7) %% %(members)s, 'visible',
                n %% 400 = 0, false,
                CASE WHEN n = 1 THEN %(big)s WHEN n - 1 <= %(extra)s THEN %(base)s + 1
                     ELSE %(base)s END,
                0, 0, now(), now() - interval '400 days' + (n || ' minutes')::interval
            FROM generate_series(1, %(threads)s) n
            """,
            {
                "first_category": first_category,
                "categories": category_count,
                "first_user": first_user,
                "members": members,
                "big": big,
                "extra": extra,
                "base": base,
                "threads": threads,
            },
        )
        bodies = _bodies()
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_body (slot int PRIMARY KEY, body text, "
            "body_html text, search_vector tsvector)"
        )
        cursor.executemany(
            "INSERT INTO bench_body VALUES (%s, %s, %s, "
            "setweight(to_tsvector('english', %s), 'B'))",
            [(slot, body, html, body) for slot, body, html in bodies],
        )
        cursor.execute(
            """
            INSERT INTO forum_post (thread_id, post_number, author_id, body, body_html,
                search_vector, renderer_version, state, hold_reason, edit_reason,
                helpful_count, hidden_by_reports, created_at)
            SELECT t.id, n, %(first_user)s + ((t.id * 31 + n * 17) %% %(members)s),
                b.body, b.body_html, b.search_vector, %(version)s, 'visible', '', '', 0, false,
                t.created_at + (n * (1 + (t.id %% 5)) || ' minutes')::interval
            FROM forum_thread t CROSS JOIN LATERAL generate_series(1, t.post_number_counter) n
            JOIN bench_body b ON b.slot = (t.id * 7 + n * 13) %% %(slots)s
            """,
            {
                "first_user": first_user,
                "members": last_user - first_user + 1,
                "slots": len(bodies),
                "version": MARKUP_RENDERER_VERSION,
            },
        )
        cursor.execute("DROP TABLE bench_body")
        cursor.execute(
            "UPDATE forum_thread SET search_vector = setweight(to_tsvector('english', title), 'A')"
        )
        cursor.execute(
            """
            UPDATE forum_thread t SET post_count = t.post_number_counter,
                last_post_number = t.post_number_counter, last_post_at = p.created_at,
                last_post_author_id = p.author_id
            FROM forum_post p WHERE p.thread_id = t.id AND p.post_number = t.post_number_counter
            """
        )
    for category in Category.objects.all():
        publishing.category_recount(category)
    with connection.cursor() as cursor:  # VACUUM cannot run in a transaction (a test's)
        verb = "VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE"
        cursor.execute(f"{verb} forum_post, forum_thread, forum_category, members_user")
    print(
        f"Filled {threads:,} threads, {posts:,} posts, {members:,} members "
        f"in {time.perf_counter() - started:.1f} s"
    )


def reader():
    """A provider member with a personal subscription, who has read half the forum."""
    from django.utils import timezone

    from forum.models import ForumPreference
    from members.models import Plan, Subscription, User

    user, _ = User.objects.get_or_create(
        email="bench-reader@example.org",
        defaults={"name": "Bench Reader", "member_type": "provider"},
    )
    plan, _ = Plan.objects.get_or_create(
        slug="bench-provider",
        defaults={"name": "Bench", "member_type": "provider", "holder": "individual",
                  "interval": "year", "price_pence": 12000},
    )  # fmt: skip
    Subscription.objects.get_or_create(
        user=user,
        defaults={"plan": plan, "status": "active", "stripe_subscription_id": "sub_bench",
                  "current_period_end": timezone.now() + timezone.timedelta(days=30)},
    )  # fmt: skip
    ForumPreference.objects.update_or_create(
        user=user, defaults={"child_safety_confirmed_at": timezone.now()}
    )
    return user


def measure(client, label: str, request, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        request()  # warm caches and connections
    timings = []
    cpu = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = request()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code in (200, 302), (label, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        request()
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    print(
        f"{label:<34} p50 {statistics.median(timings):6.1f} ms   p95 {p95:6.1f} ms   "
        f"{len(queries.captured_queries):3d} queries   "
        f"(web process CPU p50 {statistics.median(cpu):5.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="200k")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--posts", type=int)
    parser.add_argument("--members", type=int)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="reuse the content already there")
    options = parser.parse_args()
    for name, value in SCALES[options.scale].items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("bench/forum.py measures PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    from bench.production import production_settings

    production_settings()
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    # Not setup_test_environment(): it instruments every template render so that tests can
    # inspect contexts, which copies each context and is no part of serving a page.
    settings.ALLOWED_HOSTS = ["testserver"]
    logging.getLogger("network.requests").setLevel(logging.WARNING)  # a line per request
    settings.FORUM_POST_RATE_LIMIT = 10**9
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 0
    call_command("migrate", verbosity=0)

    from forum import tasks
    from forum.models import Category, Thread

    if not options.keep or not Thread.objects.exists():
        fill(threads=options.threads, posts=options.posts, members=options.members)
    enqueued = []
    tasks.post_notify.delay_on_commit = lambda post_id: enqueued.append(post_id)  # worker's job

    user = reader()
    client = Client()
    client.force_login(user)
    long_thread = Thread.objects.order_by("-post_number_counter").first()
    category = Category.objects.order_by("-thread_count").first()
    per_page = settings.FORUM_POSTS_PER_PAGE
    last_page = (long_thread.post_number_counter + per_page - 1) // per_page
    from forum.services import reading

    reading.thread_mark_read(user=user, thread=long_thread, up_to=500)

    print(
        f"Forum: {Thread.objects.count():,} threads; category “{category.name}” has "
        f"{category.thread_count:,} threads; the long thread has "
        f"{long_thread.post_number_counter:,} posts ({last_page} pages)."
    )
    runs = options.runs
    # The machine's state: a plain page with no forum query, signed in the same way.
    measure(client, "baseline: /about/ (no forum)", lambda: client.get("/about/"), runs)
    measure(client, "forum index", lambda: client.get("/forum/"), runs)
    measure(client, "category page 1", lambda: client.get(category.get_absolute_url()), runs)
    measure(
        client,
        "category page 10",
        lambda: client.get(f"{category.get_absolute_url()}?page=10"),
        runs,
    )
    url = long_thread.get_absolute_url()
    measure(client, "1,000-post thread, page 1", lambda: client.get(url), runs)
    measure(
        client,
        f"1,000-post thread, last page ({last_page})",
        lambda: client.get(f"{url}?page={last_page}"),
        runs,
    )
    measure(
        client,
        "posting a reply",
        lambda: client.post(
            f"/forum/t/{long_thread.pk}/reply/",
            {"body": "Benchmark reply about handovers.", "submission_key": str(uuid.uuid4())},
        ),
        runs,
    )
    measure(client, "search “handover”", lambda: client.get("/forum/search/?q=handover"), runs)
    print(f"(posting enqueued {len(enqueued)} notification tasks for the worker)")
    print(
        f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
