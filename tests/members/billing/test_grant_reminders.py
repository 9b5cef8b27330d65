"""A membership granted by staff (a year paid by invoice outside Stripe, a partner's, a
complimentary one) is told before it ends, as a subscription set not to renew is."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.billing import tasks
from members.models import MembershipGrant
from tests.members.factories import (
    GrantFactory,
    OrganisationFactory,
    SeatFactory,
    SubscriptionFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db

PAID_OFFLINE = MembershipGrant.Reason.INVOICE_PAID_OFFLINE


def ending_in(days: int, **fields) -> MembershipGrant:
    return GrantFactory(ends_on=timezone.localdate() + timedelta(days=days), **fields)


def test_a_grant_ending_within_two_weeks_is_told_once(mailoutbox):
    grant = ending_in(10)
    ending_in(40)  # not yet

    tasks.membership_reminders_send()
    tasks.membership_reminders_send()

    assert [m.to for m in mailoutbox] == [[grant.user.email]]
    assert mailoutbox[0].subject == "Your membership ends soon"
    assert "reply to this email" in mailoutbox[0].body


def test_an_organisation_paying_by_invoice_is_asked_to_request_next_year_s_invoice(mailoutbox):
    council = OrganisationFactory(name="Northmoor Council", billing_email="ap@northmoor.example")
    admin = SeatFactory(organisation=council, is_admin=True, slot=1).user
    ending_in(10, user=None, organisation=council, reason=PAID_OFFLINE, seats=5)

    tasks.membership_reminders_send()

    [message] = mailoutbox
    assert sorted(message.to) == sorted([admin.email, "ap@northmoor.example"])
    assert "for Northmoor Council" in message.body
    assert "ask for next year's invoice" in message.body
    assert "/membership/" in message.body


def test_a_grant_followed_by_another_is_not_told_it_ends(mailoutbox):
    grant = ending_in(10)
    GrantFactory(
        user=grant.user,
        starts_on=grant.ends_on + timedelta(days=1),
        ends_on=grant.ends_on + timedelta(days=365),
    )

    tasks.membership_reminders_send()

    assert mailoutbox == []


def test_a_grant_covering_a_renewing_subscription_is_not_told_it_ends(mailoutbox):
    grant = ending_in(10)
    SubscriptionFactory(user=grant.user)

    tasks.membership_reminders_send()

    assert mailoutbox == []


def test_a_grant_extended_after_its_reminder_is_told_again_before_its_new_end(mailoutbox):
    grant = ending_in(10)
    tasks.membership_reminders_send()

    MembershipGrant.objects.filter(pk=grant.pk).update(
        ends_on=timezone.localdate() + timedelta(days=12)
    )
    tasks.membership_reminders_send()

    assert len(mailoutbox) == 2


def test_a_grant_of_someone_who_keeps_a_seat_in_a_renewing_membership_is_not_told_it_ends(
    mailoutbox,
):
    grant = ending_in(10)
    organisation, _admin = organisation_with_seats(name="Saltmarsh City Council")
    SeatFactory(organisation=organisation, user=grant.user, slot=2)

    tasks.membership_reminders_send()

    assert mailoutbox == []


def ended_days_ago(days: int, **fields) -> MembershipGrant:
    ends_on = timezone.localdate() - timedelta(days=days)
    return GrantFactory(starts_on=ends_on - timedelta(days=364), ends_on=ends_on, **fields)


def test_a_persons_own_grant_that_ran_out_is_told_it_ended_once(mailoutbox):
    grant = ended_days_ago(1, reason=PAID_OFFLINE)

    tasks.membership_reminders_send()
    tasks.membership_reminders_send()

    [message] = mailoutbox
    assert message.to == [grant.user.email]
    assert message.subject == "Your membership has ended"
    assert "Your account stays open" in message.body
    assert "ask for next year's invoice" in message.body


def test_a_grant_followed_by_another_is_not_told_it_ended(mailoutbox):
    grant = ended_days_ago(1)
    GrantFactory(
        user=grant.user,
        starts_on=grant.ends_on + timedelta(days=1),
        ends_on=grant.ends_on + timedelta(days=365),
    )

    tasks.membership_reminders_send()

    assert mailoutbox == []


def test_someone_still_a_member_through_a_seat_is_not_told_their_grant_ended(mailoutbox):
    grant = ended_days_ago(1)
    organisation, _admin = organisation_with_seats(seats=3)
    SeatFactory(organisation=organisation, user=grant.user)

    tasks.membership_reminders_send()

    assert [m.to for m in mailoutbox if grant.user.email in m.to] == []


def test_a_grant_that_ended_long_ago_is_not_told_now(mailoutbox):
    ended_days_ago(30)

    tasks.membership_reminders_send()

    assert mailoutbox == []
