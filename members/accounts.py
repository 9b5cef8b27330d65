"""A person's sign-in address, changed on their behalf by staff."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.http import HttpRequest

from members.models import User


def sign_in_address_replace(*, user: User, old_email: str, request: HttpRequest) -> EmailAddress:
    """Staff changed `user.email` in the admin: the addresses allauth signs people in by,
    and that invitations and seat claims trust, follow it. The old address signs in no
    more; the new one is verified by the person, from a confirmation email, as if they
    had changed it themselves: an address typed by staff does not prove the person reads
    it. Until then they are asked to confirm it when they sign in."""
    with transaction.atomic():
        EmailAddress.objects.filter(user=user, email__iexact=old_email).delete()
        EmailAddress.objects.filter(user=user).update(primary=False)
        address, _ = EmailAddress.objects.update_or_create(
            user=user, email__iexact=user.email, defaults={"email": user.email, "primary": True}
        )
        if not address.verified:
            transaction.on_commit(lambda: address.send_confirmation(request))
    return address
