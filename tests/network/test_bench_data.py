"""The bench fills its PostgreSQL database with SQL straight into the tables (bench/), so
that millions of rows take minutes. A column added without a default in the database
stops it there, and no page test would notice: this fills a small forum the same way."""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from forum.models import Category, Post, Thread

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the bench fills PostgreSQL (generate_series)"
    ),
]


def _bench(name: str):
    """bench/<name>.py, a script rather than a package module."""
    spec = importlib.util.spec_from_file_location(
        f"bench_{name}", Path(settings.BASE_DIR) / "bench" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_forum_bench_fills_threads_and_posts_into_the_current_tables():
    forum = _bench("forum")

    forum.fill(threads=3, posts=1004, members=5)

    assert Thread.objects.count() == 3
    assert Post.objects.count() == 1004
    assert Post.objects.filter(hidden_by_reports=False).count() == 1004
    assert sum(Category.objects.values_list("post_count", flat=True)) == 1004
