"""Marking posts helpful and bookmarking them."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from forum import access
from forum.models import (
    Post,
    PostBookmark,
    Reaction,
)

# --- Reactions and bookmarks -------------------------------------------------------------


def reaction_toggle(*, user, post: Post) -> bool:
    """Mark or unmark a post as helpful. Returns whether it is now marked."""
    if not access.can_react(user, post):
        raise PermissionDenied("You may not react to this post.")
    with transaction.atomic(durable=True):
        # One toggle of a post at a time: two clicks at once would both find no mark,
        # and the second would break the one-mark-per-person rule.
        Post.objects.select_for_update().only("pk").get(pk=post.pk)
        deleted, _ = Reaction.objects.filter(post=post, user=user).delete()
        if deleted:
            Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") - 1)
            return False
        Reaction.objects.create(post=post, user=user)
        Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + 1)
        return True


def bookmark_toggle(*, user, post: Post) -> bool:
    deleted, _ = PostBookmark.objects.filter(user=user, post=post).delete()
    if deleted:
        return False
    PostBookmark.objects.get_or_create(user=user, post=post)
    return True
