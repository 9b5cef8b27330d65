"""A person's download reads as well as it parses: plain headings, and an index page
that shows their smaller parts in full, offline, with every text escaped."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

from network.data_rights import INDEX_ROWS, ExportArchive

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


def test_the_index_shows_a_small_part_in_full_under_its_headings():
    archive = _archive([("forum_posts", "Forum posts", POSTS, [_post(), _post("Sleep-ins")])])

    page = archive.read("index.html").decode()

    assert '<th scope="col">What you wrote</th>' in page
    assert "<td>Night rota</td>" in page and "<td>Sleep-ins</td>" in page
    assert '<a href="forum_posts.csv">' in page
    assert "Dana Whitfield (dana@example.org)" in page


def test_the_index_counts_a_large_part_and_sends_the_reader_to_its_csv():
    rows = [_post(f"Post {n}") for n in range(INDEX_ROWS + 1)]
    archive = _archive([("forum_posts", "Forum posts", POSTS, rows)])

    page = archive.read("index.html").decode()

    assert f"{INDEX_ROWS + 1} records" in page
    assert "open the CSV file" in page
    assert "<td>Post 0</td>" not in page


def test_the_index_escapes_what_people_wrote():
    archive = _archive([("forum_posts", "Forum posts", POSTS, [_post("<script>x()</script>")])])

    page = archive.read("index.html").decode()

    assert "<script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page


def test_the_index_and_csv_give_times_in_uk_time():
    # Noon in UTC on 1 July is 1 pm in London (British Summer Time).
    archive = _archive([("forum_posts", "Forum posts", POSTS, [_post()])])

    assert "1 July 2026, 13:00" in archive.read("index.html").decode()
    assert "2026-07-01 13:00:00" in archive.read("forum_posts.csv").decode("utf-8-sig")


def test_the_index_needs_nothing_from_the_internet():
    page = _archive([("forum_posts", "Forum posts", POSTS, [_post()])]).read("index.html")

    assert b"<style>" in page
    assert b"http://" not in page and b"https://" not in page and b"<link" not in page


def test_a_column_with_choices_shows_their_labels_to_people_and_the_codes_to_software():
    states = [("held", "Held for moderation"), ("visible", "Visible")]
    columns = [("body", "What you wrote"), ("state", "Status", states)]
    archive = _archive(
        [("forum_posts", "Forum posts", columns, [{"body": "Rota", "state": "held"}])]
    )

    assert "Rota,Held for moderation" in archive.read("forum_posts.csv").decode("utf-8-sig")
    assert "<td>Held for moderation</td>" in archive.read("index.html").decode()
    assert json.loads(archive.read("forum_posts.json")) == [{"body": "Rota", "state": "held"}]


def test_the_csv_writes_recorded_choices_as_json_like_the_index():
    columns = [("choices", "Your choices")]
    chosen = {"weekly_digest": True, "newsletters": ["network-newsletter"]}
    archive = _archive([("newsletter_consents", "Consents", columns, [{"choices": chosen}])])

    [_header, [cell]] = csv.reader(
        io.StringIO(archive.read("newsletter_consents.csv").decode("utf-8-sig"))
    )

    assert json.loads(cell) == chosen
