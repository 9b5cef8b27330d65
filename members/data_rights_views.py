"""The "your data and account" pages: download one's data, delete one's account. Both
ask for the password again (allauth's reauthentication) before acting."""

from datetime import timedelta

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from members import data_rights
from members.billing import renewals
from members.forms import AccountDeleteForm
from members.models import DataRequest

REFUNDS = (
    "What you have already paid is not refunded automatically: contact us if you would "
    "like to ask about a refund."
)
RENEWAL_STOPPED = (
    "Your membership will not renew, so you will not be charged for it again. " + REFUNDS
)
RENEWAL_NOT_STOPPED_YET = (
    "We could not reach our payment provider just now, so your membership is still set "
    "to renew. We will keep trying to turn its renewal off, without you doing anything. "
    "If you are charged for a renewal before your account is deleted, contact us."
)


def day(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def renewal_stopped_message(data_request: DataRequest) -> str:
    """What asking for deletion did to the membership's renewal. A membership whose paid
    period ends before the account is deleted ends on that day for good, as the delete
    page said: the confirmation names the day again."""
    ending = [
        subscription.current_period_end
        for subscription in data_request.renewals_stopped.all()
        if subscription.current_period_end
        and subscription.current_period_end <= data_request.erase_after
    ]
    if not ending:
        return RENEWAL_STOPPED
    return (
        f"Your membership will not renew: it ends on {day(min(ending))}, before your account "
        "is deleted. Signing in before then turns its renewal back on; after it, you keep "
        "your account but not the membership. " + REFUNDS
    )


def welcome_back_message(news: renewals.RenewalNews) -> str:
    """What signing in again did: the deletion is cancelled, and what became of the
    membership whose renewal it had turned off (nothing is said to someone without one)."""
    words = [escape("Welcome back. You signed in, so your account will not be deleted.")]
    for subscription in news.back_on:
        renews = subscription.current_period_end
        words.append(
            escape(f"Your membership's renewal is back on: it renews on {day(renews)}.")
            if renews
            else escape("Your membership's renewal is back on.")
        )
    if news.turning_back_on:
        words.append(
            escape(
                "We are turning your membership's renewal back on. Your account page shows "
                "its renewal date once that is done."
            )
        )
    for subscription in news.ended:
        ended = subscription.ended_at or subscription.current_period_end
        words.append(
            format_html(
                "Your membership {} while your account was waiting to be deleted, and signing "
                'in does not bring it back. To be a member again, <a href="{}">join on the '
                "membership page</a>.",
                f"ended on {day(ended)}," if ended else "ended",
                reverse("membership"),
            )
        )
    return mark_safe(" ".join(words))  # each part escaped above


def data_rights_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "latest_export": DataRequest.objects.filter(user=user, kind=DataRequest.Kind.ACCESS)
        .order_by("-received_at")
        .first(),
        "erasure": data_rights.erasure_pending(user),
        "handover": data_rights.handover_needed(user),
        "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        "link_hours": settings.DATA_EXPORT_LINK_HOURS,
    }
    return render(request, "members/data_rights/index.html", context)


@require_POST
@reauthentication_required
def data_export_start(request: HttpRequest) -> HttpResponse:
    data_rights.data_export_request(user=request.user)
    messages.success(
        request,
        "We are preparing your data. We will email you a link to download it, usually "
        "within a few minutes.",
    )
    return redirect("members:data_rights")


def data_download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data_request, file = data_rights.data_export_claim(token=token, user=request.user)
    except data_rights.DownloadRefused as refusal:
        return render(
            request,
            "members/data_rights/download_refused.html",
            {"reason": str(refusal)},
            status=403,
        )
    return FileResponse(
        file,
        as_attachment=True,
        filename=f"my-data-{data_request.received_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )


@require_http_methods(["GET", "POST"])
@reauthentication_required
def account_delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    handover = data_rights.handover_needed(user)
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not handover and form.is_valid():
        try:
            data_request = data_rights.account_deletion_request(
                user=user, keep_post_text=form.keep_post_text
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(
                request,
                f"Your account will be deleted on {data_request.erase_after:%-d %B %Y}. "
                "Changed your mind? Sign in before then and it will not be.",
            )
            if data_request.renewals_stop_pending:
                messages.warning(request, RENEWAL_NOT_STOPPED_YET)
            elif data_request.renewals_stopped.exists():
                messages.info(request, renewal_stopped_message(data_request))
            return redirect("home")
    context = {
        "form": form,
        "handover": handover,
        "membership_renews": renewals.renewals_to_stop(user),
        # Memberships that end before the account would be deleted: they end for good.
        "ending_in_grace": renewals.renewing_ending_by(
            user, moment=timezone.now() + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
        ),
        "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
    }
    return render(
        request,
        "members/data_rights/delete.html",
        context,
        status=400 if form.errors else 200,
    )
