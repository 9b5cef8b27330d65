"""The GIN index on the stored search vector (PostgreSQL only; SQLite has no full-text
search and searches the columns directly)."""

from django.db import migrations

INDEX = "library_search_vector_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON practice_library_resource "
            "USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("practice_library", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
