"""The test database is emptied after a test that commits (tests/flush.py)."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from forum.models import ModerationAction, ModerationActionKind
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite empties tables with DELETE already"
)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_every_table_even_the_append_only_moderation_log(moderator, member):
    thread = thread_with_posts(posts=3, author=member)
    ModerationAction.objects.create(
        actor=moderator, action=ModerationActionKind.HIDE_THREAD, thread=thread, reason="Test"
    )

    # As TransactionTestCase flushes, without the signal that would put back the sites,
    # content types and permissions.
    call_command(
        "flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True
    )

    left = {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }
    assert {label: count for label, count in left.items() if count} == {}


def test_flush_truncates_only_the_tables_a_trigger_guards_and_deletes_the_rest(db):
    tables = connection.introspection.django_table_names(only_existing=True)

    statements = connection.ops.sql_flush(no_style(), tables)

    truncates = [s for s in statements if s.startswith("TRUNCATE")]
    assert truncates == ['TRUNCATE "forum_moderationaction" CASCADE;']
    assert sum(s.startswith("DELETE FROM") for s in statements) == len(tables) - 1
