"""What the forum stores about a person: posts and their revisions, reports, bookmarks,
reactions, follows, read marks, preferences, notifications and the emails sent. See
network/data_rights.py for the shape of this module.

Erasure keeps the safeguarding records (reports they made, suspensions, moderators'
notes and the moderation log) pointing at the pseudonymous account, with the log's
labels rewritten to the pseudonym. Posts stay in their threads as "a former member"'s;
the person chooses whether their text stays or goes.
"""

from datetime import timedelta

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value
from django.utils.text import get_valid_filename

from forum.models import (
    Category,
    CategoryReadMark,
    Follow,
    ForumEmail,
    ForumPreference,
    ModerationAction,
    Notification,
    Post,
    PostAttachment,
    PostBookmark,
    PostRevision,
    Reaction,
    Report,
    Suspension,
    Thread,
    ThreadReadState,
)
from network.data_rights import ErasureChoices, ExportArchive, Retention, iterate
from network.markup import MARKUP_RENDERER_VERSION, render_markdown

# What replaces each post's text when the person chose to remove it.
REMOVED_TEXT = "*A former member removed the text of this post when they left.*"

RETENTION = [
    Retention(
        model="forum.Notification",
        field="created_at",
        period=timedelta(days=180),
        what="Forum notifications (replies, mentions, quotes)",
        why="To tell you what happened while you were away; old ones are no longer useful.",
    ),
    Retention(
        model="forum.ForumEmail",
        field="created_at",
        period=timedelta(days=90),
        what="The record of forum emails sent to you",
        why="So a retried task never emails you twice.",
    ),
]


def export(user, archive: ExportArchive) -> None:
    archive.add_part(
        "forum_posts",
        "Forum posts",
        ["thread__title", "post_number", "state", "body", "created_at", "edited_at"],
        iterate(
            Post.objects.filter(author=user)
            .order_by("pk")
            .values("thread__title", "post_number", "state", "body", "created_at", "edited_at")
        ),
    )
    archive.add_part(
        "forum_post_revisions",
        "Earlier versions of your forum posts",
        ["post__thread__title", "post__post_number", "body", "reason", "created_at"],
        iterate(
            PostRevision.objects.filter(post__author=user)
            .order_by("pk")
            .values("post__thread__title", "post__post_number", "body", "reason", "created_at")
        ),
    )
    _attachments_export(user, archive)
    archive.add_part(
        "forum_reports",
        "Posts you reported",
        ["post__thread__title", "post__post_number", "reason", "details", "created_at"],
        iterate(
            Report.objects.filter(reporter=user)
            .order_by("pk")
            .values("post__thread__title", "post__post_number", "reason", "details", "created_at")
        ),
    )
    archive.add_part(
        "forum_suspensions",
        "Forum suspensions",
        ["starts_at", "until", "reason", "lifted_at"],
        iterate(Suspension.objects.filter(member=user).order_by("pk").values()),
    )
    archive.add_part(
        "forum_bookmarks",
        "Forum bookmarks",
        ["post__thread__title", "post__post_number", "created_at"],
        iterate(
            PostBookmark.objects.filter(user=user)
            .order_by("pk")
            .values("post__thread__title", "post__post_number", "created_at")
        ),
    )
    archive.add_part(
        "forum_reactions",
        "Forum reactions",
        ["post__thread__title", "post__post_number", "kind", "created_at"],
        iterate(
            Reaction.objects.filter(user=user)
            .order_by("pk")
            .values("post__thread__title", "post__post_number", "kind", "created_at")
        ),
    )
    archive.add_part(
        "forum_follows",
        "Threads and categories you follow",
        ["thread__title", "category__name", "is_muted", "created_at"],
        iterate(
            Follow.objects.filter(user=user)
            .order_by("pk")
            .values("thread__title", "category__name", "is_muted", "created_at")
        ),
    )
    archive.add_part(
        "forum_reads",
        "Forum threads you read",
        ["thread__title", "last_read_post_number", "updated_at"],
        iterate(
            ThreadReadState.objects.filter(user=user)
            .order_by("pk")
            .values("thread__title", "last_read_post_number", "updated_at")
        ),
    )
    archive.add_part(
        "forum_preferences",
        "Forum preferences",
        ["notify_by", "email_mentions", "follow_on_post", "child_safety_confirmed_at"],
        iterate(ForumPreference.objects.filter(user=user).values()),
    )
    archive.add_part(
        "forum_notifications",
        "Forum notifications",
        ["kind", "thread__title", "post__post_number", "created_at", "read_at"],
        iterate(
            Notification.objects.filter(recipient=user)
            .order_by("pk")
            .values("kind", "thread__title", "post__post_number", "created_at", "read_at")
        ),
    )
    archive.add_part(
        "forum_emails",
        "Forum emails sent to you",
        ["kind", "thread__title", "created_at", "sent_at"],
        iterate(
            ForumEmail.objects.filter(recipient=user)
            .order_by("pk")
            .values("kind", "thread__title", "created_at", "sent_at")
        ),
    )


ATTACHMENT_FIELDS = [
    "thread_title",
    "post_number",
    "original_filename",
    "size_bytes",
    "created_at",
    "file_in_download",
]


def _attachments_export(user, archive: ExportArchive) -> None:
    """The files they attached to their posts: listed, then each file itself, under a
    name that starts with its row's id so two "notes.pdf" never clash."""
    attachments = PostAttachment.objects.filter(post__author=user).order_by("pk")

    def rows():
        for attachment in attachments.values(
            "pk",
            "post__thread__title",
            "post__post_number",
            "original_filename",
            "size_bytes",
            "created_at",
        ).iterator():
            yield {
                "thread_title": attachment["post__thread__title"],
                "post_number": attachment["post__post_number"],
                "original_filename": attachment["original_filename"],
                "size_bytes": attachment["size_bytes"],
                "created_at": attachment["created_at"],
                "file_in_download": _attachment_path(
                    attachment["pk"], attachment["original_filename"]
                ),
            }

    archive.add_part(
        "forum_attachments", "Files you attached to forum posts", ATTACHMENT_FIELDS, rows
    )
    for attachment in attachments.iterator():
        try:
            with attachment.file.open("rb") as source:
                archive.add_file(
                    _attachment_path(attachment.pk, attachment.original_filename), source
                )
        except FileNotFoundError:
            continue  # listed; the file itself is no longer stored


def _attachment_path(pk: int, original_filename: str) -> str:
    return f"forum_attachments/{pk}-{get_valid_filename(original_filename)}"


def erase(user, choices: ErasureChoices) -> None:
    posts = Post.objects.filter(author=user)
    if not choices.keep_post_text:
        # Earlier versions and attached files go too; the moderation log keeps only hashes.
        PostRevision.objects.filter(post__author=user).delete()
        for attachment in PostAttachment.objects.filter(post__author=user).iterator():
            attachment.file.delete(save=False)
            attachment.delete()
        changes = {
            "body": REMOVED_TEXT,
            "body_html": render_markdown(REMOVED_TEXT),
            "renderer_version": MARKUP_RENDERER_VERSION,
        }
        if connection.vendor == "postgresql":
            changes["search_vector"] = SearchVector(Value(""), config="english")
        posts.update(**changes)
    # Posts and threads stay in place, shown as "a former member"'s: @mentions of the
    # person stop resolving once the account has no name.
    posts.update(author=None)
    Post.objects.filter(edited_by=user).update(edited_by=None)
    PostRevision.objects.filter(edited_by=user).update(edited_by=None)
    Thread.objects.filter(author=user).update(author=None)
    Thread.objects.filter(last_post_author=user).update(last_post_author=None)
    Category.objects.filter(last_post_author=user).update(last_post_author=None)
    # A moderator of some categories moderates none once erased (their groups go too).
    user.moderated_forum_categories.clear()
    Notification.objects.filter(recipient=user).delete()
    Notification.objects.filter(actor=user).update(actor=None)
    ForumEmail.objects.filter(recipient=user).delete()
    ThreadReadState.objects.filter(user=user).delete()
    CategoryReadMark.objects.filter(user=user).delete()
    Follow.objects.filter(user=user).delete()
    ForumPreference.objects.filter(user=user).delete()
    PostBookmark.objects.filter(user=user).delete()
    # Reactions stay (the helpful counts are kept), tied to the pseudonymous account.
    # Reports, suspensions and moderators' notes stay as safeguarding records; the log's
    # labels are rewritten to the pseudonym.
    ModerationAction.objects.pseudonymise(user)
