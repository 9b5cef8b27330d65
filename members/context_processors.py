from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def membership(request: HttpRequest) -> dict:
    """A lapsed person's way back, worked out only if a page asks (the "Renew" buttons:
    members/includes/renew_button.html): a seat beyond those its organisation pays for,
    the organisation a seat holder waits on, and whether the membership only waits on a
    payment."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def organisation():
        from members import access

        return access.lapsed_through_organisation(user)

    def payment_owed() -> bool:
        from members import access

        return access.lapsed_owing_payment(user)

    def seat_beyond():
        from members import access

        beyond = access.seat_beyond_paid(user)
        return beyond if beyond is not None and not access.is_member(user) else None

    return {
        # A seat beyond those its organisation pays for, no longer giving access: asking
        # its admin for a seat is the way back, not renewing.
        "lapsed_seat_beyond": SimpleLazyObject(seat_beyond),
        "lapsed_organisation": SimpleLazyObject(organisation),
        "lapsed_payment_owed": SimpleLazyObject(payment_owed),
    }
