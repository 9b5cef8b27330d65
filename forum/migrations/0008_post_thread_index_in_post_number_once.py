"""Posts lose the index of their thread column alone: the unique (thread, post_number)
index of post_number_once serves every lookup by thread, and in post-number order, so
reading a thread's first matching posts stops early.

Only the index is dropped. Django's own AlterField would also drop and re-add the
foreign key, which re-checks every post under a lock on the table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0007_data_rights"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="post",
                    name="thread",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="posts",
                        to="forum.thread",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql='DROP INDEX IF EXISTS "forum_post_thread_id_f9fa0a56"',
                    reverse_sql='CREATE INDEX "forum_post_thread_id_f9fa0a56" '
                    'ON "forum_post" ("thread_id")',
                ),
            ],
        ),
    ]
