"""The membership page, paying by card through Stripe Checkout, and the Customer Portal."""

import pytest
from django.urls import reverse

from members import access
from members.billing import sync
from members.models import Organisation, Seat, StripeEvent, Subscription
from tests.members.factories import (
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PRICE = "price_1QproviderAnnual00000000"


@pytest.fixture
def plan():
    return PlanFactory(
        slug="provider-annual",
        name="Provider: individual, annual",
        stripe_price_id=PRICE,
        trial_days=14,
        allow_promotion_codes=True,
    )


@pytest.fixture
def org_plan():
    return PlanFactory(
        slug="council-organisation",
        name="Council (20 seats)",
        stripe_price_id="price_1QcouncilOrg0000000000000",
        organisation=True,
        seats=20,
        allow_invoice=True,
    )


def start_checkout(client, slug: str, data: dict | None = None) -> str:
    response = client.post(reverse("billing:checkout", args=[slug]), data or {})
    assert response.status_code == 303, response.content.decode()[:2000]
    return response["Location"].rsplit("/", 1)[1]


# --- The membership page ----------------------------------------------------------------


def test_membership_page_offers_card_and_invoice_payment_per_plan(
    client, fake_stripe, plan, org_plan
):
    response = client.get(reverse("membership"))

    text = response.content.decode()
    assert reverse("billing:checkout", args=[plan.slug]) in text
    assert f"{reverse('billing:invoice_request')}?plan={org_plan.slug}" in text
    assert "14-day free trial" in text
    assert "promotion codes accepted" in text
    assert "Card payments are not available" not in text


def test_membership_page_without_stripe_keys_offers_invoice_requests_only_and_says_so(
    client, no_stripe, plan, org_plan
):
    response = client.get(reverse("membership"))

    text = response.content.decode()
    assert "Card payments are not available at the moment" in text
    assert reverse("billing:checkout", args=[plan.slug]) not in text
    assert reverse("billing:invoice_request") in text


def test_membership_page_says_its_prices_include_vat(client, fake_stripe, plan):
    response = client.get(reverse("membership"))

    assert "Prices include VAT." in response.content.decode()


def test_membership_page_says_when_checkout_was_left_without_paying(client, fake_stripe, plan):
    response = client.get(reverse("membership") + "?checkout=cancelled")

    assert "nothing was charged" in response.content.decode()


def test_membership_page_runs_few_queries_for_a_signed_in_member(
    client, fake_stripe, provider_member, django_assert_max_num_queries
):
    for n in range(12):
        PlanFactory(name=f"Plan {n}")
    client.force_login(provider_member)

    # Session, user, user session, plans, and the membership (a constant few).
    with django_assert_max_num_queries(12):
        client.get(reverse("membership"))


# --- Checkout -------------------------------------------------------------------------------


def test_checkout_sends_the_buyer_to_stripe_in_subscription_mode(client, fake_stripe, plan):
    buyer = UserFactory(email="new.member@example.org")
    client.force_login(buyer)

    response = client.post(reverse("billing:checkout", args=[plan.slug]))

    assert response.status_code == 303
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    params = call.params
    assert params["mode"] == "subscription"
    assert params["line_items"] == [{"price": PRICE, "quantity": "1"}]
    assert params["customer_email"] == "new.member@example.org"
    assert params["client_reference_id"] == str(buyer.pk)
    assert params["subscription_data"]["metadata"][sync.META_USER] == str(buyer.pk)
    assert params["subscription_data"]["trial_period_days"] == "14"
    assert params["allow_promotion_codes"] == "true"
    assert params["success_url"] == (
        "https://network.example.org/billing/checkout-return/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert call.headers["Stripe-Version"] == "2026-10-28.endive"
    assert "Idempotency-Key" in call.headers


def test_a_returning_member_gets_no_second_trial(client, fake_stripe, plan, lapsed):
    client.force_login(lapsed)

    start_checkout(client, plan.slug)

    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert "trial_period_days" not in call.params["subscription_data"]
    assert call.params["customer"] == Subscription.objects.get(user=lapsed).stripe_customer_id


def test_organisation_checkout_makes_the_buyer_its_admin_and_lets_them_choose_seats(
    client, fake_stripe, org_plan
):
    buyer = UserFactory()
    client.force_login(buyer)

    start_checkout(
        client, org_plan.slug, {"organisation_name": "Northmoor Council", "region": "london"}
    )

    organisation = Organisation.objects.get()
    assert organisation.name == "Northmoor Council"
    assert organisation.org_type == org_plan.member_type
    seat = Seat.objects.get(organisation=organisation)
    assert seat.is_admin and seat.slot == 1
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    line = call.params["line_items"][0]
    assert line["quantity"] == "20"
    assert line["adjustable_quantity"] == {"enabled": "true", "minimum": "20", "maximum": "500"}
    assert call.params["metadata"][sync.META_ORGANISATION] == str(organisation.pk)
    # Membership starts with the webhook, not before.
    assert not access.is_member(buyer)


def test_organisation_checkout_needs_the_organisation_name_and_keeps_what_was_typed(
    client, fake_stripe, org_plan
):
    client.force_login(UserFactory())

    response = client.post(
        reverse("billing:checkout", args=[org_plan.slug]),
        {"organisation_name": "", "region": "london"},
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert '<option value="london" selected>' in text
    assert not fake_stripe.requests
    assert not Organisation.objects.exists()


def test_an_organisation_with_a_running_membership_is_not_sold_a_second_one(
    client, fake_stripe, org_plan, org_admin
):
    organisation = Organisation.objects.get(seats__user=org_admin)
    client.force_login(org_admin)

    response = client.post(
        reverse("billing:checkout", args=[org_plan.slug]),
        {"organisation_name": organisation.name},
    )

    assert "already has a membership" in response.content.decode()
    assert not fake_stripe.requests


def test_an_admin_renewing_a_lapsed_organisation_buys_for_the_same_organisation(
    client, fake_stripe, org_plan
):
    organisation = OrganisationFactory(name="Harbour Lights Homes", stripe_customer_id="cus_1Qh")
    SubscriptionFactory(user=None, organisation=organisation, status="canceled")
    admin = SeatFactory(organisation=organisation, is_admin=True).user
    client.force_login(admin)

    start_checkout(client, org_plan.slug, {"organisation_name": "harbour lights homes"})

    assert Organisation.objects.count() == 1
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert call.params["customer"] == "cus_1Qh"


def test_an_admin_renewing_by_card_starts_from_their_organisation_s_name(
    client, fake_stripe, org_plan
):
    organisation = OrganisationFactory(name="Harbour Lights Homes")
    SubscriptionFactory(user=None, organisation=organisation, status="canceled")
    client.force_login(SeatFactory(organisation=organisation, is_admin=True).user)

    page = client.get(reverse("billing:checkout", args=[org_plan.slug])).content.decode()

    assert 'value="Harbour Lights Homes"' in page


def test_stripe_unreachable_during_checkout_shows_a_retry_message_and_creates_nothing(
    client, fake_stripe, org_plan
):
    fake_stripe.unreachable = True
    client.force_login(UserFactory())

    response = client.post(
        reverse("billing:checkout", args=[org_plan.slug]),
        {"organisation_name": "Northmoor Council"},
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "could not reach our payment provider" in text
    assert 'value="Northmoor Council"' in text
    assert not Organisation.objects.exists()
    assert not Seat.objects.exists()


def test_a_personal_member_cannot_buy_a_second_personal_membership(
    client, fake_stripe, provider_member, plan
):
    client.force_login(provider_member)

    response = client.post(reverse("billing:checkout", args=[plan.slug]))

    assert response.status_code == 200
    assert "already have a personal membership" in response.content.decode()
    assert not fake_stripe.requests


def test_a_member_whose_payment_is_still_owed_is_not_sold_a_second_membership(
    client, fake_stripe, plan
):
    unpaid = SubscriptionFactory(plan=plan, status="unpaid")
    client.force_login(unpaid.user)

    response = client.post(reverse("billing:checkout", args=[plan.slug]))

    assert response.status_code == 200
    assert "Your membership has a payment outstanding" in response.content.decode()
    assert not fake_stripe.requests


def test_an_organisation_whose_payment_is_still_owed_is_not_sold_a_second_membership(
    client, fake_stripe, org_plan
):
    organisation = OrganisationFactory(name="Harbour Lights Homes", stripe_customer_id="cus_1Qh")
    SubscriptionFactory(user=None, organisation=organisation, plan=org_plan, status="unpaid")
    admin = SeatFactory(organisation=organisation, is_admin=True).user
    client.force_login(admin)

    response = client.post(
        reverse("billing:checkout", args=[org_plan.slug]),
        {"organisation_name": organisation.name},
    )

    assert "membership has a payment outstanding" in response.content.decode()
    assert not fake_stripe.requests


def test_checkout_page_without_stripe_keys_points_to_invoice_or_contact(
    client, no_stripe, org_plan
):
    client.force_login(UserFactory())

    response = client.post(reverse("billing:checkout", args=[org_plan.slug]))

    assert "cannot be paid by card at the moment" in response.content.decode()
    assert not Organisation.objects.exists()


def test_checkout_of_an_inactive_plan_is_not_found(client, fake_stripe):
    PlanFactory(slug="old-plan", is_active=False, stripe_price_id="price_1Qold")
    client.force_login(UserFactory())

    assert client.get(reverse("billing:checkout", args=["old-plan"])).status_code == 404


# --- The return page ---------------------------------------------------------------------


def test_return_page_says_we_are_confirming_until_the_webhook_arrives(client, fake_stripe, plan):
    buyer = UserFactory()
    client.force_login(buyer)
    session_id = start_checkout(client, plan.slug)
    fake_stripe.complete_checkout(session_id)

    response = client.get(reverse("billing:checkout_return") + f"?session_id={session_id}")

    assert "We are confirming your payment" in response.content.decode()
    assert not Subscription.objects.exists()
    assert not access.is_member(buyer)


def test_return_page_says_the_membership_started_once_the_webhook_arrived(
    client, fake_stripe, deliver, plan
):
    buyer = UserFactory()
    client.force_login(buyer)
    session_id = start_checkout(client, plan.slug)
    fake_stripe.complete_checkout(session_id)
    deliver(fake_stripe.event("checkout.session.completed", fake_stripe.sessions[session_id]))

    response = client.get(reverse("billing:checkout_return") + f"?session_id={session_id}")

    assert "your membership has started" in response.content.decode()
    assert "free trial" in response.content.decode()
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.APPLIED
    assert access.is_member(buyer)


def test_return_page_of_a_free_trial_says_nothing_is_charged_until_it_ends(
    client, fake_stripe, deliver, plan
):
    client.force_login(UserFactory())
    session_id = start_checkout(client, plan.slug)
    fake_stripe.complete_checkout(session_id)
    deliver(fake_stripe.event("checkout.session.completed", fake_stripe.sessions[session_id]))

    response = client.get(reverse("billing:checkout_return") + f"?session_id={session_id}")

    text = response.content.decode()
    assert "nothing has been charged yet" in text
    assert "Your payment is confirmed" not in text


def test_return_page_of_a_checkout_left_unpaid_says_nothing_was_charged(client, fake_stripe, plan):
    client.force_login(UserFactory())
    session_id = start_checkout(client, plan.slug)

    response = client.get(reverse("billing:checkout_return") + f"?session_id={session_id}")

    assert "Your payment was not completed" in response.content.decode()


def test_return_page_of_someone_elses_checkout_is_not_found(client, fake_stripe, plan):
    client.force_login(UserFactory())
    session_id = start_checkout(client, plan.slug)
    fake_stripe.complete_checkout(session_id)
    client.force_login(UserFactory())

    response = client.get(reverse("billing:checkout_return") + f"?session_id={session_id}")

    assert response.status_code == 404


def test_return_page_with_an_unknown_session_is_not_found(client, fake_stripe):
    client.force_login(UserFactory())

    response = client.get(reverse("billing:checkout_return") + "?session_id=cs_test_a_1Qnope")

    assert response.status_code == 404


def test_return_page_when_stripe_is_unreachable_reassures_the_buyer(client, fake_stripe, plan):
    client.force_login(UserFactory())
    session_id = start_checkout(client, plan.slug)
    fake_stripe.unreachable = True

    response = client.get(reverse("billing:checkout_return") + f"?session_id={session_id}")

    assert response.status_code == 200
    assert "you do not need to pay again" in response.content.decode()


# --- The Customer Portal ---------------------------------------------------------------


def test_member_opens_the_customer_portal_with_the_configured_portal(
    client, fake_stripe, provider_member
):
    client.force_login(provider_member)

    response = client.post(reverse("billing:portal"))

    assert response.status_code == 303
    assert response["Location"].startswith("https://billing.stripe.com/p/session/")
    [call] = fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    subscription = Subscription.objects.get(user=provider_member)
    assert call.params["customer"] == subscription.stripe_customer_id
    assert call.params["configuration"] == "bpc_1QtestPortalConfiguration"
    assert call.params["return_url"] == "https://network.example.org/account/"


def test_organisation_admin_opens_the_portal_of_their_organisation(client, fake_stripe):
    organisation = OrganisationFactory(stripe_customer_id="cus_1QharbourLights")
    admin = SeatFactory(organisation=organisation, is_admin=True).user
    client.force_login(admin)

    client.post(reverse("billing:portal"))

    [call] = fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    assert call.params["customer"] == "cus_1QharbourLights"


def test_a_seat_holder_cannot_open_their_organisations_billing(client, fake_stripe):
    organisation = OrganisationFactory(stripe_customer_id="cus_1QharbourLights")
    SubscriptionFactory(
        user=None, organisation=organisation, stripe_customer_id="cus_1QharbourLights"
    )
    colleague = SeatFactory(organisation=organisation).user
    client.force_login(colleague)

    response = client.post(reverse("billing:portal"), follow=True)

    assert "no card billing to manage" in response.content.decode()
    assert not fake_stripe.calls("POST", "/v1/billing_portal/sessions")


def test_portal_link_from_an_email_opens_the_portal_too(client, fake_stripe, provider_member):
    client.force_login(provider_member)

    response = client.get(reverse("billing:portal"))

    assert response.status_code == 303


def test_portal_when_stripe_is_unreachable_explains_on_the_account_page(
    client, fake_stripe, provider_member
):
    fake_stripe.unreachable = True
    client.force_login(provider_member)

    response = client.post(reverse("billing:portal"), follow=True)

    assert response.status_code == 200
    assert "could not open the billing portal just now" in response.content.decode()
