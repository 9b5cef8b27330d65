"""A membership whose paid period ends inside the deletion's grace period ends on that
date for good: the delete page and the confirmation email name the date and say so."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.members.billing.test_deletion_renewals import ask_for_deletion, in_stripe
from tests.members.factories import PASSWORD, SubscriptionFactory

pytestmark = pytest.mark.django_db


def day(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def delete_page(client, user) -> str:
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client.get(reverse("members:account_delete")).content.decode()


def test_the_delete_page_names_the_day_a_membership_ending_in_the_grace_period_ends(
    client, fake_stripe
):
    subscription = SubscriptionFactory(current_period_end=timezone.now() + timedelta(days=5))

    page = delete_page(client, subscription.user)

    ends = day(subscription.current_period_end)
    assert f"Your membership ends on {ends}</strong>" in page
    assert "does not bring your membership back" in page
    assert f'<a href="{reverse("membership")}">membership page</a>' in page
    assert "if it has not ended by then" not in page


def test_the_delete_page_says_a_membership_paid_beyond_the_grace_period_stays_open(
    client, fake_stripe
):
    subscription = SubscriptionFactory(current_period_end=timezone.now() + timedelta(days=60))

    page = delete_page(client, subscription.user)

    assert "It stays open until your account is deleted." in page
    assert "Your membership ends on" not in page


def test_the_deletion_email_names_the_day_a_membership_ending_in_the_grace_period_ends(
    fake_stripe, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = SubscriptionFactory(current_period_end=timezone.now() + timedelta(days=5))
    in_stripe(
        fake_stripe, subscription, period_end=int(subscription.current_period_end.timestamp())
    )

    with django_capture_on_commit_callbacks(execute=True):
        ask_for_deletion(subscription)

    message = mailoutbox[-1]
    ends = day(subscription.current_period_end)
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert f"ends on {ends}" in body
        assert "does not bring your membership back" in body
        assert "whichever comes first" not in body
    assert "https://network.example.org/membership/" in message.body


def test_the_deletion_email_says_a_membership_paid_beyond_the_grace_period_stays_open(
    fake_stripe, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)

    with django_capture_on_commit_callbacks(execute=True):
        ask_for_deletion(subscription)

    assert "stays open until your account is deleted" in mailoutbox[-1].body
    assert "ends on" not in mailoutbox[-1].body


def test_the_confirmation_names_the_day_a_membership_ending_in_the_grace_period_ends(
    client, fake_stripe
):
    subscription = SubscriptionFactory(current_period_end=timezone.now() + timedelta(days=5))
    in_stripe(
        fake_stripe, subscription, period_end=int(subscription.current_period_end.timestamp())
    )
    delete_page(client, subscription.user)

    response = client.post(
        reverse("members:account_delete"), {"posts": "keep", "confirm": "on"}, follow=True
    )

    page = response.content.decode()
    assert f"it ends on {day(subscription.current_period_end)}, before your account" in page
    assert "not refunded automatically" in page
