"""Trigram indexes for the admin's search of resources (title, summary, source): Django's
admin search is `UPPER(column::text) LIKE UPPER('%words%')`, which no ordinary index
serves, so at 1,000,000 resources every search read the whole table (seconds). pg_trgm's
GIN indexes on the same expressions find the rows holding the words. PostgreSQL only
(pg_trgm is a trusted extension: the database's owner may create it); SQLite reads its
few rows as before.
"""

from django.db import migrations

INDEXES = {
    "library_title_trgm": "USING gin (UPPER(title::text) gin_trgm_ops)",
    "library_summary_trgm": "USING gin (UPPER(summary) gin_trgm_ops)",
    "library_source_trgm": "USING gin (UPPER(source::text) gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON practice_library_resource {definition}",
            params=None,
        )
    # Statistics of the indexed expressions: without them PostgreSQL guesses that a
    # common word is rare and reads all its rows through these indexes to sort them,
    # rather than walking the newest first (seconds instead of milliseconds).
    schema_editor.execute("ANALYZE practice_library_resource")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("practice_library", "0010_resource_newest_index")]

    operations = [migrations.RunPython(create, drop)]
