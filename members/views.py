from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from members import access, profiles, type_changes
from members.forms import MemberTypeChangeForm, ProfileForm


def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's home: profile, membership and account security."""
    user = request.user
    membership = access.membership(user)
    lapsed = access.is_lapsed(user)
    seat_beyond = access.seat_beyond_paid(user)
    context = {
        "membership": membership,
        "lapsed": lapsed,
        # A seat beyond those its organisation pays for: why, until when, whom to ask.
        "seat_beyond": seat_beyond,
        "seat_beyond_admins": (
            access.organisation_admins(seat_beyond.organisation) if seat_beyond else ()
        ),
        # Someone whose seat was taken back was never "lapsed" on their own account.
        "seat_taken_back": (
            access.seat_taken_back(user) if membership is None and not lapsed else None
        ),
        "roles": access.roles(user),
        # Only members have a type to change; the panel shows requests to them alone.
        "type_change_request": (
            type_changes.type_change_request_latest(user) if membership else None
        ),
    }
    return render(request, "members/account.html", context)


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        instance=request.user,
        is_member=access.is_member(request.user),
    )
    if request.method == "POST" and form.is_valid():
        profiles.profile_save(form=form)
        messages.success(request, "Your profile has been saved.")
        return redirect("members:account")
    return render(request, "members/profile_form.html", {"form": form})


@access.member_required
@require_http_methods(["GET", "POST"])
def type_change_request(request: HttpRequest) -> HttpResponse:
    """Ask the membership team to change one's member type (never change it here)."""
    user = request.user
    membership = access.membership(user)
    open_request = type_changes.type_change_request_open(user)
    if membership is None or open_request is not None:
        # Staff (not members) have no type to change; a waiting request is shown instead.
        return render(
            request,
            "members/type_change_request.html",
            {"membership": membership, "open_request": open_request},
        )
    form = MemberTypeChangeForm(
        request.POST if request.method == "POST" else None, current_type=membership.member_type
    )
    if request.method == "POST" and form.is_valid():
        try:
            type_changes.type_change_request_create(
                user=user,
                requested_type=form.cleaned_data["requested_type"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Your request is with the membership team; its answer will show here."
            )
            return redirect("members:account")
    return render(
        request,
        "members/type_change_request.html",
        {"membership": membership, "form": form},
        status=400 if form.errors else 200,
    )
