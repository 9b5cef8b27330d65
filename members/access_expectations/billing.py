"""What each role gets from each billing URL (the project-wide access-matrix test).

GET requests, with Stripe not configured (the embedded default), so no request leaves
the process: the checkout page then explains that card payments are unavailable. The
return page without a Checkout session id sends the person back to the plans; the
portal sends people with no billing account of their own back to their account page
(members in the fixtures have no Stripe customer). The webhook only accepts POST from
anyone (Stripe signs it; nobody signs in).
"""

from members.access_matrix import ROLES  # noqa: F401 (the roles this module answers for)
from members.models import Plan

EXPECTED: dict[str, dict[str, int]] = {
    "membership": {"*": 200},
    "billing:checkout": {"anonymous": 302, "*": 200},
    "billing:checkout_return": {"*": 302},
    "billing:portal": {"*": 302},
    "billing:invoice_request": {"anonymous": 302, "*": 200},
    "billing:stripe_webhook": {"*": 405},
}


def url_kwargs(people: dict) -> dict[str, dict]:
    plan, _ = Plan.objects.get_or_create(
        slug="access-matrix-provider-annual",
        defaults={
            "name": "Access matrix: provider annual",
            "member_type": "provider",
            "holder": Plan.Holder.INDIVIDUAL,
            "interval": Plan.Interval.YEAR,
            "price_pence": 12000,
            "stripe_price_id": "price_1QaccessMatrix",
        },
    )
    return {"billing:checkout": {"slug": plan.slug}}
