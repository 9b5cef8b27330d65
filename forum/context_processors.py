from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def forum(request: HttpRequest) -> dict:
    """The unread notification count for the header, counted only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from forum.selectors import unread_notification_count

        return unread_notification_count(user)

    return {"forum_unread_notifications": SimpleLazyObject(count)}
