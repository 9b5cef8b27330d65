from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from members.access import AccessLevel
from practice_library.models import Resource

register = template.Library()

# Built once: the library's results show twenty, and an include a result cost a sixth
# of rendering them.
_BADGES = {
    level: format_html('<span class="badge badge--{}">{}</span>', modifier, label)
    for level, modifier, label in [
        (AccessLevel.PUBLIC, "open", "Open to all"),
        (AccessLevel.REGISTERED, "registered", "Free with an account"),
        (AccessLevel.MEMBERS, "members", "Members"),
    ]
}


@register.filter
def access_badge(resource: Resource) -> SafeString:
    """Who may read the resource's body and files, as a badge."""
    return _BADGES.get(resource.access_level, _BADGES[AccessLevel.MEMBERS])
