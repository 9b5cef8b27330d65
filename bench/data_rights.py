"""Benchmark a person's data download and the retention task; prints figures, asserts
nothing.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/net_bench \\
        .venv/bin/python bench/data_rights.py [--posts 20000] [--messages 20000]

Without DATABASE_URL it uses a throwaway SQLite file under var/. Figures:
- download: wall time, ZIP size and the peak Python memory (tracemalloc) of building one
  person's ZIP, for a tenth of the posts and for all of them: the peak should stay flat
  as the account grows (rows are streamed, never held whole);
- retention: wall time of deleting the given number of contact messages past their
  period, in batches, and the peak memory of doing it.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-data-rights.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from forum.models import Category, Post, Thread  # noqa: E402
from members.models import User  # noqa: E402
from network.data_rights import ExportArchive, modules, retention_enforce  # noqa: E402
from network.models import ContactMessage  # noqa: E402


def person_with_posts(posts: int) -> User:
    email = f"writer{posts}@bench.example.net"
    User.objects.filter(email=email).delete()
    user = User.objects.create_user(email=email, name="Bench Writer (fictional)")
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    thread = Thread.objects.create(category=category, title="Bench thread", author=user)
    body = "A paragraph about rotas and supervision, long enough to be realistic. " * 8
    batch = 2000
    for start in range(0, posts, batch):
        Post.objects.bulk_create(
            Post(thread=thread, post_number=n + 1, author=user, body=body, body_html=body)
            for n in range(start, min(start + batch, posts))
        )
    return user


def build(user: User) -> tuple[float, int, int]:
    tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as spool:
        archive = ExportArchive(spool, person=str(user))
        for module in modules():
            export = getattr(module, "export", None)
            if export is not None:
                export(user, archive)
        archive.close()
        size = spool.tell()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, size, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--messages", type=int, default=20000)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")

    for posts in (options.posts // 10, options.posts):
        user = person_with_posts(posts)
        elapsed, size, peak = build(user)
        print(
            f"download of {posts} posts: {elapsed:.2f} s, ZIP {size / 1e6:.1f} MB, "
            f"peak Python memory {peak / 1e6:.1f} MB"
        )

    ContactMessage.objects.all().delete()
    ContactMessage.objects.bulk_create(
        ContactMessage(name="Bench", email="bench@example.net", subject="Hi", message="Hello")
        for _ in range(options.messages)
    )
    ContactMessage.objects.update(received_at=timezone.now() - timedelta(days=3 * 365))
    tracemalloc.start()
    started = time.perf_counter()
    changed = retention_enforce()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"retention: {changed['network.ContactMessage.received_at']} contact messages deleted "
        f"in {elapsed:.2f} s, peak Python memory {peak / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
