from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from members.accounts import has_second_step


class SecondStepRequiredMiddleware:
    """Accounts that reach other people's confidential records must have two-factor
    authentication turned on before they are used: until it is, they reach only the
    account pages they need to set it up (allauth's, under /accounts/: two-factor,
    email, password, sign out), and a stolen password alone opens nothing else.

    allauth has no setting for this. Each subclass says whose accounts
    (`requires_second_step`) and tells them why (`message`), on the set-up page.
    """

    message = ""

    def __init__(self, get_response):
        self.get_response = get_response
        self._accounts_prefix: str | None = None

    def requires_second_step(self, user) -> bool:
        raise NotImplementedError

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._accounts_prefix is None:
            # allauth's URLs all sit under the prefix of its sign-in page.
            self._accounts_prefix = reverse("account_login").removesuffix("login/")
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self._accounts_prefix)
            and self.requires_second_step(user)
            and not has_second_step(user)
        ):
            messages.warning(request, self.message)
            return redirect("mfa_index")
        return self.get_response(request)


class StaffTwoFactorMiddleware(SecondStepRequiredMiddleware):
    """Staff and superusers must turn on two-factor authentication before they use the
    site as such.

    Staff powers reach well beyond the admin: the forum's moderation (safeguarding
    reports, suspensions), every organisation's engagement report, drafts and every
    members-only page. A superuser holds them all even without staff status.
    """

    message = (
        "Staff accounts need two-factor authentication before they can be used. "
        "Set up an authenticator app or a security key below."
    )

    def requires_second_step(self, user) -> bool:
        return user.is_staff or user.is_superuser
