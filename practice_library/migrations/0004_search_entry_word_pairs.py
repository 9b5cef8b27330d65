"""An index of the adjacent word pairs in every search entry's document (PostgreSQL
only), so that a quoted phrase is looked up rather than checked against every resource
that holds its words.

PostgreSQL checks a phrase by reading the positions in each candidate's whole document
vector, and for a phrase of common words that is most of the library's vectors (several
kilobytes each, compressed). The pairs come from the same vector and its positions, so
every resource that matches a phrase holds its pairs: the index only narrows the
candidates, and the phrase itself is still checked on the few that remain.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION library_word_pairs(tsvector) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}')
    FROM (SELECT lexeme, unnest(positions) AS position FROM unnest($1)) a
    JOIN (SELECT lexeme, unnest(positions) AS position FROM unnest($1)) b
        ON b.position = a.position + 1
$$
"""
INDEX = "library_entry_pairs_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON practice_library_searchentry "
        "USING gin (library_word_pairs(document))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("DROP FUNCTION IF EXISTS library_word_pairs(tsvector)")


class Migration(migrations.Migration):
    dependencies = [("practice_library", "0003_search_entry")]

    operations = [migrations.RunPython(create, drop)]
