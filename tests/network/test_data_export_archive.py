"""A person's download reads as well as it parses: plain headings for people, field
names for other software."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

from network.data_rights import ExportArchive

POSTS = [("thread__title", "Thread"), ("body", "What you wrote"), ("created_at", "Posted")]


def _archive(parts) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    archive = ExportArchive(buffer, person="Dana Whitfield (dana@example.org)")
    for name, title, columns, rows in parts:
        archive.add_part(name, title, columns, lambda rows=rows: iter(rows), about="About.")
    archive.close()
    return zipfile.ZipFile(buffer)


def _post(body="Night rota", at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC)):
    return {"thread__title": "Handovers", "body": body, "created_at": at}


def test_the_csv_names_its_columns_in_plain_english():
    archive = _archive([("forum_posts", "Forum posts", POSTS, [_post()])])

    header = next(csv.reader(io.StringIO(archive.read("forum_posts.csv").decode("utf-8-sig"))))

    assert header == ["Thread", "What you wrote", "Posted"]


def test_the_json_keeps_the_field_names_for_other_software():
    archive = _archive([("forum_posts", "Forum posts", POSTS, [_post()])])

    [post] = json.loads(archive.read("forum_posts.json"))

    assert set(post) == {"thread__title", "body", "created_at"}
