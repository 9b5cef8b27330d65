"""When an organisation's staff grant (a year paid by invoice outside Stripe, a partner's
or a complimentary membership) runs out, its admins are told once, in the words of the
subscription's own "ended" email; the people in its seats once, however many of the
organisation's memberships ended with it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.billing import notices
from members.billing.tasks import membership_reminders_send
from members.models import MembershipGrant, SubscriptionStatus
from members.organisations import membership_ended
from tests.members.factories import (
    GrantFactory,
    SeatFactory,
    SubscriptionFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    """Northmoor Council, on a year paid by invoice that ended yesterday: its admin, and
    Ada in another seat."""
    organisation, admin = organisation_with_seats(seats=3, name="Northmoor Council")
    organisation.subscriptions.all().delete()
    ada = SeatFactory(organisation=organisation, user__name="Ada Oldest").user
    grant = GrantFactory(
        user=None,
        organisation=organisation,
        seats=3,
        starts_on=timezone.localdate() - timedelta(days=365),
        ends_on=timezone.localdate() - timedelta(days=1),
        reason=MembershipGrant.Reason.INVOICE_PAID_OFFLINE,
    )
    return organisation, admin, ada, grant


def _told(mailoutbox, person) -> list:
    return [m for m in mailoutbox if person.email.lower() in [to.lower() for to in m.to]]


def test_the_admins_are_told_the_grant_ended_and_to_contact_the_network_to_renew(
    council, mailoutbox
):
    organisation, admin, ada, grant = council

    membership_reminders_send()

    (message,) = _told(mailoutbox, admin)
    assert message.subject == "Your membership has ended"
    assert f"ended on {grant.ends_on:%-d %B %Y}" in message.body
    assert "members-only resources and forum rooms are closed" in message.body
    assert "contact the network team and we will send next year's invoice" in message.body
    assert "/contact/" in message.body


def test_the_admins_of_a_complimentary_grant_are_asked_to_arrange_it_with_the_team(
    council, mailoutbox
):
    organisation, admin, ada, grant = council
    MembershipGrant.objects.filter(pk=grant.pk).update(reason=MembershipGrant.Reason.PARTNER)

    membership_reminders_send()

    (message,) = _told(mailoutbox, admin)
    assert "the membership team will arrange it with you" in message.body
    assert "next year's invoice" not in message.body


def test_the_billing_address_is_told_with_the_admins(council, mailoutbox):
    organisation, admin, ada, grant = council
    organisation.billing_email = "accounts@northmoor.example"
    organisation.save(update_fields=["billing_email"])

    membership_reminders_send()

    (message,) = _told(mailoutbox, admin)
    assert message.to == [admin.email, "accounts@northmoor.example"]


def test_the_admins_are_told_once_however_often_the_reminders_run(council, mailoutbox):
    organisation, admin, ada, grant = council

    membership_reminders_send()
    membership_reminders_send()

    assert len(_told(mailoutbox, admin)) == 1
    assert len(_told(mailoutbox, ada)) == 1


def test_a_grant_renewed_before_it_ran_out_tells_nobody(council, mailoutbox):
    organisation, admin, ada, grant = council
    GrantFactory(
        user=None,
        organisation=organisation,
        seats=3,
        starts_on=grant.ends_on + timedelta(days=1),
        ends_on=grant.ends_on + timedelta(days=366),
    )

    membership_reminders_send()

    assert mailoutbox == []


def test_a_grant_extended_and_run_out_again_is_told_again(council, mailoutbox):
    organisation, admin, ada, grant = council
    # Told when it first ran out, months ago; extended since, and now run out again.
    MembershipGrant.objects.filter(pk=grant.pk).update(
        ended_notice_sent_for=grant.ends_on - timedelta(days=100)
    )
    ada.seats.update(membership_ended_emailed_for=timezone.now() - timedelta(days=100))

    membership_reminders_send()

    assert len(_told(mailoutbox, admin)) == 1
    assert len(_told(mailoutbox, ada)) == 1


def _end_subscription_too(organisation):
    """Northmoor Council's subscription, ended today beside its grant, its admins told."""
    subscription = SubscriptionFactory(
        user=None, organisation=organisation, status=SubscriptionStatus.ACTIVE, quantity=3
    )
    subscription.status = SubscriptionStatus.CANCELED
    subscription.ended_at = timezone.now()
    subscription.save(update_fields=["status", "ended_at"])
    notices.membership_ended_notice_send(subscription_id=subscription.pk)
    return subscription


def test_a_person_is_told_once_when_the_subscription_and_the_grant_end_together(
    council, mailoutbox
):
    organisation, admin, ada, grant = council

    _end_subscription_too(organisation)
    membership_reminders_send()

    assert len(_told(mailoutbox, ada)) == 1


def test_a_person_is_told_once_when_the_grant_is_told_first(council, mailoutbox):
    organisation, admin, ada, grant = council

    membership_reminders_send()
    _end_subscription_too(organisation)
    membership_reminders_send()

    assert len(_told(mailoutbox, ada)) == 1


def test_the_admins_are_told_once_when_the_subscription_and_the_grant_end_together(
    council, mailoutbox
):
    organisation, admin, ada, grant = council

    _end_subscription_too(organisation)
    membership_reminders_send()

    assert len(_told(mailoutbox, admin)) == 1


def test_a_person_told_of_an_ending_long_ago_is_told_of_this_one(council, mailoutbox):
    organisation, admin, ada, grant = council
    ada.seats.update(membership_ended_emailed_for=timezone.now() - timedelta(days=200))

    membership_reminders_send()

    assert len(_told(mailoutbox, ada)) == 1
    ending = membership_ended.ending(grant_id=grant.pk)
    assert ada.seats.get().membership_ended_emailed_for == ending.mark


def test_the_admins_are_told_once_when_the_grant_is_told_first(council, mailoutbox):
    organisation, admin, ada, grant = council

    membership_reminders_send()
    _end_subscription_too(organisation)

    assert len(_told(mailoutbox, admin)) == 1
