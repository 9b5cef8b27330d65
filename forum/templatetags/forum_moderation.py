"""Template helpers of the moderators' pages."""

from django import template
from django.urls import NoReverseMatch

register = template.Library()


@register.filter
def public_url(obj) -> str:
    """The reader-facing address of a thread or post, or "" where the forum's reader
    pages are not mounted (the moderators' pages then link to their own views only)."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


@register.filter
def may_suspend(user) -> bool:
    """May this person suspend members from the forum (forum/access.py decides)?"""
    from forum import access

    return access.can_suspend_from_forum(user)


@register.inclusion_tag("forum/moderation/_queue_link.html", takes_context=True)
def review_queue_link(context) -> dict:
    """A list item linking to the review queue with its open count, for moderators only
    (for the forum's navigation); nothing for anyone else."""
    from forum import access
    from forum.models import ReviewItem

    request = context.get("request")
    user = getattr(request, "user", None)
    if not access.is_forum_moderator(user):
        return {"show": False}
    scope = access.moderated_categories_q(user, prefix="post__thread__category__")
    waiting = ReviewItem.objects.open().filter(scope).count()
    current = (
        getattr(getattr(request, "resolver_match", None), "url_name", "") == "moderation_queue"
    )
    return {"show": True, "waiting": waiting, "current": current}
