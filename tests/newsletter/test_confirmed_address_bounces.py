"""A bounce is about a mailbox: an account's new address confirmed from the link we sent to
it works, whatever bounced before, while an objection to our email stays."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from newsletter import suppressions
from newsletter.account_follow import subscriber_email_follow
from newsletter.models import Subscriber
from newsletter.tracking import subscriber_tracking_event
from tests.members.factories import PASSWORD
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

State = Subscriber.State
NEW_ADDRESS = "jo.new@example.org"


def confirm_new_address(client, user, email: str = "Jo.New@example.org") -> None:
    """The person adds an address on the account's email page and follows the link."""
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": email})
    confirm_path = re.search(
        r"https?://[^/]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[-1].body
    )[1]
    client.post(confirm_path)


def moved_to(user, email: str, *, confirmed: bool) -> Subscriber:
    old_email = user.email
    user.email = email
    user.save(update_fields=["email"])
    return subscriber_email_follow(user=user, old_email=old_email, confirmed=confirmed)


def test_an_account_confirming_a_new_address_that_once_bounced_stays_subscribed(
    client, newsletter, registered
):
    subscriber = SubscriberFactory(
        user=registered,
        email=registered.email,
        newsletters=[newsletter],
        confirmed_at=timezone.now(),
    )
    subscriber_tracking_event(email=NEW_ADDRESS, event_type="bounced")

    confirm_new_address(client, registered)

    subscriber.refresh_from_db()
    assert subscriber.email == NEW_ADDRESS
    assert subscriber.state == State.SUBSCRIBED
    assert subscriber.bounced_at is None
    assert suppressions.reason_for(NEW_ADDRESS) is None


def test_the_account_page_does_not_say_the_confirmed_address_could_not_be_delivered(
    client, newsletter, registered
):
    SubscriberFactory(user=registered, email=registered.email, newsletters=[newsletter])
    subscriber_tracking_event(email=NEW_ADDRESS, event_type="bounced")

    confirm_new_address(client, registered)
    page = client.get(reverse("members:account")).content.decode()

    assert "could not be delivered" not in page


def test_a_complaint_about_the_new_address_is_not_lifted_by_confirming_it(
    client, newsletter, registered
):
    subscriber = SubscriberFactory(
        user=registered, email=registered.email, newsletters=[newsletter]
    )
    subscriber_tracking_event(email=NEW_ADDRESS, event_type="complained")

    confirm_new_address(client, registered)

    subscriber.refresh_from_db()
    assert subscriber.state == State.COMPLAINED
    assert suppressions.reason_for(NEW_ADDRESS) == suppressions.Reason.COMPLAINED


def test_a_subscription_that_bounced_at_the_old_address_is_subscribed_at_the_confirmed_one(
    registered,
):
    subscriber = SubscriberFactory(
        user=registered, email=registered.email, confirmed_at=timezone.now()
    )
    subscriber_tracking_event(email=registered.email, event_type="bounced")

    moved_to(registered, NEW_ADDRESS, confirmed=True)

    subscriber.refresh_from_db()
    assert subscriber.state == State.SUBSCRIBED
    assert subscriber.bounced_at is None


def test_a_sign_up_that_bounced_before_it_was_confirmed_stays_bounced_at_the_new_address(
    registered,
):
    subscriber = SubscriberFactory(
        user=registered, email=registered.email, state=State.PENDING, confirmed_at=None
    )
    subscriber_tracking_event(email=registered.email, event_type="bounced")

    moved_to(registered, NEW_ADDRESS, confirmed=True)

    subscriber.refresh_from_db()
    assert subscriber.state == State.BOUNCED


def test_a_subscription_that_unsubscribed_then_bounced_is_not_subscribed_again(registered):
    confirmed_at = timezone.now() - timedelta(days=30)
    subscriber = SubscriberFactory(
        user=registered,
        email=registered.email,
        state=State.UNSUBSCRIBED,
        confirmed_at=confirmed_at,
        unsubscribed_at=confirmed_at + timedelta(days=1),
    )
    subscriber_tracking_event(email=registered.email, event_type="bounced")

    moved_to(registered, NEW_ADDRESS, confirmed=True)

    subscriber.refresh_from_db()
    assert subscriber.state == State.BOUNCED


def test_an_address_moved_to_without_confirming_it_keeps_its_bounce(registered):
    subscriber = SubscriberFactory(user=registered, email=registered.email)
    subscriber_tracking_event(email=NEW_ADDRESS, event_type="bounced")

    moved_to(registered, NEW_ADDRESS, confirmed=False)

    subscriber.refresh_from_db()
    assert subscriber.state == State.BOUNCED
    assert subscriber.bounced_at is not None
    assert suppressions.reason_for(NEW_ADDRESS) == suppressions.Reason.BOUNCED
