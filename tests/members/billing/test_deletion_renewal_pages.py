"""What the start page and the account page say of a membership whose renewal an
account deletion turned off: it will not renew while the deletion stands; once the
deletion is cancelled, that renewal is being turned back on, until it is."""

import pytest
from django.urls import reverse

from members import data_rights
from members import tasks as member_tasks
from tests.members.billing.test_deletion_renewals import ask_for_deletion, in_stripe
from tests.members.factories import PASSWORD, SubscriptionFactory
from tests.members.test_account_page_queries import ACCOUNT_PAGE_MOST_QUERIES

pytestmark = pytest.mark.django_db

TURNING_BACK_ON = "we are turning its renewal back on"


@pytest.fixture
def cancelled_while_stripe_is_down(client, fake_stripe, monkeypatch):
    """A member who asked for deletion, then signed in again while Stripe was down: the
    task that turns renewal back on has not run yet."""
    monkeypatch.setattr(
        member_tasks.account_deletion_renewals_restore, "apply_async", lambda *a, **k: None
    )
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    ask_for_deletion(subscription)
    fake_stripe.unreachable = True
    client.post(reverse("account_login"), {"login": subscription.user.email, "password": PASSWORD})
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end and subscription.renewal_stopped_by_id
    return subscription


def test_the_start_page_says_renewal_is_being_turned_back_on_not_that_it_will_not_renew(
    client, cancelled_while_stripe_is_down
):
    page = client.get(reverse("home")).content.decode()

    assert TURNING_BACK_ON in page
    assert "will not renew" not in page


def test_the_account_page_says_renewal_is_being_turned_back_on_not_that_it_ends(
    client, cancelled_while_stripe_is_down
):
    page = client.get(reverse("members:account")).content.decode()

    assert TURNING_BACK_ON in page
    assert "will not renew" not in page
    assert "Ends on" not in page
    assert "Your access ends on" not in page


def test_the_account_page_asks_no_more_queries_while_renewal_is_turned_back_on(
    client, cancelled_while_stripe_is_down, django_assert_max_num_queries
):
    client.get(reverse("members:account"))  # the first visit records the device
    with django_assert_max_num_queries(ACCOUNT_PAGE_MOST_QUERIES):
        response = client.get(reverse("members:account"))

    assert TURNING_BACK_ON in response.content.decode()


def test_once_renewal_is_back_on_the_start_page_says_when_it_renews(
    client, fake_stripe, cancelled_while_stripe_is_down
):
    fake_stripe.unreachable = False
    data_request = cancelled_while_stripe_is_down.renewal_stopped_by
    member_tasks.account_deletion_renewals_restore(data_request.pk)

    page = client.get(reverse("home")).content.decode()

    assert "with a subscription that renews on" in page
    assert TURNING_BACK_ON not in page


@pytest.mark.parametrize("url", ["home", "members:account"])
def test_while_the_deletion_stands_a_still_open_session_is_told_it_will_not_renew(
    client, fake_stripe, url
):
    # Signed in elsewhere before asking: this session does not cancel the deletion.
    subscription = SubscriptionFactory()
    in_stripe(fake_stripe, subscription)
    client.force_login(subscription.user)
    ask_for_deletion(subscription)
    assert data_rights.erasure_pending(subscription.user) is not None

    page = client.get(reverse(url)).content.decode()

    assert "will not renew" in page
    assert TURNING_BACK_ON not in page
