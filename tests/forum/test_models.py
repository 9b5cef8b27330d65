import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from forum.models import (
    AppendOnlyError,
    Follow,
    ModerationAction,
    ModerationActionKind,
    Post,
    content_hash,
)
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(room, member):
    thread = thread_with_posts(posts=1, category=room, author=member)
    return ModerationAction.objects.create(
        actor=None, action=ModerationActionKind.AUTO_HIDE, thread=thread, reason="Reported"
    )


def test_audit_log_entry_cannot_be_saved_again(entry):
    entry.reason = "Rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()


def test_audit_log_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_audit_log_refuses_queryset_update_and_delete(entry):
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.filter(pk=entry.pk).update(reason="Rewritten")
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_refuses_raw_update_of_audit_log(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE forum_moderationaction SET reason = 'x'")


def test_audit_entry_outlives_the_thread_it_is_about(entry):
    thread_id = entry.thread_id
    Post.objects.filter(thread_id=thread_id).delete()
    entry.thread.delete()
    entry = ModerationAction.objects.get(pk=entry.pk)
    assert entry.thread_id == thread_id
    assert entry.is_automatic


def test_post_numbers_are_unique_within_a_thread(room, member):
    thread = thread_with_posts(category=room, author=member, posts=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(thread=thread, post_number=2, author=member, body="Again")


def test_a_follow_is_of_a_thread_or_a_category_not_both(room, member):
    thread = thread_with_posts(posts=1, category=room, author=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=member, thread=thread, category=room)


def test_content_hash_is_sha256_of_the_text_and_never_the_text():
    digest = content_hash("Meeting at Larch House")
    assert len(digest) == 64
    assert "Larch" not in digest
    assert content_hash("a") != content_hash("b")
