"""Safeguarding records outlive the person: reports and suspensions protect the account
row (which erasure keeps as a pseudonymous "former member #N"), and on PostgreSQL the
moderation log's trigger lets erasure replace a name in its labels by that pseudonym,
and nothing else."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION forum_moderationaction_append_only() RETURNS trigger AS $$
BEGIN
    -- Erasure may replace a person's name in the labels by "Former member #N" (or
    -- "Member Former member #N (N)"); every other column must stay as it was.
    IF TG_OP = 'UPDATE'
       AND ROW(NEW.id, NEW.actor_id, NEW.action, NEW.post_id, NEW.thread_id, NEW.member_id,
               NEW.reason, NEW.hash_before, NEW.hash_after, NEW.details::text, NEW.created_at)
           IS NOT DISTINCT FROM
           ROW(OLD.id, OLD.actor_id, OLD.action, OLD.post_id, OLD.thread_id, OLD.member_id,
               OLD.reason, OLD.hash_before, OLD.hash_after, OLD.details::text, OLD.created_at)
       AND (NEW.actor_label = OLD.actor_label OR NEW.actor_label LIKE 'Former member #%')
       AND (NEW.target_label = OLD.target_label OR NEW.target_label LIKE '%Former member #%')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The moderation log is append-only.';
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION forum_moderationaction_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The moderation log is append-only.';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)  # the SQL holds LIKE patterns (%)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0006_attachment_metadata_stripped"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="report",
            name="reporter",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="forum_reports",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="suspension",
            name="member",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="forum_suspensions",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
