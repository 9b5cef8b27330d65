from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from members.accounts import has_second_step


class StaffTwoFactorMiddleware:
    """Staff must turn on two-factor authentication before they use the site as staff.

    allauth has no setting for this. Staff powers reach well beyond the admin: the forum's
    moderation (safeguarding reports, suspensions), every organisation's engagement report,
    drafts and every members-only page. So a staff account without two-factor reaches
    only the account pages it needs to set it up (allauth's, under /accounts/: two-factor,
    email, password, sign out); a stolen staff password alone opens nothing else.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._accounts_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._accounts_prefix is None:
            # allauth's URLs all sit under the prefix of its sign-in page.
            self._accounts_prefix = reverse("account_login").removesuffix("login/")
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and not request.path.startswith(self._accounts_prefix)
            and not has_second_step(user)
        ):
            messages.warning(
                request,
                "Staff accounts need two-factor authentication before they can be used. "
                "Set up an authenticator app or a security key below.",
            )
            return redirect("mfa_index")
        return self.get_response(request)
