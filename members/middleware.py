from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class StaffTwoFactorMiddleware:
    """Staff must turn on two-factor authentication before they reach the admin.

    allauth has no setting for this. The admin holds every member's data, so a stolen
    staff password alone must not open it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        user = request.user
        if (
            request.path.startswith(self._admin_prefix)
            and user.is_authenticated
            and user.is_staff
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request,
                "Staff accounts need two-factor authentication before they can open the "
                "admin. Set up an authenticator app or a security key below.",
            )
            return redirect("mfa_index")
        return self.get_response(request)
