"""A person's sign-in: their address, changed on their behalf by staff, and their second
step."""

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import ValidationError
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


def other_sessions_end(*, request: HttpRequest, user: User) -> None:
    """Sign the person out everywhere but here: their other sessions were opened with
    the password alone, before they set up two-factor authentication.

    Staff and moderators' powers open only once two-factor is set up
    (members/middleware.py, forum/middleware.py); without this, a session someone opened
    with their password alone would gain them all the moment the owner set up two-factor
    from their own."""
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    others = UserSession.objects.filter(user_id=user.pk).exclude(
        session_key=request.session.session_key
    )
    get_adapter().end_sessions(list(others))


# The authenticators signing in asks for: recovery codes alone are not a second step.
SECOND_STEPS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def has_second_step(user: User) -> bool:
    """Does signing in ask this person for more than their password?"""
    return is_mfa_enabled(user, SECOND_STEPS)


def second_step_before_appointment(people: Iterable[User], *, role: str) -> None:
    """Refuse to make these people `role` (a moderator, staff, a superuser) until each
    has two-factor.

    Their pages open only once two-factor is set up (members/middleware.py,
    forum/middleware.py); were someone appointed first, whoever completed that set-up
    would gain the powers, and that may be whoever holds only their password. Each person
    without it is named, with where they turn it on."""
    missing = [person for person in people if not has_second_step(person)]
    if missing:
        raise ValidationError(
            [
                f"{_named(person)} cannot be made {role} yet: they must turn on "
                "two-factor authentication from their account page first (Your account > "
                "Two-factor authentication), so that nobody holding only their password "
                "can set it up in their place."
                for person in missing
            ],
            code="second_step",
        )


def _named(person: User) -> str:
    return f"{person.name} ({person.email})" if person.name else person.email
