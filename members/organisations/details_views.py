"""The page where an organisation's admins correct its details (name, region, billing
contact and address, PO number). Thin: the organisation is looked up among those the
person manages (members/access/), the form parses, members/organisations/details.py
saves, records and tells Stripe and the membership team."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from members import access
from members.models import OrganisationDetailsChange, Subscription
from members.organisations import details
from members.organisations.forms import OrganisationDetailsForm

StripeUpdate = OrganisationDetailsChange.StripeUpdate

# What the admin is told about the payment provider's copy, after "Details saved."
STRIPE_OUTCOME = {
    StripeUpdate.DONE: "Invoices from now on will show them.",
    StripeUpdate.PENDING: (
        "We could not reach our payment provider, Stripe, just now, so invoices may show "
        "the old details for a little while. We will keep trying; you do not need to do "
        "anything."
    ),
    StripeUpdate.FAILED: (
        "Our payment provider, Stripe, did not accept them, so invoices may still show the "
        "old details. The network team can see this; please contact us if your next "
        "invoice is wrong."
    ),
}


def _invoiced(organisation) -> bool:
    """Does the organisation pay by invoice now? Then the billing email and address are
    needed: invoices go there."""
    membership = access.organisation_membership(organisation)
    return (
        membership is not None
        and membership.subscription is not None
        and membership.subscription.collection_method == Subscription.CollectionMethod.INVOICE
    )


@require_http_methods(["GET", "POST"])
def organisation_details(request: HttpRequest, slug: str) -> HttpResponse:
    # Only its admins: everyone else gets the 404 of every organisation page.
    organisation = get_object_or_404(access.organisations_managed_by(request.user), slug=slug)
    invoiced = _invoiced(organisation)
    # The form works on a copy: what was typed must not rename the page's heading
    # before it is saved.
    form = OrganisationDetailsForm(
        request.POST or None, instance=copy.copy(organisation), invoiced=invoiced
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change = details.organisation_details_change(
                    organisation=organisation,
                    changed_by=request.user,
                    details={name: form.cleaned_data[name] for name in details.DETAILS_FIELDS},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if change is None:
                    messages.info(request, "Nothing was changed.")
                else:
                    outcome = STRIPE_OUTCOME.get(change.stripe_update, "")
                    messages.success(request, f"Your organisation's details are saved. {outcome}")
                return redirect("members:organisation", slug=organisation.slug)
        status = 400
    return render(
        request,
        "members/organisation/details.html",
        {"organisation": organisation, "form": form, "invoiced": invoiced},
        status=status,
    )
