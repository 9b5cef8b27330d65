"""Organisation admins' pages: seats, invitations, admins, the verified email domain;
and the pages where a colleague accepts an invitation or claims a seat.

Thin views: parse a form, look the organisation up among those the person manages
(members/access/), call members/organisations/ (seats.py, invitations.py, domains.py), pick a
response.
"""

from allauth.core.ratelimit import consume
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members import access
from members.models import InvoiceRequest, Organisation, Seat
from members.organisations import domains, invitations, seats
from members.organisations.forms import DomainForm, InvitationForm
from members.organisations.invitations import InvitationProblem
from members.organisations.pages import organisation_links
from members.organisations.seats import SeatsUsage

# The status each reason an invitation link cannot be used answers with.
PROBLEM_STATUS = {
    InvitationProblem.INVALID: 404,
    InvitationProblem.EXPIRED: 410,
    InvitationProblem.USED: 410,
    InvitationProblem.REVOKED: 410,
    InvitationProblem.WRONG_EMAIL: 403,
    InvitationProblem.NO_SEAT: 409,
}


def _managed(request: HttpRequest, slug: str) -> Organisation:
    """The organisation, if the person is one of its admins; 404 otherwise."""
    return get_object_or_404(access.organisations_managed_by(request.user), slug=slug)


@require_GET
def organisation_index(request: HttpRequest) -> HttpResponse:
    managed = list(access.organisations_managed_by(request.user).order_by("name"))
    if len(managed) == 1:
        return redirect("members:organisation", slug=managed[0].slug)
    status = 200 if managed else 403
    return render(
        request, "members/organisation/index.html", {"organisations": managed}, status=status
    )


def _page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    invitation_form: InvitationForm | None = None,
    domain_form: DomainForm | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = access.organisation_membership(organisation)
    seat_list = list(organisation.seats.select_related("user").order_by("-is_admin", "user__name"))
    open_invitations = list(
        organisation.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-sent_at")
    )
    now = timezone.now()
    for invitation in open_invitations:
        invitation.expires_at = seats.invitation_expires_at(invitation)
        invitation.expired = invitation.expires_at <= now
    usage = SeatsUsage(
        total=membership.seats if membership else 0,
        taken=len(seat_list),
        held=sum(1 for invitation in open_invitations if not invitation.expired),
    )
    # Seats and invitations beyond those paid for, from the lists above (no query).
    beyond = (
        access.seats_beyond_paid(
            organisation,
            paid=usage.total,
            seat_list=seat_list,
            invitation_list=[i for i in open_invitations if not i.expired],
        )
        if membership
        else None
    )
    beyond_seats = {seat.pk for seat in beyond.seats} if beyond else set()
    beyond_invitations = {i.pk for i in beyond.invitations} if beyond else set()
    for seat in seat_list:
        seat.beyond_paid = seat.pk in beyond_seats
    for invitation in open_invitations:
        invitation.beyond_paid = invitation.pk in beyond_invitations
    # A request to join (or renew) that staff have not yet decided: the page says it is
    # on its way rather than sending an admin back to the plans to ask again.
    pending_request = (
        organisation.invoice_requests.filter(status=InvoiceRequest.Status.PENDING)
        .select_related("plan", "requested_by")
        .order_by("-created_at")
        .first()
    )
    own_domains = sorted(
        {access.email_domain(address) for address in access.verified_emails(request.user)}
        - domains.PUBLIC_EMAIL_DOMAINS
    )
    context = {
        "organisation": organisation,
        "membership": membership,
        "pending_request": pending_request,
        "usage": usage,
        "beyond": beyond,
        "notice_days": settings.ORGANISATION_SEATS_NOTICE_DAYS,
        "seats": seat_list,
        "admin_count": sum(1 for seat in seat_list if seat.is_admin),
        "invitations": open_invitations,
        "invitation_form": invitation_form or InvitationForm(),
        "domain_form": domain_form
        or DomainForm(initial={"domain": own_domains[0] if own_domains else ""}),
        "invitation_days": seats.invitation_lifetime().days,
        "more_pages": organisation_links(organisation),
    }
    return render(request, "members/organisation/detail.html", context, status=status)


@require_GET
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, _managed(request, slug))


@require_POST
def invitation_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _managed(request, slug)
    form = InvitationForm(request.POST)
    if form.is_valid() and not _may_send_invitation(request, form.cleaned_data["email"]):
        form.add_error(None, TOO_MANY_INVITATIONS)
    elif form.is_valid():
        try:
            invitation = invitations.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("members:organisation", slug=organisation.slug)
    return _page(request, organisation, invitation_form=form, status=400)


# Says when to try again: each limit counts the last hour only.
TOO_MANY_INVITATIONS = (
    "You have sent a lot of invitations in the last hour, or several to this address. "
    "Please try again in an hour."
)


def _may_send_invitation(request: HttpRequest, email: str) -> bool:
    """Within the limits on invitation emails (settings RATE_LIMIT_ORGANISATION_INVITATION):
    revoking an invitation frees its seat, so without them an admin could send the
    site's emails, in words they chose, to any address, again and again."""
    return consume(request, action="organisation_invitation", key=email.strip().lower())


def _after_freeing(organisation: Organisation) -> str:
    """What freeing a seat did: after the plan got smaller it may not free one at all."""
    over = seats.seats_usage(organisation).over
    if over:
        return (
            f"{over} more seat{'s are' if over > 1 else ' is'} still in use than your "
            "membership includes."
        )
    return "its seat is free."


@require_POST
def invitation_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _managed(request, slug)
    invitation = get_object_or_404(organisation.invitations, pk=pk)
    if not _may_send_invitation(request, invitation.email):
        messages.error(request, TOO_MANY_INVITATIONS)
        return redirect("members:organisation", slug=organisation.slug)
    try:
        invitations.invitation_resend(invitation=invitation, sent_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}.")
    return redirect("members:organisation", slug=organisation.slug)


@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _managed(request, slug)
    invitation = get_object_or_404(organisation.invitations, pk=pk)
    try:
        invitations.invitation_revoke(invitation=invitation, revoked_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"The invitation to {invitation.email} is revoked; {_after_freeing(organisation)}",
        )
    return redirect("members:organisation", slug=organisation.slug)


@require_POST
def seat_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _managed(request, slug)
    seat = get_object_or_404(organisation.seats.select_related("user"), pk=pk)
    try:
        seats.seat_remove(seat=seat, removed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("members:organisation", slug=organisation.slug)
    if seat.user_id == request.user.pk:
        messages.success(request, f"You no longer hold a seat at {organisation.name}.")
        return redirect("members:account")
    messages.success(request, f"{seat.user} no longer holds a seat; {_after_freeing(organisation)}")
    return redirect("members:organisation", slug=organisation.slug)


@require_http_methods(["GET", "POST"])
def seat_leave(request: HttpRequest, slug: str) -> HttpResponse:
    """A seat holder gives up their own seat: they have left the organisation, or no
    longer need the network, and an admin need not be asked to free it."""
    seat = get_object_or_404(
        Seat.objects.select_related("organisation", "user"),
        organisation__slug=slug,
        user=request.user,
    )
    organisation = seat.organisation
    if request.method == "POST":
        try:
            seats.seat_remove(seat=seat, removed_by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"You no longer hold a seat at {organisation.name}. Your account and "
                "everything you saved are kept.",
            )
            return redirect("members:account")
    return render(
        request,
        "members/organisation/leave.html",
        {
            "organisation": organisation,
            "seat": seat,
            "only_admin": seat.is_admin and not seats.other_admins(seat).exists(),
        },
    )


@require_POST
def seat_admin(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _managed(request, slug)
    seat = get_object_or_404(organisation.seats.select_related("user"), pk=pk)
    make_admin = request.POST.get("is_admin") == "1"
    try:
        seats.seat_set_admin(seat=seat, is_admin=make_admin, changed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("members:organisation", slug=organisation.slug)
    if make_admin:
        messages.success(request, f"{seat.user} is now an admin of {organisation.name}.")
    elif seat.user_id == request.user.pk:
        messages.success(request, f"You are no longer an admin of {organisation.name}.")
        return redirect("members:account")
    else:
        messages.success(request, f"{seat.user} is no longer an admin.")
    return redirect("members:organisation", slug=organisation.slug)


@require_POST
def domain_verify(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _managed(request, slug)
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            # The service saves a freshly locked copy: the domain is on the one it returns.
            organisation = domains.domain_verify(
                organisation=organisation,
                domain=form.cleaned_data["domain"],
                verified_by=request.user,
            )
        except ValidationError as error:
            form.add_error("domain", error)
        else:
            messages.success(
                request,
                f"Colleagues with a verified @{organisation.verified_domain} address can now "
                "claim a seat from their account page while seats remain.",
            )
            return redirect("members:organisation", slug=organisation.slug)
    return _page(request, organisation, domain_form=form, status=400)


@require_POST
def domain_clear(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _managed(request, slug)
    domains.domain_clear(organisation=organisation)
    messages.success(request, "Seats are no longer offered by email domain.")
    return redirect("members:organisation", slug=organisation.slug)


def _warn_if_still_paying_personally(request: HttpRequest) -> None:
    """A seat does not end a personal subscription the person pays for, and the account
    page then shows only that subscription: say so, or they go on paying twice."""
    current = access.membership(request.user)
    if (
        current is not None
        and current.source == access.Source.PERSONAL
        and not current.subscription.cancel_at_period_end
    ):
        messages.warning(
            request,
            f"You also pay for a membership of your own ({current.subscription.plan}), and "
            "it keeps renewing. If your organisation's seat is to replace it, cancel it from "
            "your account page, or contact us.",
        )


def _warn_if_seated_elsewhere(request: HttpRequest, organisation: Organisation) -> None:
    """A seat at a new organisation frees none at the last: someone who changed jobs
    would go on holding a seat their former employer pays for and a colleague there
    could use. The account page offers leaving only the seat it shows, so link each."""
    elsewhere = (
        Seat.objects.filter(user=request.user)
        .exclude(organisation=organisation)
        .select_related("organisation")
    )
    for seat in elsewhere:
        messages.info(
            request,
            format_html(
                'You also hold a seat at {}. If you have left it, <a href="{}">leave that '
                "seat</a> so that a colleague there can have it.",
                seat.organisation.name,
                reverse("members:seat_leave", kwargs={"slug": seat.organisation.slug}),
            ),
        )


def _problem(request: HttpRequest, problem: InvitationProblem) -> HttpResponse:
    invitation = problem.invitation
    # Whom to ask for a new link: the sender only while they still manage the seats
    # (they may have handed over, or left the organisation, since).
    sender = invitation.invited_by if invitation is not None else None
    if sender is not None and not (
        access.organisations_managed_by(sender).filter(pk=invitation.organisation_id).exists()
    ):
        sender = None
    return render(
        request,
        "members/organisation/invitation_problem.html",
        {"problem": problem, "invitation": invitation, "ask": sender},
        status=PROBLEM_STATUS[problem.reason],
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email. Anyone may open it; accepting needs an account
    with a verified address the invitation was sent to."""
    try:
        invitation = invitations.invitation_from_token(token)
    except InvitationProblem as problem:
        return _problem(request, problem)
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "expires_at": seats.invitation_expires_at(invitation),
    }
    if not request.user.is_authenticated:
        return render(request, "members/organisation/invitation_sign_in.html", context)
    if not access.invitation_is_for(request.user, invitation):
        return _problem(request, InvitationProblem(InvitationProblem.WRONG_EMAIL, invitation))
    if request.method == "POST":
        try:
            invitations.invitation_accept(invitation=invitation, user=request.user)
        except InvitationProblem as problem:
            return _problem(request, problem)
        messages.success(
            request,
            f"Welcome: you now hold a seat in {invitation.organisation.name}'s membership.",
        )
        _warn_if_still_paying_personally(request)
        _warn_if_seated_elsewhere(request, invitation.organisation)
        return redirect("members:account")
    if not invitations.invitation_has_seat_for(invitation, request.user):
        # Say so now, naming whom to ask, rather than offer Accept and then refuse.
        context["no_seat"] = True
        context["paid_seats"] = access.organisation_seats(invitation.organisation)
        context["admins"] = access.organisation_admins(invitation.organisation)
    return render(request, "members/organisation/invitation_accept.html", context)


@require_POST
def seat_claim(request: HttpRequest, slug: str) -> HttpResponse:
    """Claim a seat by verified email domain (offered on the account page)."""
    organisation = get_object_or_404(access.claimable_organisations(request.user), slug=slug)
    try:
        seats.seat_claim(organisation=organisation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You now hold a seat in {organisation.name}'s membership.")
        _warn_if_still_paying_personally(request)
        _warn_if_seated_elsewhere(request, organisation)
    return redirect("members:account")
