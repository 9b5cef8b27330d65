from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def membership(request: HttpRequest) -> dict:
    """A lapsed person's way back, worked out only if a page asks (the "Renew" buttons:
    members/includes/renew_button.html): the organisation a seat holder waits on, and
    whether the membership only waits on a payment."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def organisation():
        from members import access

        return access.lapsed_through_organisation(user)

    def payment_owed() -> bool:
        from members import access

        return access.lapsed_owing_payment(user)

    return {
        "lapsed_organisation": SimpleLazyObject(organisation),
        "lapsed_payment_owed": SimpleLazyObject(payment_owed),
    }
