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
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils.text import get_valid_filename

from forum.models import (
    FILE_DELETED,
    Category,
    CategoryReadMark,
    DraftAttachment,
    EmailKind,
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
    ThreadState,
)
from forum.quotes import quoted_author_forget
from forum.services.attachments import drafts_purge
from network.data_rights import ErasureChoices, ExportArchive, Retention, choices_of, iterate
from network.markup import MARKUP_RENDERER_VERSION, render_markdown

# What replaces each post's text when the person chose to remove it.
REMOVED_TEXT = "*A former member removed the text of this post when they left.*"

RETENTION = [
    Retention(
        model="forum.Notification",
        field="created_at",
        period=timedelta(days=180),
        what="Forum notifications (replies, mentions, quotes, decisions on posts you reported)",
        why="To tell you what happened while you were away; old ones are no longer useful.",
    ),
    Retention(
        model="forum.ForumEmail",
        field="created_at",
        period=timedelta(days=90),
        what="The record of forum emails sent to you",
        why="So a retried task never emails you twice.",
    ),
    Retention(
        model="forum.DraftAttachment",
        field="created_at",
        period=timedelta(days=1),
        what="Files you chose for a forum post you did not send",
        why="So that a preview, or a post sent back to you to correct, keeps the files you chose.",
        purge=drafts_purge,
    ),
]


THREAD = ("thread_title", "Thread")
POST_NUMBER = ("post__post_number", "Post number")

# What stands for the title of a thread the moderators hid: a title may name a child
# (a thread goes with its opening post for that reason), and a download is a file that
# outlives the moderator's decision.
HIDDEN_THREAD_TITLE = "A thread the moderators hid"


def _thread_title(relation: str, user) -> Case:
    """The title of the thread at `relation` ("thread", "post__thread") as a download may
    hold it: a listed thread's, or one the person started (their own words); otherwise
    HIDDEN_THREAD_TITLE. None where the row names no thread (a category follow)."""
    return Case(
        When(**{f"{relation}__isnull": True}, then=Value(None)),
        When(
            Q(**{f"{relation}__state": ThreadState.VISIBLE}) | Q(**{f"{relation}__author": user}),
            then=F(f"{relation}__title"),
        ),
        default=Value(HIDDEN_THREAD_TITLE),
        output_field=CharField(),
    )


def export(user, archive: ExportArchive) -> None:
    archive.add_part(
        "forum_posts",
        "Forum posts",
        [
            THREAD,
            ("post_number", "Post number"),
            ("state", "Status", choices_of(Post, "state")),
            ("body", "What you wrote"),
            ("created_at", "Posted"),
            ("edited_at", "Last edited"),
        ],
        iterate(
            Post.objects.filter(author=user)
            .order_by("pk")
            .annotate(thread_title=_thread_title("thread", user))
            .values("thread_title", "post_number", "state", "body", "created_at", "edited_at")
        ),
        about="Every post you wrote in the members' forum, as it reads now.",
    )
    archive.add_part(
        "forum_post_revisions",
        "Earlier versions of your forum posts",
        [
            THREAD,
            POST_NUMBER,
            ("body", "What it said"),
            ("reason", "Why it changed"),
            ("created_at", "Saved"),
        ],
        iterate(
            PostRevision.objects.filter(post__author=user)
            .order_by("pk")
            .annotate(thread_title=_thread_title("post__thread", user))
            .values("thread_title", "post__post_number", "body", "reason", "created_at")
        ),
        about="What your posts said before you or a moderator edited them.",
    )
    _attachments_export(user, archive)
    _drafts_export(user, archive)
    archive.add_part(
        "forum_reports",
        "Posts you reported",
        [
            THREAD,
            POST_NUMBER,
            ("reason", "Reason", choices_of(Report, "reason")),
            ("details", "Details you gave"),
            ("created_at", "Reported"),
        ],
        iterate(
            Report.objects.filter(reporter=user)
            .order_by("pk")
            .annotate(thread_title=_thread_title("post__thread", user))
            .values("thread_title", "post__post_number", "reason", "details", "created_at")
        ),
        about="Posts you reported to the moderators, and what you told them.",
    )
    archive.add_part(
        "forum_suspensions",
        "Forum suspensions",
        [("starts_at", "From"), ("until", "Until"), ("reason", "Reason"), ("lifted_at", "Lifted")],
        iterate(Suspension.objects.filter(member=user).order_by("pk").values()),
        about="Any time the moderators stopped you posting, and why.",
    )
    archive.add_part(
        "forum_bookmarks",
        "Forum bookmarks",
        [THREAD, POST_NUMBER, ("created_at", "Bookmarked")],
        iterate(
            PostBookmark.objects.filter(user=user)
            .order_by("pk")
            .annotate(thread_title=_thread_title("post__thread", user))
            .values("thread_title", "post__post_number", "created_at")
        ),
        about="Posts you bookmarked to find again.",
    )
    archive.add_part(
        "forum_reactions",
        "Forum reactions",
        [
            THREAD,
            POST_NUMBER,
            ("kind", "Reaction", choices_of(Reaction, "kind")),
            ("created_at", "Reacted"),
        ],
        iterate(
            Reaction.objects.filter(user=user)
            .order_by("pk")
            .annotate(thread_title=_thread_title("post__thread", user))
            .values("thread_title", "post__post_number", "kind", "created_at")
        ),
        about="Your reactions to other members' posts.",
    )
    archive.add_part(
        "forum_follows",
        "Threads and categories you follow",
        [
            THREAD,
            ("category__name", "Category"),
            ("is_muted", "Muted"),
            ("created_at", "Followed"),
        ],
        iterate(
            Follow.objects.filter(user=user)
            .order_by("pk")
            .annotate(thread_title=_thread_title("thread", user))
            .values("thread_title", "category__name", "is_muted", "created_at")
        ),
        about="The threads and categories you follow (or muted) to hear of new posts.",
    )
    archive.add_part(
        "forum_reads",
        "Forum threads you read",
        [
            THREAD,
            ("last_read_post_number", "Read up to post"),
            ("updated_at", "Last read"),
        ],
        iterate(
            ThreadReadState.objects.filter(user=user)
            .order_by("pk")
            .annotate(thread_title=_thread_title("thread", user))
            .values("thread_title", "last_read_post_number", "updated_at")
        ),
        about="How far you have read each thread, so the forum can show what is new.",
    )
    archive.add_part(
        "forum_preferences",
        "Forum preferences",
        [
            ("notify_by", "How we tell you of new posts", choices_of(ForumPreference, "notify_by")),
            ("email_mentions", "Email when mentioned"),
            ("follow_on_post", "Follow threads you post in"),
            ("child_safety_confirmed_at", "Confirmed the child safety rules"),
        ],
        iterate(ForumPreference.objects.filter(user=user).values()),
        about="The forum settings you chose.",
    )
    archive.add_part(
        "forum_notifications",
        "Forum notifications",
        [
            ("kind", "Kind", choices_of(Notification, "kind")),
            THREAD,
            POST_NUMBER,
            ("created_at", "Sent"),
            ("read_at", "Read"),
        ],
        iterate(
            Notification.objects.filter(recipient=user)
            .order_by("pk")
            .annotate(thread_title=_thread_title("thread", user))
            .values("kind", "thread_title", "post__post_number", "created_at", "read_at")
        ),
        about=(
            "Notices the forum showed you, such as replies, mentions and what the "
            "moderators decided about posts you reported."
        ),
    )
    archive.add_part(
        "forum_emails",
        "Forum emails sent to you",
        [
            (
                "kind",
                "Kind",
                choices_of(
                    ForumEmail,
                    "kind",
                    to_the_person={
                        EmailKind.MODERATOR_ALERT: "Urgent report (you moderate the forum)",
                        EmailKind.MODERATION_NOTICE: "A moderator's decision about your post",
                        EmailKind.REPORT_DECIDED: "The moderators' decision on a post you reported",
                        EmailKind.REPORT_OUTCOME: (
                            "The moderators changed their decision on your post, or on a "
                            "post you reported"
                        ),
                    },
                ),
            ),
            THREAD,
            ("created_at", "Written"),
            ("sent_at", "Sent"),
        ],
        iterate(
            ForumEmail.objects.filter(recipient=user)
            .order_by("pk")
            .annotate(thread_title=_thread_title("thread", user))
            .values("kind", "thread_title", "created_at", "sent_at")
        ),
        about="Emails the forum sent you about new posts.",
    )


ATTACHMENT_COLUMNS = [
    ("thread_title", "Thread"),
    ("post_number", "Post number"),
    ("original_filename", "File name"),
    ("size_bytes", "Size in bytes"),
    ("created_at", "Attached"),
    ("file_in_download", "File in this download"),
]


def _attachments_export(user, archive: ExportArchive) -> None:
    """The files they attached to their posts: listed, then each file itself, under a
    name that starts with its row's id so two "notes.pdf" never clash."""
    attachments = (
        PostAttachment.objects.filter(post__author=user)
        .order_by("pk")
        .annotate(thread_title=_thread_title("post__thread", user))
    )

    def rows():
        for attachment in attachments.values(
            "pk",
            "thread_title",
            "post__post_number",
            "original_filename",
            "size_bytes",
            "created_at",
            "approval",
        ).iterator():
            # An image a moderator did not approve, or a file they took down, was deleted
            # then: listed, not linked.
            deleted = attachment["approval"] in FILE_DELETED
            yield {
                "thread_title": attachment["thread_title"],
                "post_number": attachment["post__post_number"],
                # Taken down by the moderators, a file's name went with it.
                "original_filename": attachment["original_filename"]
                or "(removed by the moderators)",
                "size_bytes": attachment["size_bytes"],
                "created_at": attachment["created_at"],
                "file_in_download": None
                if deleted
                else _attachment_path(attachment["pk"], attachment["original_filename"]),
            }

    archive.add_part(
        "forum_attachments",
        "Files you attached to forum posts",
        ATTACHMENT_COLUMNS,
        rows,
        about="The files you attached to your posts; each file is in this download too.",
    )
    for attachment in attachments.exclude(approval__in=FILE_DELETED).iterator():
        try:
            with attachment.file.open("rb") as source:
                archive.add_file(
                    _attachment_path(attachment.pk, attachment.original_filename), source
                )
        except FileNotFoundError:
            continue  # listed; the file itself is no longer stored


def _drafts_export(user, archive: ExportArchive) -> None:
    """Files they chose for a post not sent yet (kept a day): listed, then each file."""
    drafts = DraftAttachment.objects.filter(owner=user).order_by("pk")

    def rows():
        for draft in drafts.values("pk", "original_filename", "size_bytes", "created_at"):
            path = _draft_path(draft["pk"], draft["original_filename"])
            yield {**draft, "file_in_download": path}

    archive.add_part(
        "forum_unsent_files",
        "Files you chose for a forum post not sent yet",
        [
            ("original_filename", "File name"),
            ("size_bytes", "Size in bytes"),
            ("created_at", "Chosen"),
            ("file_in_download", "File in this download"),
        ],
        rows,
        about="Files kept for a post you previewed or were asked to correct; each is "
        "deleted a day after you chose it unless the post is sent.",
    )
    for draft in drafts.iterator():
        try:
            with draft.file.open("rb") as source:
                archive.add_file(_draft_path(draft.pk, draft.original_filename), source)
        except FileNotFoundError:
            continue  # listed; the file itself is no longer stored


def _draft_path(pk: int, original_filename: str) -> str:
    return f"forum_unsent_files/{pk}-{get_valid_filename(original_filename)}"


def _attachment_path(pk: int, original_filename: str) -> str:
    return f"forum_attachments/{pk}-{get_valid_filename(original_filename)}"


def erase(user, choices: ErasureChoices) -> None:
    # Others' quotes of their posts name them in the quote's header: first, while the
    # posts still have their author.
    quoted_author_forget(author=user, name=user.name)
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
    for draft in DraftAttachment.objects.filter(owner=user).iterator():
        draft.file.delete(save=False)
        draft.delete()
    PostBookmark.objects.filter(user=user).delete()
    # Reactions stay (the helpful counts are kept), tied to the pseudonymous account.
    # Reports, suspensions and moderators' notes stay as safeguarding records; the log's
    # labels are rewritten to the pseudonym.
    ModerationAction.objects.pseudonymise(user)
