"""PostgreSQL only: GIN indexes on the stored search vectors, and a trigger that refuses
UPDATE and DELETE on the moderation log, so not even a bug or a raw query in the
application can rewrite it. (SQLite has no full-text search; the model refuses changes.)"""

from django.db import migrations

FORWARD = """
CREATE INDEX IF NOT EXISTS forum_post_search_gin ON forum_post USING gin (search_vector);
CREATE INDEX IF NOT EXISTS forum_thread_search_gin ON forum_thread USING gin (search_vector);
CREATE OR REPLACE FUNCTION forum_moderationaction_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The moderation log is append-only.';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS forum_moderationaction_append_only ON forum_moderationaction;
CREATE TRIGGER forum_moderationaction_append_only
    BEFORE UPDATE OR DELETE ON forum_moderationaction
    FOR EACH ROW EXECUTE FUNCTION forum_moderationaction_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS forum_moderationaction_append_only ON forum_moderationaction;
DROP FUNCTION IF EXISTS forum_moderationaction_append_only();
DROP INDEX IF EXISTS forum_thread_search_gin;
DROP INDEX IF EXISTS forum_post_search_gin;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
