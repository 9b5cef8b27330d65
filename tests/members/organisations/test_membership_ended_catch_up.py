"""The daily reminders hand on again the seat holders of an ended organisation
membership whose admins were told but who were not all told themselves (the task that
hands them on was never queued: a worker or broker down at that moment)."""

from datetime import timedelta

import pytest
from django.db.models.query import QuerySet
from django.utils import timezone

from members.billing.tasks import membership_reminders_send
from members.models import MembershipGrant, SubscriptionStatus
from members.organisations import membership_ended, tasks
from tests.members.factories import GrantFactory, SeatFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    """Northmoor Council's admin, and Ada and Ben in two more of its seats."""
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    ada = SeatFactory(organisation=organisation).user
    ben = SeatFactory(organisation=organisation).user
    return organisation, admin, ada, ben


def _told(mailoutbox, person) -> list:
    return [m for m in mailoutbox if person.email in m.to]


def _admins_told_of_subscription(organisation, *, days_ago: int = 1):
    """Its subscription ended and its admins were told, but nothing handed the seats on."""
    told_at = timezone.now() - timedelta(days=days_ago)
    organisation.subscriptions.update(
        status=SubscriptionStatus.CANCELED, ended_at=told_at, ended_notice_sent_at=told_at
    )


def _admins_told_of_grant(organisation):
    """Its staff grant ran out yesterday and its admins were told, but nothing handed the
    seats on."""
    organisation.subscriptions.all().delete()
    ended_on = timezone.localdate() - timedelta(days=1)
    return GrantFactory(
        user=None,
        organisation=organisation,
        seats=3,
        ends_on=ended_on,
        ended_notice_sent_for=ended_on,
    )


def test_the_seat_holders_of_an_ended_subscription_are_handed_on_again(council, mailoutbox):
    organisation, admin, ada, ben = council
    _admins_told_of_subscription(organisation)

    membership_reminders_send()

    assert len(_told(mailoutbox, ada)) == 1
    assert len(_told(mailoutbox, ben)) == 1
    assert _told(mailoutbox, admin) == []


def test_the_seat_holders_of_an_ended_grant_are_handed_on_again(council, mailoutbox):
    organisation, admin, ada, ben = council
    _admins_told_of_grant(organisation)

    membership_reminders_send()

    assert len(_told(mailoutbox, ada)) == 1
    assert len(_told(mailoutbox, ben)) == 1
    assert _told(mailoutbox, admin) == []


def test_only_those_not_yet_told_are_told(council, mailoutbox):
    organisation, admin, ada, ben = council
    _admins_told_of_subscription(organisation)
    subscription = organisation.subscriptions.get()
    ada.seats.update(membership_ended_emailed_for=subscription.ended_notice_sent_at)

    membership_reminders_send()
    membership_reminders_send()

    assert _told(mailoutbox, ada) == []
    assert len(_told(mailoutbox, ben)) == 1


def test_an_ending_whose_seat_holders_are_all_told_is_not_handed_on(council):
    organisation, admin, ada, ben = council
    _admins_told_of_subscription(organisation)
    subscription = organisation.subscriptions.get()
    organisation.seats.update(membership_ended_emailed_for=subscription.ended_notice_sent_at)

    assert membership_ended.seat_holders_untold_due() == []


def test_an_ending_told_to_the_admins_long_ago_is_left_alone(council):
    organisation, admin, ada, ben = council
    _admins_told_of_subscription(organisation, days_ago=30)

    assert membership_ended.seat_holders_untold_due() == []


def test_a_grant_whose_admins_are_not_yet_told_waits_for_their_email(council):
    organisation, admin, ada, ben = council
    grant = _admins_told_of_grant(organisation)
    MembershipGrant.objects.filter(pk=grant.pk).update(ended_notice_sent_for=None)

    assert membership_ended.seat_holders_untold_due() == []


def test_a_large_organisation_is_handed_on_again_in_chunks_read_with_a_cursor(council, monkeypatch):
    organisation, admin, ada, ben = council
    SeatFactory(organisation=organisation)
    _admins_told_of_subscription(organisation)
    monkeypatch.setattr(membership_ended, "CHUNK_SIZE", 2)
    handed: list[list[int]] = []
    monkeypatch.setattr(
        tasks.membership_ended_seats_send,
        "delay",
        lambda subscription_id, seat_ids, grant_id=None: handed.append(seat_ids),
    )
    chunk_sizes: list[int] = []
    iterator = QuerySet.iterator

    def spy(queryset, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return iterator(queryset, chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)

    membership_reminders_send()

    assert [len(chunk) for chunk in handed] == [2, 1]
    assert chunk_sizes == [2]
