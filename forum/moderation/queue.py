"""The review queue: the decisions on an item, the items a moderator may act on, notes."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from forum import access, screening
from forum.models import (
    Post,
    PostAttachment,
    Report,
    Resolution,
    ReviewItem,
    ReviewKind,
    ReviewNote,
)
from forum.moderation.checks import check_moderates


class Decision:
    """What a moderator decides on a queue item (see the module docstring)."""

    PUBLISH = "publish"
    REMOVE = "remove"
    HIDE = "hide"
    KEEP = "keep"
    DISAGREE = "disagree"
    IGNORE = "ignore"

    FOR_HELD = {
        PUBLISH: "Agree: publish the post",
        REMOVE: "Agree: remove the post (it stays out of the forum)",
    }
    FOR_REPORTED = {
        HIDE: "Agree: hide the post",
        KEEP: "Agree, and I have edited or redacted the post: leave it as it is now",
        DISAGREE: "Disagree: nothing wrong, show the post again",
        IGNORE: "Ignore: close the item and leave the post as it is now",
    }
    RESOLUTION = {
        PUBLISH: Resolution.AGREE,
        REMOVE: Resolution.AGREE,
        HIDE: Resolution.AGREE,
        KEEP: Resolution.AGREE,
        DISAGREE: Resolution.DISAGREE,
        IGNORE: Resolution.IGNORE,
    }

    @classmethod
    def choices_for(cls, item: ReviewItem) -> dict[str, str]:
        if item.kind == ReviewKind.HELD:
            return cls.FOR_HELD
        if item.kind == ReviewKind.REPORTED:
            return cls.FOR_REPORTED
        return {}


# --- The review queue -------------------------------------------------------------------------


def review_queue(user) -> QuerySet[ReviewItem]:
    """The open items `user` may act on: urgent ones first, then the oldest first, with
    everything the queue page shows fetched in a fixed number of queries."""
    return (
        ReviewItem.objects.open()
        .filter(access.moderated_categories_q(user, prefix="post__thread__category__"))
        .select_related("post__thread__category", "post__author")
        .prefetch_related(*item_prefetches())
        .order_by("-is_urgent", "created_at", "pk")
    )


def resolved_items(user) -> QuerySet[ReviewItem]:
    """Items already dealt with, the latest first (the queue's history)."""
    return (
        ReviewItem.objects.filter(resolved_at__isnull=False)
        .filter(access.moderated_categories_q(user, prefix="post__thread__category__"))
        .select_related("post__thread__category", "post__author", "resolved_by")
        .prefetch_related(*item_prefetches())
        .order_by("-resolved_at", "-pk")
    )


def item_prefetches() -> list:
    return [
        Prefetch(
            "reports", queryset=Report.objects.select_related("reporter").order_by("created_at")
        ),
        "matched_patterns",
        Prefetch("notes", queryset=ReviewNote.objects.select_related("author")),
        Prefetch(
            "post__attachments",
            queryset=PostAttachment.objects.filter(is_image=True).order_by("pk"),
            to_attr="images",
        ),
        # Attached documents are up with the post (only images wait for approval), and a
        # report may be about one: whoever decides must see them beside the text.
        Prefetch(
            "post__attachments",
            queryset=PostAttachment.objects.filter(is_image=False).order_by("pk"),
            to_attr="documents",
        ),
    ]


def highlighted_body(post: Post, patterns: list) -> list[tuple[str, bool]]:
    """The post's text in pieces, the watch-list matches marked (for the queue)."""
    return screening.highlight_spans(post.body, screening.screen_text(post.body, patterns=patterns))


def highlighted_title(post: Post, patterns: list) -> list[tuple[str, bool]]:
    """For an opening post, its thread's title in pieces with the watch-list matches
    marked, as posting screens the title with the text; [] when the title matches
    nothing (or the post opens no thread), so the queue shows it only when it counts."""
    if post.post_number != 1:
        return []
    title = post.thread.title
    found = screening.screen_text(title, patterns=patterns)
    return screening.highlight_spans(title, found) if found.matches else []


def review_note_add(*, actor, item: ReviewItem, text: str) -> ReviewNote:
    """A private note on a queue item, for the other moderators."""
    check_moderates(actor, item.post.thread.category)
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write the note first.", code="text")
    if len(text) > 2000:
        raise ValidationError("Keep the note to 2,000 characters.", code="text")
    return ReviewNote.objects.create(item=item, author=actor, text=text)
