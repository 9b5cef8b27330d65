"""What every moderation action checks first: that the actor moderates where it acts,
the reason given, and the row it acts on, locked."""

from django.core.exceptions import PermissionDenied, ValidationError

from forum import access
from forum.models import (
    Category,
    Post,
    Thread,
)

REASON_MAX_LENGTH = 300


def check_moderates(actor, category: Category) -> None:
    if not access.is_category_moderator(actor, category):
        raise PermissionDenied("You do not moderate this category.")


def check_not_own(actor, post: Post) -> None:
    """Four eyes on what goes up: a moderator may take their own post down, but whether
    it (or an image on it, which may show a child) goes up, or stays up once reported,
    is for another moderator."""
    if post.author_id is not None and post.author_id == actor.pk:
        raise ValidationError(
            "Another moderator decides whether your own post, or an image on it, goes up "
            "or stays up: you may hide or remove it yourself.",
            code="own",
        )


def clean_reason(reason: str, *, required: bool = False, what: str = "Give a reason.") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError(what, code="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            f"Keep the reason to {REASON_MAX_LENGTH} characters (it has {len(reason)}).",
            code="reason",
        )
    return reason


def locked_post(post: Post) -> Post:
    """The post's row, locked for the rest of the transaction (two moderators acting on
    the same post at once act one after the other)."""
    return Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)


def locked_thread(thread: Thread) -> Thread:
    return Thread.objects.select_for_update().select_related("category").get(pk=thread.pk)
