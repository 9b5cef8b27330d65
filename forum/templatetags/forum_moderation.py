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
    """May this person suspend members from the forum (members/access.py decides)?"""
    from members import access

    return access.can_suspend_from_forum(user)
