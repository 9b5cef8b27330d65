"""Benchmark of the moderators' pages and actions on PostgreSQL. Prints figures.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_moderation_bench \\
        .venv/bin/python bench/forum_moderation.py [--threads 500] [--posts 40] \\
        [--items 3000] [--runs 40]

Migrates and fills the database (created if missing; forum content emptied first) with
`--threads` threads of `--posts` posts each and `--items` open queue items (a third held
posts with a watch-list match, two thirds reported posts with three reports each, some
urgent and many overdue), then, as a forum moderator through Django's test client,
prints p50/p95 server time and the number of queries for: the queue (first page), an
item's page, hiding a post, resolving an item, redacting a post with ten revisions, and
merging a thread of `--posts` posts into another.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/network_moderation_bench"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")


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


def fill(*, threads: int, posts: int, items: int):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from forum.models import (
        Category,
        Post,
        PostState,
        Report,
        ReviewItem,
        Thread,
        WatchPattern,
    )
    from forum.services import publishing
    from members.access import MODERATORS_GROUP
    from members.models import User

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE forum_post, forum_thread, forum_category, forum_report, "
            "forum_reviewitem, forum_reviewnote, forum_postrevision, forum_notification, "
            "forum_follow RESTART IDENTITY CASCADE"
        )
    User.objects.filter(email__startswith="bench-mod-").delete()
    moderator = User.objects.create_user(
        email="bench-mod-moderator@example.org", password="x", name="Morgan Bench"
    )
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    reporters = User.objects.bulk_create(
        [User(email=f"bench-mod-{n}@example.org", name=f"Reporter {n}") for n in range(300)]
    )
    categories = Category.objects.bulk_create(
        [Category(name=f"Bench room {n}", slug=f"bench-room-{n}") for n in range(6)]
    )
    now = timezone.now()
    thread_rows = Thread.objects.bulk_create(
        [
            Thread(
                category=categories[n % len(categories)],
                title=f"Bench thread {n}",
                slug=f"bench-thread-{n}",
                author=reporters[n % len(reporters)],
                post_number_counter=posts,
                created_at=now - timedelta(days=30),
            )
            for n in range(threads)
        ]
    )
    body = "Our registered manager keeps a shared log after each Regulation 44 visit. " * 4
    batch = []
    for thread in thread_rows:
        for number in range(1, posts + 1):
            batch.append(
                Post(
                    thread=thread,
                    post_number=number,
                    author=reporters[number % len(reporters)],
                    body=body,
                    body_html=f"<p>{body}</p>",
                    created_at=now - timedelta(days=30) + timedelta(minutes=number),
                )
            )
        if len(batch) > 20000:
            Post.objects.bulk_create(batch)
            batch = []
    Post.objects.bulk_create(batch)
    for thread in thread_rows:
        publishing.thread_recount(thread)
    for category in categories:
        publishing.category_recount(category)
    pattern = WatchPattern.objects.filter(is_active=True).first()
    candidates = list(Post.objects.filter(post_number__gt=1).values_list("pk", flat=True)[:items])
    held_ids = candidates[: items // 3]
    Post.objects.filter(pk__in=held_ids).update(state=PostState.HELD, body=body + " aged 14")
    review = ReviewItem.objects.bulk_create(
        [
            ReviewItem(
                post_id=pk,
                kind="held" if n < len(held_ids) else "reported",
                hold_reason="watch_list" if n < len(held_ids) else "",
                is_urgent=(n % 17 == 0) and n >= len(held_ids),
                report_count=0 if n < len(held_ids) else 3,
                created_at=now - timedelta(hours=n % 72),
            )
            for n, pk in enumerate(candidates)
        ]
    )
    Report.objects.bulk_create(
        [
            Report(
                post_id=item.post_id,
                reporter=reporters[(item.pk * 3 + k) % len(reporters)],
                reason="abusive",
                review_item=item,
            )
            for item in review
            if item.kind == "reported"
            for k in range(3)
        ]
    )
    if pattern is not None:
        through = ReviewItem.matched_patterns.through
        through.objects.bulk_create(
            [
                through(reviewitem_id=i.pk, watchpattern_id=pattern.pk)
                for i in review
                if i.kind == "held"
            ]
        )
    print(
        f"filled {threads:,} threads, {threads * posts:,} posts, {len(review):,} open items "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return moderator, thread_rows, review


def measure(label: str, runs: int, call) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], []
    for run in range(runs):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = call(run)
            timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code in (200, 302), (label, response.status_code)
        queries.append(len(captured))
    timings.sort()
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    print(
        f"{label:<44} p50 {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms   "
        f"queries {min(queries)}-{max(queries)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=500)
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from forum.models import Post, PostRevision, ReviewItem

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    moderator, threads, items = fill(threads=args.threads, posts=args.posts, items=args.items)
    client = Client()
    client.force_login(moderator)
    runs = min(args.runs, len(items) // 4)
    queue = reverse("forum:moderation_queue")
    measure("review queue, first page (25 items)", runs, lambda run: client.get(queue))
    last_page = (len(items) + 24) // 25
    measure(
        f"review queue, last page ({last_page})",
        runs,
        lambda run: client.get(queue, {"page": last_page}),
    )
    measure(
        "queue item page",
        runs,
        lambda run: client.get(reverse("forum:moderation_item", kwargs={"pk": items[run].pk})),
    )
    reported = [i for i in items if i.kind == "reported"]
    visible = list(
        Post.objects.filter(state="visible", post_number__gt=1)
        .exclude(pk__in=ReviewItem.objects.open().values("post_id"))
        .values_list("pk", flat=True)[:runs]
    )
    measure(
        "hide a post",
        runs,
        lambda run: client.post(
            reverse("forum:moderation_post_hide", kwargs={"pk": visible[run]}), {"reason": "Bench"}
        ),
    )
    measure(
        "resolve an item (agree: hide)",
        runs,
        lambda run: client.post(
            reverse("forum:moderation_item_resolve", kwargs={"pk": reported[run].pk}),
            {f"item-{reported[run].pk}-decision": "hide"},
        ),
    )
    to_redact = list(
        Post.objects.filter(state="visible", post_number=1).values_list("pk", flat=True)[:runs]
    )
    for pk in to_redact:
        PostRevision.objects.bulk_create(
            [PostRevision(post_id=pk, body=f"Version {n} naming Kezia Marlow.") for n in range(10)]
        )

    def redact(run: int):
        post = Post.objects.select_related("thread").get(pk=to_redact[run])
        body = post.body.replace("registered manager", "manager")
        return client.post(
            reverse("forum:moderation_post_redact", kwargs={"pk": post.pk}),
            {
                "title": post.thread.title,
                "body": body,
                "reason": "Bench redaction",
                "purge_all_revisions": "on",
            },
        )

    measure("redact a post with 10 revisions", runs, redact)
    pairs = [(threads[2 * n + 1], threads[2 * n]) for n in range(min(runs, len(threads) // 2 - 1))]
    measure(
        f"merge a thread of {args.posts} posts into another",
        len(pairs),
        lambda run: client.post(
            reverse("forum:moderation_thread_merge", kwargs={"pk": pairs[run][0].pk}),
            {"into": pairs[run][1].pk},
        ),
    )
    print(f"open items left: {ReviewItem.objects.open().count():,}")


if __name__ == "__main__":
    main()
