"""allauth's recovery codes pages, for someone with no codes to show.

allauth answers a bare 404 when a person has no recovery codes (no two-factor set up,
or codes never made), and its download does too once every code is used. Those people
get a page saying so, with the way on: set up two-factor, or make codes (allauth's own
generate page, open to anyone with another authenticator). Everyone with codes gets
allauth's pages unchanged; its own URLs stay as they are, these are put before them."""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes import views as allauth_views
from allauth.mfa.recovery_codes.internal.flows import can_generate_recovery_codes
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _codes(user) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()


def _no_codes_page(request: HttpRequest, codes: Authenticator | None) -> HttpResponse:
    return render(
        request,
        "mfa/recovery_codes/none.html",
        {
            # Codes are made from another authenticator: without one, set that up first.
            "has_two_factor": can_generate_recovery_codes(request.user),
            "all_used": codes is not None,
        },
    )


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = _codes(request.user)
    if codes is None:
        return _no_codes_page(request, codes)
    # With every code used, allauth's page says "0 of 10" and offers new ones.
    return allauth_views.view_recovery_codes(request)


@login_required
def recovery_codes_download(request: HttpRequest) -> HttpResponse:
    codes = _codes(request.user)
    if codes is None or not codes.wrap().get_unused_codes():
        return _no_codes_page(request, codes)
    return allauth_views.download_recovery_codes(request)
