"""Indexes that let a search read only what its page and its counts need (PostgreSQL
only; see search.Library._entry_page and _entry_counts):

- the title part and the whole of the small title-and-summary vector, so the best
  matches are ranked without ranking every hit;
- a fixed sample of the entries (one resource in sixteen), so the counts of a search
  with very many matches are estimated from a sixteenth of them.

The sample's modulus must match search.SAMPLE_EVERY.
"""

from django.db import migrations

INDEXES = {
    "library_entry_title_gin": "USING gin (ts_filter(ranking, '{a}'))",
    "library_entry_ranking_gin": "USING gin (ranking)",
    "library_entry_sample_document_gin": "USING gin (document) WHERE resource_id % 16 = 0",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON practice_library_searchentry {definition}",
            params=None,
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("practice_library", "0003_search_entry")]

    operations = [migrations.RunPython(create, drop)]
