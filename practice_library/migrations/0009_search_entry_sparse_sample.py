"""A sparser sample of the search entries, one in 256 (search.facets.SPARSE_SAMPLE_EVERY):
a search matching very many entries is estimated from it alone, so counting a common
word costs the same in a library of a million entries as in one of 100,000. Like the
sample of one in thirty-two (migrations 0004, 0007, 0008): a GIN index for text
searches, written with a modulus, and a date index for browsing, written with a bit
mask; PostgreSQL only. The conditions must match search.postgres.PostgresEngine._count.
"""

from django.db import migrations

INDEXES = {
    "library_entry_sample256_document_gin": "USING gin (document) WHERE resource_id % 256 = 0",
    "library_entry_sample256_browse_idx": "(published_at) WHERE (resource_id & 255) = 0",
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
    dependencies = [("practice_library", "0008_search_entry_sample_of_32")]

    operations = [migrations.RunPython(create, drop)]
