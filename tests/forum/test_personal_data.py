"""The moderation log stays append-only; erasure may only put a pseudonym in its labels."""

import pytest
from django.db import DatabaseError, connection, transaction

from forum.models import AppendOnlyError, ModerationAction, ModerationActionKind
from forum.services.audit import audit_record
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the log's trigger is PostgreSQL's"
)


def _entry(moderator, member):
    return audit_record(
        actor=moderator, action=ModerationActionKind.SUSPEND, member=member, reason="Abusive."
    )


def test_pseudonymising_changes_only_the_labels(moderator):
    member = UserFactory(name="Sam Jones")
    entry = _entry(moderator, member)
    assert ModerationAction.objects.pseudonymise(member) == 1
    after = ModerationAction.objects.get(pk=entry.pk)
    assert after.target_label == f"Member Former member #{member.pk} ({member.pk})"
    assert (after.reason, after.actor_label) == (entry.reason, entry.actor_label)


def test_the_log_still_refuses_ordinary_updates(moderator):
    _entry(moderator, UserFactory())
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.update(reason="rewritten")


@postgres_only
def test_the_trigger_refuses_any_change_beyond_the_pseudonym(moderator):
    entry = _entry(moderator, UserFactory())
    for sql in (
        "UPDATE forum_moderationaction SET reason = 'rewritten' WHERE id = %s",
        "UPDATE forum_moderationaction SET actor_label = 'Someone else' WHERE id = %s",
        "DELETE FROM forum_moderationaction WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])


@postgres_only
def test_the_trigger_lets_a_pseudonym_replace_a_name(moderator):
    entry = _entry(moderator, UserFactory())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE forum_moderationaction SET actor_label = %s WHERE id = %s",
            [f"Former member #{moderator.pk}", entry.pk],
        )
    assert ModerationAction.objects.get(pk=entry.pk).actor_label.startswith("Former member #")
