from django import template

from members.devices import describe_browser

register = template.Library()


@register.filter
def browser_name(user_agent: str | None) -> str:
    """The browser and system a session was signed in from, in words."""
    return describe_browser(user_agent)
