from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def membership(request: HttpRequest) -> dict:
    """The organisation a lapsed seat holder waits on, worked out only if a page asks (the
    "Renew" buttons: members/includes/renew_button.html)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def organisation():
        from members import access

        return access.lapsed_through_organisation(user)

    return {"lapsed_organisation": SimpleLazyObject(organisation)}
