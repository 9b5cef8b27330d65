"""Membership plans and paying for them: Stripe Checkout, the Customer Portal, invoice
requests, and the endpoint where Stripe's webhooks arrive."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from members import access
from members.billing import gateway, invoicing, services, sync, tasks
from members.billing.forms import CheckoutForm, InvoiceRequestForm
from members.models import MemberType, Plan

logger = logging.getLogger(__name__)

PLAN_HEADINGS = {
    MemberType.PROVIDER: "Providers",
    MemberType.COMMISSIONER: "Commissioners",
    MemberType.POLICY: "Policy makers and others",
}


@login_not_required
@require_GET
def membership(request: HttpRequest) -> HttpResponse:
    """The plans staff define in the admin, grouped by member type."""
    plans = list(Plan.objects.filter(is_active=True))
    membership = access.membership(request.user)
    groups = [
        (PLAN_HEADINGS[value], [plan for plan in plans if plan.member_type == value])
        for value in MemberType.values
    ]
    return render(
        request,
        "members/billing/membership.html",
        {
            "plan_groups": [(label, group) for label, group in groups if group],
            "card_payments": services.card_payments_enabled(),
            "invoice_plans": any(plan.allow_invoice for plan in plans),
            "membership": membership,
            # A member organisation at the person's email domain: a seat there may be
            # what they want, rather than paying for a membership of their own.
            "colleague_organisation": (
                None if membership else access.colleague_organisation(request.user)
            ),
            "checkout_cancelled": request.GET.get("checkout") == "cancelled",
            "invoice_days": settings.BILLING_INVOICE_DAYS_UNTIL_DUE,
        },
    )


def _managed_organisation_initial(user, *, billing: bool = False) -> dict:
    """An admin renewing starts from their organisation as it is stored, so the purchase
    renews it (and its seats) rather than starting a new organisation under a name typed
    a little differently."""
    managed = access.organisations_managed_by(user).order_by("-created_at").first()
    if managed is None:
        return {}
    initial = {"organisation_name": managed.name, "region": managed.region}
    if billing:
        initial |= {
            "contact_name": managed.billing_contact_name,
            "billing_email": managed.billing_email,
            "billing_address": managed.billing_address,
        }
    return initial


def _see_other(url: str) -> HttpResponseRedirect:
    """303: the browser follows a POST's answer to Stripe's page with a GET."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def checkout(request: HttpRequest, slug: str) -> HttpResponse:
    """Confirm the plan (and, for organisations, which one), then go to Stripe Checkout."""
    plan = get_object_or_404(Plan, slug=slug, is_active=True)
    card_payments = services.card_payments_enabled() and bool(plan.stripe_price_id)
    initial = (
        _managed_organisation_initial(request.user)
        if plan.holder == Plan.Holder.ORGANISATION
        else {}
    )
    form = CheckoutForm(
        request.POST if request.method == "POST" else None, plan=plan, initial=initial
    )
    if request.method == "POST" and card_payments and form.is_valid():
        if services.is_second_personal_membership(request.user, plan):
            form.add_error(None, services.ALREADY_PERSONAL_MEMBER)
        else:
            try:
                url = services.checkout_start(
                    user=request.user,
                    plan=plan,
                    organisation_name=form.cleaned_data.get("organisation_name", ""),
                    region=form.cleaned_data.get("region", ""),
                )
            except ValidationError as error:
                form.add_error(None, error)
            except (gateway.StripeUnavailable, gateway.StripeRejected):
                form.add_error(None, services.UNAVAILABLE_MESSAGE)
            else:
                return _see_other(url)
    return render(
        request,
        "members/billing/checkout.html",
        {
            "plan": plan,
            "form": form,
            "card_payments": card_payments,
            # Someone coming back pays today: the trial the plan offers is not theirs.
            "trial_days": services.trial_days_for(request.user, plan),
        },
    )


@require_GET
def checkout_return(request: HttpRequest) -> HttpResponse:
    """Where Checkout sends the buyer back. Membership starts with Stripe's webhook, not
    here, so until it has arrived the page says the payment is being confirmed."""
    session_id = request.GET.get("session_id", "")
    if not session_id.startswith("cs_"):
        return redirect("membership")
    try:
        outcome = services.checkout_outcome(user=request.user, session_id=session_id)
    except gateway.StripeRejected as error:
        raise Http404("No such checkout session.") from error
    except gateway.StripeUnavailable:
        outcome = None
        unavailable = True
    else:
        unavailable = False
        if outcome is None:
            raise Http404("No such checkout session.")
    return render(
        request,
        "members/billing/checkout_return.html",
        {"outcome": outcome, "unavailable": unavailable, "session_id": session_id},
    )


def portal(request: HttpRequest) -> HttpResponse:
    """Send the person to Stripe's Customer Portal: card, invoices, plan, cancellation.

    A GET works too, so that the link in a "payment failed" email opens the portal.
    """
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    try:
        url = services.portal_url(user=request.user)
    except ValidationError:
        messages.error(request, "There is no card billing to manage on your account.")
        return redirect("members:account")
    except (gateway.StripeUnavailable, gateway.StripeRejected):
        messages.error(
            request,
            "We could not open the billing portal just now. Please try again in a few minutes.",
        )
        return redirect("members:account")
    return _see_other(url)


def invoice_request(request: HttpRequest) -> HttpResponse:
    """Ask to pay by invoice against a purchase-order number; without card payments, the
    way to ask to join any plan (staff approve)."""
    card_payments = services.card_payments_enabled()
    plans = Plan.objects.filter(is_active=True)
    if card_payments:
        plans = plans.filter(allow_invoice=True)
    initial = {"seats": 1}
    chosen = plans.filter(slug=request.GET.get("plan", "")).first()
    if chosen is not None:
        initial = {"plan": chosen, "seats": chosen.seats}
        if chosen.holder == Plan.Holder.ORGANISATION:
            initial |= _managed_organisation_initial(request.user, billing=True)
        elif chosen.holder == Plan.Holder.INDIVIDUAL:
            # A person paying for themselves: what we know of them, for them to correct.
            user = request.user
            initial |= {
                "organisation_name": user.organisation_name or user.name,
                "region": user.region,
                "contact_name": user.name,
                "billing_email": user.email,
            }
    form = InvoiceRequestForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        every_plan=not card_payments,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = invoicing.invoice_request_submit(
                user=request.user,
                plan=data["plan"],
                seats=data["seats"],
                organisation_name=data["organisation_name"],
                region=data["region"],
                contact_name=data["contact_name"],
                billing_email=data["billing_email"],
                billing_address=data["billing_address"],
                purchase_order_number=data["purchase_order_number"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except gateway.StripeRejected:
            form.add_error(None, services.UNAVAILABLE_MESSAGE)
        else:
            if created.subscription_id:
                messages.success(
                    request,
                    "Your membership has started. The invoice will reach "
                    f"{data['billing_email']} with your PO number on it.",
                )
            elif card_payments:
                messages.success(
                    request,
                    "Thank you. We have your request. The membership team will email you "
                    "when your membership starts, and the invoice will then reach "
                    f"{data['billing_email']} with your PO number on it. Your account page "
                    "shows where the request stands.",
                )
            else:
                messages.success(
                    request,
                    "Thank you. We have your request: the membership team will approve it "
                    "and email you. Your account page shows where it stands.",
                )
            return redirect("members:account")
    return render(
        request,
        "members/billing/invoice_request.html",
        {
            "form": form,
            "card_payments": card_payments,
            "needs_approval": settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL,
            "invoice_days": settings.BILLING_INVOICE_DAYS_UNTIL_DUE,
        },
    )


@csrf_exempt
@login_not_required
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's webhooks: verify, store once, answer at once; a task applies the event."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"], content_type="text/plain")
    try:
        event = gateway.webhook_event(request.body, request.headers.get("Stripe-Signature"))
    except gateway.BadWebhook as error:
        logger.warning("stripe webhook refused: %s", error)
        return HttpResponse("Invalid webhook.", status=400, content_type="text/plain")
    row, created = sync.stripe_event_record(event=event)
    if created:
        # The task records every failure on the event row, and the beat task retries it.
        tasks.stripe_event_apply.delay_on_commit(row.pk)
    return HttpResponse("ok", content_type="text/plain")
