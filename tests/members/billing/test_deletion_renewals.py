"""Asking for one's account to be deleted turns off the renewal of one's personal
membership in Stripe, so the grace period charges nobody for a year they will not use;
signing in again turns it back on, but only where the deletion had turned it off."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members import data_rights
from members import tasks as member_tasks
from members.billing import notices
from members.models import DataRequest
from tests.members.factories import (
    PASSWORD,
    OrganisationFactory,
    SeatFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db


def in_stripe(fake_stripe, subscription, **changes) -> dict:
    return fake_stripe.add_subscription(
        price=subscription.plan.stripe_price_id or "price_test",
        customer=subscription.stripe_customer_id,
        subscription_id=subscription.stripe_subscription_id,
        **changes,
    )


def renewal_changes(fake_stripe, subscription) -> list[str]:
    """What the site asked Stripe to set `cancel_at_period_end` to, in order."""
    path = f"/v1/subscriptions/{subscription.stripe_subscription_id}"
    return [r.params.get("cancel_at_period_end") for r in fake_stripe.calls("POST", path)]


def ask_for_deletion(subscription) -> DataRequest:
    return data_rights.account_deletion_request(user=subscription.user, keep_post_text=True)


def sign_in_again(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


# --- Asking ------------------------------------------------------------------------------


def test_asking_for_deletion_sets_the_personal_subscription_to_end_at_its_period_end(
    fake_stripe,
):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)

    data_request = ask_for_deletion(subscription)

    assert renewal_changes(fake_stripe, subscription) == ["true"]
    assert fake_stripe.subscriptions[subscription.stripe_subscription_id]["cancel_at_period_end"]
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end
    assert subscription.renewal_stopped_by == data_request
    assert data_request.renewals_stop_pending is False


def test_an_organisations_subscription_keeps_renewing_when_its_admin_asks_for_deletion(
    fake_stripe,
):
    organisation = OrganisationFactory()
    leaving = SeatFactory(organisation=organisation, is_admin=True).user
    SeatFactory(organisation=organisation, is_admin=True)  # the colleague who stays
    subscription = SubscriptionFactory(user=None, organisation=organisation)
    in_stripe(fake_stripe, subscription)

    data_rights.account_deletion_request(user=leaving, keep_post_text=True)

    assert renewal_changes(fake_stripe, subscription) == []
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end
    assert subscription.renewal_stopped_by is None


def test_the_deletion_email_says_the_membership_will_not_renew_and_how_refunds_go(
    fake_stripe, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)

    with django_capture_on_commit_callbacks(execute=True):
        ask_for_deletion(subscription)

    body = mailoutbox[-1].body
    assert "Your membership will not renew" in body
    assert "not refunded automatically" in body
    assert "contact us" in body


def test_the_delete_page_says_the_membership_stops_renewing_and_how_refunds_go(client, fake_stripe):
    subscription = SubscriptionFactory()
    client.force_login(subscription.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    page = client.get(reverse("members:account_delete")).content.decode()

    assert "Your membership stops renewing as soon as you confirm" in page
    assert "not refunded automatically" in page


# --- Cancelling the deletion by signing in ----------------------------------------------


def test_signing_in_again_turns_renewal_back_on(client, fake_stripe):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    ask_for_deletion(subscription)

    sign_in_again(client, subscription.user)

    assert renewal_changes(fake_stripe, subscription) == ["true", "false"]
    assert not fake_stripe.subscriptions[subscription.stripe_subscription_id][
        "cancel_at_period_end"
    ]
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end
    assert subscription.renewal_stopped_by is None


def test_renewal_the_member_turned_off_themselves_stays_off_after_signing_in(client, fake_stripe):
    subscription = SubscriptionFactory(cancel_at_period_end=True)
    in_stripe(fake_stripe, subscription, cancel_at_period_end=True)
    ask_for_deletion(subscription)

    sign_in_again(client, subscription.user)

    assert renewal_changes(fake_stripe, subscription) == []
    assert fake_stripe.subscriptions[subscription.stripe_subscription_id]["cancel_at_period_end"]
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end


def test_renewal_turned_off_in_the_portal_before_its_webhook_arrived_stays_off(client, fake_stripe):
    # Our copy still says it renews; Stripe already knows the member turned it off.
    subscription = SubscriptionFactory(cancel_at_period_end=False)
    in_stripe(fake_stripe, subscription, cancel_at_period_end=True)
    ask_for_deletion(subscription)

    sign_in_again(client, subscription.user)

    assert renewal_changes(fake_stripe, subscription) == []
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end
    assert subscription.renewal_stopped_by is None


def test_the_deletions_webhook_arriving_late_leaves_the_account_page_saying_it_renews(
    client, fake_stripe, deliver
):
    subscription = SubscriptionFactory()
    stripe_copy = in_stripe(fake_stripe, subscription)
    ask_for_deletion(subscription)
    # Stripe's event for the deletion's change, as it was then, delivered after sign-in.
    late = fake_stripe.event("customer.subscription.updated", stripe_copy)
    assert late["data"]["object"]["cancel_at_period_end"] is True

    sign_in_again(client, subscription.user)
    deliver(late)

    page = client.get(reverse("members:account")).content.decode()
    assert "Renews on" in page
    assert "it will not renew" not in page


def test_a_webhook_during_the_grace_period_keeps_what_signing_in_puts_back(
    client, fake_stripe, deliver
):
    subscription = SubscriptionFactory()
    stripe_copy = in_stripe(fake_stripe, subscription)
    ask_for_deletion(subscription)
    deliver(fake_stripe.event("customer.subscription.updated", stripe_copy))

    sign_in_again(client, subscription.user)

    assert renewal_changes(fake_stripe, subscription) == ["true", "false"]
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end


def test_no_ending_soon_reminder_for_a_renewal_the_deletion_turned_off(fake_stripe):
    subscription = SubscriptionFactory(current_period_end=timezone.now() + timedelta(days=5))
    in_stripe(
        fake_stripe, subscription, period_end=int(subscription.current_period_end.timestamp())
    )
    ask_for_deletion(subscription)

    assert notices.ending_soon_due() == []


# --- Stripe unreachable ---------------------------------------------------------------


def test_while_stripe_is_down_the_deletion_is_still_recorded_and_marked_to_retry(fake_stripe):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    fake_stripe.unreachable = True

    data_request = ask_for_deletion(subscription)

    assert data_request.state == DataRequest.State.SCHEDULED
    assert data_request.renewals_stop_pending is True
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end


def test_while_stripe_is_down_the_email_says_the_membership_is_still_set_to_renew(
    fake_stripe, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    fake_stripe.unreachable = True

    with django_capture_on_commit_callbacks(execute=True):
        ask_for_deletion(subscription)

    body = mailoutbox[-1].body
    assert "your membership is still set to renew" in body
    assert "We will keep trying" in body


def test_while_stripe_is_down_a_task_is_queued_to_try_again(fake_stripe, monkeypatch):
    queued = []
    monkeypatch.setattr(
        member_tasks.account_deletion_renewals_stop,
        "apply_async",
        lambda args, **options: queued.append((args, options)),
    )
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    fake_stripe.unreachable = True

    data_request = ask_for_deletion(subscription)

    assert queued == [((data_request.pk,), {"countdown": 60})]


def test_the_retry_turns_renewal_off_once_stripe_answers(fake_stripe):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    fake_stripe.unreachable = True
    data_request = ask_for_deletion(subscription)
    fake_stripe.unreachable = False

    member_tasks.account_deletion_renewals_stop(data_request.pk)

    assert renewal_changes(fake_stripe, subscription) == ["true"]
    data_request.refresh_from_db()
    assert data_request.renewals_stop_pending is False
    subscription.refresh_from_db()
    assert subscription.renewal_stopped_by == data_request


def test_the_nightly_run_turns_off_what_the_retries_could_not(fake_stripe):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    fake_stripe.unreachable = True
    data_request = ask_for_deletion(subscription)
    fake_stripe.unreachable = False

    data_rights.account_deletions_complete()

    assert renewal_changes(fake_stripe, subscription) == ["true"]
    data_request.refresh_from_db()
    assert data_request.renewals_stop_pending is False


def test_while_stripe_is_down_the_confirmation_says_renewal_is_not_stopped_yet(client, fake_stripe):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    client.force_login(subscription.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    fake_stripe.unreachable = True

    response = client.post(
        reverse("members:account_delete"), {"posts": "keep", "confirm": "on"}, follow=True
    )

    page = response.content.decode()
    assert "Your account will be deleted on" in page
    assert "your membership is still set to renew" in page
    assert "We will keep trying" in page


def test_the_confirmation_says_the_membership_will_not_renew(client, fake_stripe):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    client.force_login(subscription.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(
        reverse("members:account_delete"), {"posts": "keep", "confirm": "on"}, follow=True
    )

    page = response.content.decode()
    assert "Your membership will not renew" in page
    assert "not refunded automatically" in page


def test_signing_in_while_stripe_is_down_queues_the_restore_and_the_page_says_so(
    client, fake_stripe, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        member_tasks.account_deletion_renewals_restore,
        "apply_async",
        lambda args, **options: queued.append(args),
    )
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    data_request = ask_for_deletion(subscription)
    fake_stripe.unreachable = True

    sign_in_again(client, subscription.user)

    assert queued == [(data_request.pk,)]
    page = client.get(reverse("members:account")).content.decode()
    assert "we are turning its renewal back on" in page
    fake_stripe.unreachable = False
    member_tasks.account_deletion_renewals_restore(data_request.pk)
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end
    assert subscription.renewal_stopped_by is None


def test_a_deletion_staff_close_by_hand_turns_renewal_back_on(staff_client, fake_stripe):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    data_request = ask_for_deletion(subscription)

    staff_client.post(
        reverse("admin:members_datarequest_change", args=[data_request.pk]),
        {
            "source": DataRequest.Source.ACCOUNT,
            "keep_post_text": "on",
            "state": DataRequest.State.REFUSED,
            "outcome": "Withdrawn by the person by phone.",
        },
    )

    assert renewal_changes(fake_stripe, subscription) == ["true", "false"]
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end
    assert subscription.renewal_stopped_by is None
