"""The moderation log stays append-only; erasure may only put a pseudonym in its labels.
A member's data download names no thread the moderators hid, unless they started it."""

import io
import json
import zipfile

import pytest
from django.core.files.storage import storages
from django.db import DatabaseError, connection, transaction

from forum.models import (
    AppendOnlyError,
    AttachmentApproval,
    ModerationAction,
    ModerationActionKind,
    PostAttachment,
    PostBookmark,
)
from forum.moderation import actions
from forum.moderation.threads import thread_hide
from forum.services import reading
from forum.services.audit import audit_record
from members import data_rights
from members.models import DataRequest
from tests.forum.factories import thread_with_posts
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


TITLE = "Regulation 44 visit with Kayden, 9, at Larchwood"


def _download(user) -> zipfile.ZipFile:
    data_request = DataRequest.objects.create(
        user=user, kind=DataRequest.Kind.ACCESS, state=DataRequest.State.PREPARING
    )
    data_rights.data_export_build(data_request=data_request)
    data_request.refresh_from_db()
    with storages["default"].open(data_request.export_file, "rb") as file:
        return zipfile.ZipFile(io.BytesIO(file.read()))


def _everything_in(archive: zipfile.ZipFile) -> str:
    return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_a_readers_download_does_not_hold_the_title_of_a_thread_hidden_with_its_opening_post(
    moderator,
):
    reader = UserFactory(name="Nia Sharma")
    thread = thread_with_posts(posts=3, title=TITLE)
    PostBookmark.objects.create(user=reader, post=thread.posts.get(post_number=2))
    reading.thread_mark_read(user=reader, thread=thread, up_to=3)
    reading.thread_follow(user=reader, thread=thread)
    actions.post_hide(actor=moderator, post=thread.posts.get(post_number=1), reason="Names a child")

    archive = _download(reader)

    assert TITLE not in _everything_in(archive)
    [read] = json.loads(archive.read("forum_reads.json"))
    assert read["thread_title"] == "A thread the moderators hid"


def test_a_repliers_download_does_not_hold_the_title_of_a_thread_a_moderator_hid(moderator):
    thread = thread_with_posts(posts=2, title=TITLE)
    replier = thread.posts.get(post_number=2).author
    thread_hide(actor=moderator, thread=thread, reason="Names a child")

    archive = _download(replier)

    assert TITLE not in _everything_in(archive)
    [post] = json.loads(archive.read("forum_posts.json"))
    assert post["thread_title"] == "A thread the moderators hid"


def test_a_download_keeps_the_title_of_a_hidden_thread_its_person_started(moderator):
    thread = thread_with_posts(posts=2, title=TITLE)
    thread_hide(actor=moderator, thread=thread, reason="Names a child")

    archive = _download(thread.author)

    [post] = json.loads(archive.read("forum_posts.json"))
    assert post["thread_title"] == TITLE


def test_a_download_names_a_followed_category_without_a_thread_title():
    follower = UserFactory()
    thread = thread_with_posts(posts=1)
    reading.category_follow(user=follower, category=thread.category)

    [follow] = json.loads(_download(follower).read("forum_follows.json"))

    assert follow["thread_title"] is None
    assert follow["category__name"] == thread.category.name


def test_a_download_lists_an_image_a_moderator_did_not_approve_without_pointing_to_a_file():
    post = thread_with_posts(posts=1).posts.get()
    PostAttachment.objects.create(
        post=post,
        file="forum/ab/abcdef",
        original_filename="garden.png",
        content_type="image/png",
        extension="png",
        size_bytes=100,
        is_image=True,
        metadata_stripped=True,
        approval=AttachmentApproval.REJECTED,
    )

    archive = _download(post.author)

    [listed] = json.loads(archive.read("forum_attachments.json"))
    assert listed["original_filename"] == "garden.png"
    assert listed["file_in_download"] is None
    assert not [name for name in archive.namelist() if name.startswith("forum_attachments/")]


def test_a_download_lists_a_file_the_moderators_took_down_without_pointing_to_a_file():
    post = thread_with_posts(posts=1).posts.get()
    PostAttachment.objects.create(
        post=post,
        file="forum/ab/abcdef",
        original_filename="",  # gone with the file
        content_type="application/pdf",
        extension="pdf",
        size_bytes=100,
        approval=AttachmentApproval.REMOVED,
    )

    archive = _download(post.author)

    [listed] = json.loads(archive.read("forum_attachments.json"))
    assert listed["original_filename"] == "(removed by the moderators)"
    assert listed["file_in_download"] is None
