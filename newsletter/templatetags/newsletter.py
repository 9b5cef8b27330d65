"""Template tags other apps' pages use to show newsletter state without importing it."""

from django import template

from newsletter import selectors

register = template.Library()


@register.simple_tag
def newsletter_choices_of(user) -> dict:
    """What the signed-in person receives, for the panel on their account page."""
    return selectors.email_choices_of(user)
