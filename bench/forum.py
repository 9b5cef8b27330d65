"""Benchmark of the forum's main pages on a large PostgreSQL forum. Prints figures.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_bench \\
        .venv/bin/python bench/forum.py [--threads 2000] [--posts 200000] [--members 5000]
        [--runs 60] [--keep]

Fills the database with SQL (about a minute for 200,000 posts), one thread of 1,000
posts among them, then requests each page `--runs` times through Django's test client
as a signed-in member and prints p50/p95 server time, the number of queries and the CPU
time of the web process (which, unlike wall time, hardly moves when other work shares
the machine; a no-forum page is measured first as a baseline):
the forum index, a category page, page 1 and the last page of the 1,000-post thread,
and posting a reply. Posting is measured up to the response: the notification task it
enqueues runs in a Celery worker in production, so here it is recorded, not run.
The database is created if missing and emptied of forum content first (--keep reuses
content already there).
"""

import argparse
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


def fill(*, threads: int, posts: int, members: int) -> None:
    from django.db import connection

    from forum.models import Category
    from forum.services import publishing

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
        cursor.execute("SELECT min(id), max(id) FROM members_user WHERE email LIKE 'bench-%%'")
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
        cursor.execute(
            """
            INSERT INTO forum_post (thread_id, post_number, author_id, body, body_html,
                renderer_version, state, hold_reason, edit_reason, helpful_count, created_at)
            SELECT t.id, n, %(first_user)s + ((t.id * 31 + n * 17) %% %(members)s),
                'Reply ' || n || ' about supervision, rotas and handovers in our home. '
                    || 'We tried a shorter handover and it helped the evening settle.',
                '<p>Reply ' || n || ' about supervision, rotas and handovers in our home. '
                    || 'We tried a shorter handover and it helped the evening settle.</p>',
                1, 'visible', '', '', 0,
                t.created_at + (n * (1 + (t.id %% 5)) || ' minutes')::interval
            FROM forum_thread t CROSS JOIN LATERAL generate_series(1, t.post_number_counter) n
            """,
            {"first_user": first_user, "members": last_user - first_user + 1},
        )
        cursor.execute(
            "UPDATE forum_post SET search_vector = setweight(to_tsvector('english', body), 'B')"
        )
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
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE forum_post, forum_thread, forum_category, members_user")
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
    parser.add_argument("--threads", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="reuse the content already there")
    options = parser.parse_args()
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("bench/forum.py measures PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    # Not setup_test_environment(): it instruments every template render so that tests can
    # inspect contexts, which copies each context and is no part of serving a page.
    settings.ALLOWED_HOSTS = ["testserver"]
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
