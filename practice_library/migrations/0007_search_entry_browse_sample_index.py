"""The sample of the entries that browsing without search text counts (search.Library.
_entry_count), by date; PostgreSQL only. Its condition is written with a bit mask, the
text searches' sample with a modulus: the same entries, but a text search can never use
this index and test documents one by one along it. The mask must match
search.SAMPLE_EVERY - 1."""

from django.db import migrations

INDEX = "library_entry_sample_browse_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON practice_library_searchentry "
            "(published_at) WHERE (resource_id & 15) = 0",
            params=None,
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("practice_library", "0006_search_entry_type_and_year_indexes")]

    operations = [migrations.RunPython(create, drop)]
