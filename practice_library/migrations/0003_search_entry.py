"""Search reads a narrow SearchEntry row per live resource instead of a vector stored on
the resource (see SearchEntry). The GIN index and the first fill are PostgreSQL only."""

import practice_library.models
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


INDEX = "library_entry_document_gin"


def create_index_and_fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.conf import settings

    from practice_library.services import (
        SEARCH_ENTRIES_UPSERT_SQL,
        SEARCH_WORD_PAIRS_FUNCTION_SQL,
    )

    # The entries are built with today's statement, which needs the function that
    # migration 0005 introduced.
    schema_editor.execute(SEARCH_WORD_PAIRS_FUNCTION_SQL, params=None)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON practice_library_searchentry USING gin (document)"
    )
    Resource = apps.get_model("practice_library", "Resource")
    ids = list(Resource.objects.values_list("pk", flat=True))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SEARCH_ENTRIES_UPSERT_SQL, {"ids": ids, "tz": settings.TIME_ZONE})


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('practice_library', '0002_search_vector_gin'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='resource',
            name='search_vector',
        ),
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('resource', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_entry', serialize=False, to='practice_library.resource')),
                ('published_at', models.DateTimeField()),
                ('year', models.PositiveSmallIntegerField(help_text="Of published_at, in the site's time zone.")),
                ('topic_ids', practice_library.models.EntryArrayField(base_field=models.IntegerField(), default=list, size=None)),
                ('audiences', practice_library.models.EntryArrayField(base_field=models.CharField(max_length=20), default=list, size=None)),
                ('ranking', django.contrib.postgres.search.SearchVectorField()),
                ('document', django.contrib.postgres.search.SearchVectorField()),
                ('resource_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='practice_library.resourcetype')),
            ],
            options={
                'indexes': [models.Index(fields=['-published_at', '-resource'], name='library_entry_newest_idx')],
            },
        ),
        migrations.RunPython(create_index_and_fill, drop_index),
    ]
