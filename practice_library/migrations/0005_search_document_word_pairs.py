"""Every search entry's document vector also holds its adjacent word pairs, as lexemes of
their own ("care plan"), so that the GIN index finds a quoted phrase by its pairs instead
of PostgreSQL reading the positions in the whole vector of every resource holding its
words (PostgreSQL only; see search.Library._entry_match).

The pairs come from the vector's own positions, so a resource matches a phrase only if
it holds the phrase's pairs. This migration adds the function that lists them and
rebuilds every entry with services.SEARCH_ENTRIES_UPSERT_SQL, which now adds them.
"""

from django.db import migrations

BATCH = 2_000


def create_function_and_rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.conf import settings

    from practice_library.services import (
        SEARCH_ENTRIES_UPSERT_SQL,
        SEARCH_WORD_PAIRS_FUNCTION_SQL,
    )

    schema_editor.execute(SEARCH_WORD_PAIRS_FUNCTION_SQL, params=None)
    SearchEntry = apps.get_model("practice_library", "SearchEntry")
    ids = list(SearchEntry.objects.order_by("pk").values_list("pk", flat=True))
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            cursor.execute(
                SEARCH_ENTRIES_UPSERT_SQL,
                {"ids": ids[start : start + BATCH], "tz": settings.TIME_ZONE},
            )


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The entries keep their pairs until they are next rebuilt: harmless lexemes.
        schema_editor.execute("DROP FUNCTION IF EXISTS library_word_pairs(tsvector) CASCADE")


class Migration(migrations.Migration):
    atomic = False  # a large library is rebuilt in batches, each committed on its own

    dependencies = [("practice_library", "0004_search_entry_tier_and_sample_indexes")]

    operations = [migrations.RunPython(create_function_and_rebuild, drop_function)]
