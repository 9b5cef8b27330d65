"""The search entries' sample becomes one in thirty-two (search.SAMPLE_EVERY): estimating
the counts of a broad search from half as many entries keeps a first search under 50 ms
at 100,000 resources, and the estimates are shown rounded to two figures anyway.
PostgreSQL only; the conditions must match search.Library._entry_count."""

from django.db import migrations

OLD = {
    "library_entry_sample_document_gin": "USING gin (document) WHERE resource_id % 16 = 0",
    "library_entry_sample_browse_idx": "(published_at) WHERE (resource_id & 15) = 0",
}
NEW = {
    "library_entry_sample32_document_gin": "USING gin (document) WHERE resource_id % 32 = 0",
    "library_entry_sample32_browse_idx": "(published_at) WHERE (resource_id & 31) = 0",
}


def _swap(schema_editor, drop: dict, create: dict) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in drop:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, definition in create.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON practice_library_searchentry {definition}",
            params=None,
        )


def forwards(apps, schema_editor):
    _swap(schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _swap(schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("practice_library", "0007_search_entry_browse_sample_index")]

    operations = [migrations.RunPython(forwards, backwards)]
