from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from members import access
from members.forms import ProfileForm


def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's home: profile, membership and account security."""
    user = request.user
    context = {
        "membership": access.membership(user),
        "lapsed": access.is_lapsed(user),
        "roles": access.roles(user),
    }
    return render(request, "members/account.html", context)


def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile has been saved.")
        return redirect("members:account")
    return render(request, "members/profile_form.html", {"form": form})
