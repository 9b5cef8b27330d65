"""When an organisation's membership ends (cancelled, or closed unpaid), each person in
its seats is told once what they lose and how to keep access; its admins are told by
the membership's own email, not twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.billing import gateway, notices, sync
from members.billing.tasks import membership_reminders_send
from members.models import Seat, SubscriptionStatus
from members.organisations import membership_ended
from members.organisations.tasks import membership_ended_seats_send
from tests.members.factories import (
    GrantFactory,
    SeatFactory,
    SubscriptionFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    """Northmoor Council's admin, and Ada and Ben in two more of its seats."""
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    ada = SeatFactory(organisation=organisation, user__name="Ada Oldest").user
    ben = SeatFactory(organisation=organisation, user__name="Ben Newest").user
    return organisation, admin, ada, ben


def _end(organisation, status=SubscriptionStatus.CANCELED) -> int:
    subscription = organisation.subscriptions.get()
    organisation.subscriptions.update(status=status, ended_at=timezone.now())
    notices.membership_ended_notice_send(subscription_id=subscription.pk)
    return subscription.pk


def _told(mailoutbox, person) -> list:
    return [m for m in mailoutbox if person.email in [to.lower() for to in m.to]]


def test_each_person_in_the_seats_is_told_what_they_lose_and_how_to_keep_access(
    council, mailoutbox
):
    organisation, admin, ada, ben = council

    _end(organisation)

    for person in (ada, ben):
        (message,) = _told(mailoutbox, person)
        assert message.subject == "Northmoor Council's membership has ended"
        assert "no longer opens the members' library and forum" in message.body
        assert f"ask {admin.name}, who manages its seats, to renew the membership" in message.body
        assert "You can also join the network yourself" in message.body
        assert message.reply_to == [admin.email]


def test_the_admin_has_only_the_membership_s_own_email(council, mailoutbox):
    organisation, admin, ada, ben = council

    _end(organisation)

    (message,) = _told(mailoutbox, admin)
    assert message.subject == "Your membership has ended"


def test_a_person_at_the_billing_address_is_not_told_twice(council, mailoutbox):
    organisation, admin, ada, ben = council
    organisation.billing_email = ben.email.upper()
    organisation.save(update_fields=["billing_email"])

    _end(organisation)

    assert [m.subject for m in _told(mailoutbox, ben)] == ["Your membership has ended"]


def test_each_person_is_told_once_however_often_the_tasks_run(council, mailoutbox):
    organisation, admin, ada, ben = council
    subscription_id = _end(organisation)

    seat_ids = list(Seat.objects.filter(is_admin=False).values_list("pk", flat=True))
    membership_ended_seats_send(subscription_id, seat_ids)
    notices.membership_ended_notice_send(subscription_id=subscription_id)

    assert len(_told(mailoutbox, ada)) == 1
    assert len(_told(mailoutbox, ben)) == 1


def test_a_person_with_a_membership_of_their_own_is_not_told(council, mailoutbox):
    organisation, admin, ada, ben = council
    SubscriptionFactory(user=ben)

    _end(organisation)

    assert _told(mailoutbox, ben) == []
    assert len(_told(mailoutbox, ada)) == 1


def test_closed_unpaid_the_people_are_told_to_ask_for_it_to_be_paid(council, mailoutbox):
    organisation, admin, ada, ben = council

    _end(organisation, status=SubscriptionStatus.UNPAID)

    (message,) = _told(mailoutbox, ada)
    assert message.subject == "Northmoor Council's membership is closed until it is paid"
    assert "to pay the membership's invoice" in message.body


def test_a_large_organisation_is_handed_over_in_chunks(council, mailoutbox, monkeypatch):
    organisation, admin, ada, ben = council
    SeatFactory(organisation=organisation)
    monkeypatch.setattr(membership_ended, "CHUNK_SIZE", 2)
    subscription = organisation.subscriptions.get()
    organisation.subscriptions.update(status=SubscriptionStatus.CANCELED)
    subscription.refresh_from_db()
    subscription.ended_notice_sent_at = timezone.now()
    subscription.save(update_fields=["ended_notice_sent_at"])

    found = membership_ended.ending(subscription_id=subscription.pk)
    chunks = list(membership_ended.seat_holders_to_tell(found))

    assert [len(chunk) for chunk in chunks] == [2, 1]


def test_the_people_are_told_when_stripe_says_the_membership_was_cancelled(
    council, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    organisation, admin, ada, ben = council
    subscription = organisation.subscriptions.get()
    state = gateway.SubscriptionState(
        id=subscription.stripe_subscription_id,
        status=SubscriptionStatus.CANCELED,
        collection_method=subscription.collection_method,
        quantity=subscription.quantity,
        customer_id=subscription.stripe_customer_id,
        current_period_end=subscription.current_period_end,
        cancel_at_period_end=False,
        ended_at=timezone.now(),
        price_id=subscription.plan.stripe_price_id,
        metadata={},
    )
    monkeypatch.setattr(gateway, "subscription_get", lambda _id: state)

    with django_capture_on_commit_callbacks(execute=True):
        sync.subscription_sync(stripe_subscription_id=subscription.stripe_subscription_id)

    assert len(_told(mailoutbox, ada)) == 1
    assert len(_told(mailoutbox, ben)) == 1


def test_the_people_are_told_once_when_the_organisation_s_staff_grant_runs_out(mailoutbox):
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    ada = SeatFactory(organisation=organisation).user
    organisation.subscriptions.all().delete()
    ended_on = timezone.localdate() - timedelta(days=1)
    GrantFactory(user=None, organisation=organisation, seats=3, ends_on=ended_on)

    membership_reminders_send()
    membership_reminders_send()

    (message,) = _told(mailoutbox, ada)
    assert message.subject == "Northmoor Council's membership has ended"
    assert f"has ended (on {ended_on:%-d %B %Y})" in message.body
    assert [m.subject for m in _told(mailoutbox, admin)] == ["Your membership has ended"]
