"""members/access/: every row of the access table, invoices, grants, seats and roles."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError
from django.utils import timezone

from members import access
from members.models import MemberType, Subscription, SubscriptionStatus, User
from tests.members.factories import (
    GrantFactory,
    InvoiceFactory,
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db

INVOICE = Subscription.CollectionMethod.INVOICE


def fresh(user) -> User:
    """The person as the next request loads them (nothing remembered)."""
    return User.objects.get(pk=user.pk)


def agrees_with_bulk_query(user) -> bool:
    """members_now_q() (bulk audiences) must say the same as is_member()."""
    in_bulk = User.objects.filter(access.members_now_q(), pk=user.pk).exists()
    return in_bulk == access.is_member(fresh(user))


@pytest.mark.parametrize(
    ("status", "gives_access"),
    [
        (SubscriptionStatus.ACTIVE, True),
        (SubscriptionStatus.TRIALING, True),
        (SubscriptionStatus.PAST_DUE, True),
        (SubscriptionStatus.UNPAID, False),
        (SubscriptionStatus.CANCELED, False),
        (SubscriptionStatus.INCOMPLETE, False),
        (SubscriptionStatus.INCOMPLETE_EXPIRED, False),
        (SubscriptionStatus.PAUSED, False),
    ],
)
def test_each_stripe_state_gives_access_as_the_table_says(status, gives_access):
    subscription = SubscriptionFactory(status=status, past_due_since=timezone.now())

    assert access.is_member(fresh(subscription.user)) is gives_access
    assert agrees_with_bulk_query(subscription.user)


def test_every_stripe_state_has_a_row_in_the_table():
    assert set(access.STATUS_ACCESS) == set(SubscriptionStatus.values)


def test_unknown_stripe_state_gives_no_access():
    subscription = SubscriptionFactory.build(status="something_new")

    assert not access.subscription_gives_access(subscription)


def test_past_due_keeps_access_until_the_grace_period_from_the_failed_payment_ends(settings):
    settings.MEMBERSHIP_GRACE_DAYS = 14
    failed = timezone.now() - timedelta(days=13)
    subscription = SubscriptionFactory(status=SubscriptionStatus.PAST_DUE, past_due_since=failed)

    assert access.is_member(fresh(subscription.user))
    assert not access.subscription_gives_access(subscription, now=failed + timedelta(days=14))


def test_past_due_beyond_the_grace_period_gives_no_access():
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=15)
    )

    assert not access.is_member(fresh(subscription.user))
    assert access.is_lapsed(fresh(subscription.user))
    assert agrees_with_bulk_query(subscription.user)


def test_past_due_without_a_failure_date_counts_the_grace_from_the_period_end():
    within = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=None,
        current_period_end=timezone.now() - timedelta(days=10),
    )
    beyond = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=None,
        current_period_end=timezone.now() - timedelta(days=20),
    )

    assert access.is_member(fresh(within.user))
    assert not access.is_member(fresh(beyond.user))
    assert agrees_with_bulk_query(within.user)
    assert agrees_with_bulk_query(beyond.user)


def test_grace_period_follows_the_setting(settings):
    settings.MEMBERSHIP_GRACE_DAYS = 3
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=4)
    )

    assert not access.is_member(fresh(subscription.user))


def test_invoice_billed_subscription_gives_access_from_creation_before_any_invoice():
    subscription = SubscriptionFactory(collection_method=INVOICE, current_period_end=None)

    assert access.is_member(fresh(subscription.user))


def test_invoice_billed_subscription_keeps_access_while_an_invoice_is_not_yet_overdue():
    subscription = SubscriptionFactory(collection_method=INVOICE)
    InvoiceFactory(subscription=subscription, due_date=timezone.now() - timedelta(days=13))

    assert access.is_member(fresh(subscription.user))
    assert agrees_with_bulk_query(subscription.user)


def test_invoice_unpaid_past_due_date_plus_grace_ends_access():
    subscription = SubscriptionFactory(collection_method=INVOICE)
    InvoiceFactory(subscription=subscription, due_date=timezone.now() - timedelta(days=15))

    assert not access.is_member(fresh(subscription.user))
    assert agrees_with_bulk_query(subscription.user)


def test_overdue_invoice_ends_access_even_when_stripe_says_past_due_recently():
    subscription = SubscriptionFactory(
        collection_method=INVOICE,
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=timezone.now() - timedelta(days=1),
    )
    InvoiceFactory(subscription=subscription, due_date=timezone.now() - timedelta(days=20))

    assert not access.is_member(fresh(subscription.user))
    assert agrees_with_bulk_query(subscription.user)


def test_invoice_marked_paid_offline_by_staff_keeps_access():
    subscription = SubscriptionFactory(collection_method=INVOICE)
    InvoiceFactory(
        subscription=subscription,
        due_date=timezone.now() - timedelta(days=40),
        paid_out_of_band=True,
    )

    assert access.is_member(fresh(subscription.user))
    assert agrees_with_bulk_query(subscription.user)


@pytest.mark.parametrize("status", ["paid", "void", "draft"])
def test_paid_void_or_draft_invoices_do_not_end_access(status):
    subscription = SubscriptionFactory(collection_method=INVOICE)
    InvoiceFactory(
        subscription=subscription, status=status, due_date=timezone.now() - timedelta(days=40)
    )

    assert access.is_member(fresh(subscription.user))


def test_invoice_billed_but_cancelled_subscription_gives_no_access():
    subscription = SubscriptionFactory(
        collection_method=INVOICE, status=SubscriptionStatus.CANCELED
    )

    assert not access.is_member(fresh(subscription.user))


def test_staff_grant_gives_access_from_its_first_to_its_last_day():
    today = timezone.localdate()
    first_day = GrantFactory(starts_on=today, ends_on=today + timedelta(days=5))
    last_day = GrantFactory(starts_on=today - timedelta(days=5), ends_on=today)

    assert access.membership(fresh(first_day.user)).source == access.Source.GRANT
    assert access.is_member(fresh(last_day.user))
    assert agrees_with_bulk_query(last_day.user)


def test_staff_grant_not_started_yet_gives_no_access():
    today = timezone.localdate()
    grant = GrantFactory(starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=30))

    assert not access.is_member(fresh(grant.user))
    assert not access.is_lapsed(fresh(grant.user))


def test_expired_staff_grant_leaves_a_lapsed_member():
    today = timezone.localdate()
    grant = GrantFactory(starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=1))

    assert access.roles(fresh(grant.user)) == {access.Role.LAPSED}
    assert agrees_with_bulk_query(grant.user)


def test_grant_member_type_decides_whatever_the_person_wrote_in_their_profile():
    grant = GrantFactory(
        user=UserFactory(member_type=MemberType.COMMISSIONER), member_type=MemberType.POLICY
    )

    assert access.member_type(fresh(grant.user)) == MemberType.POLICY
    assert grant.user in User.objects.filter(access.members_now_q(member_type=MemberType.POLICY))
    assert grant.user not in User.objects.filter(
        access.members_now_q(member_type=MemberType.COMMISSIONER)
    )


def test_grant_without_a_member_type_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="grant_has_member_type"):
        GrantFactory(member_type="")


def test_organisation_grant_type_decides_its_seats_type():
    organisation = OrganisationFactory(org_type=MemberType.PROVIDER)
    GrantFactory(user=None, organisation=organisation, member_type=MemberType.COMMISSIONER)
    seat = SeatFactory(organisation=organisation, user=UserFactory(member_type=MemberType.POLICY))

    assert access.member_type(fresh(seat.user)) == MemberType.COMMISSIONER
    assert agrees_with_bulk_query(seat.user)


def test_seat_holder_is_a_member_of_the_organisations_type(commissioner_member):
    current = access.membership(fresh(commissioner_member))

    assert current.source == access.Source.SEAT
    assert current.member_type == MemberType.COMMISSIONER


def test_seat_in_an_organisation_whose_subscription_ended_gives_no_access():
    organisation, admin = organisation_with_seats()
    organisation.subscriptions.update(status=SubscriptionStatus.CANCELED)

    assert not access.is_member(fresh(admin))
    assert access.is_lapsed(fresh(admin))


def test_organisation_grant_gives_its_seat_holders_access():
    organisation = OrganisationFactory(org_type=MemberType.PROVIDER)
    GrantFactory(user=None, organisation=organisation, seats=5)
    seat = SeatFactory(organisation=organisation)

    current = access.membership(fresh(seat.user))

    assert current.source == access.Source.SEAT
    assert current.organisation == organisation
    assert agrees_with_bulk_query(seat.user)


def test_personal_subscription_is_preferred_over_a_seat():
    organisation, admin = organisation_with_seats()
    SubscriptionFactory(user=admin, plan=PlanFactory(member_type=MemberType.POLICY))

    current = access.membership(fresh(admin))

    assert current.source == access.Source.PERSONAL
    assert current.member_type == MemberType.POLICY


def test_lapsed_member_loses_access_on_the_next_request(client, provider_member):
    client.force_login(provider_member)
    assert "You are a member" in client.get("/account/").content.decode()

    provider_member.subscriptions.update(status=SubscriptionStatus.CANCELED)

    assert "Your membership has ended" in client.get("/account/").content.decode()


def test_organisation_seats_come_from_the_subscription_quantity():
    organisation, _ = organisation_with_seats(seats=7)

    assert access.organisation_seats(organisation) == 7


def test_organisation_seats_come_from_a_staff_grant():
    organisation = OrganisationFactory()
    GrantFactory(user=None, organisation=organisation, seats=4)

    assert access.organisation_seats(organisation) == 4


def test_organisation_with_a_grant_and_a_subscription_has_the_larger_seat_count():
    organisation, _ = organisation_with_seats(seats=7)
    GrantFactory(user=None, organisation=organisation, seats=12)

    assert access.organisation_seats(organisation) == 12


def test_organisation_without_membership_has_no_seats():
    organisation, _ = organisation_with_seats(seats=7)
    organisation.subscriptions.update(status=SubscriptionStatus.UNPAID)

    assert access.organisation_seats(organisation) == 0
    assert access.organisation_membership(organisation) is None


def test_organisation_seats_run_out_at_the_end_of_a_cancelled_period():
    organisation, _ = organisation_with_seats()
    organisation.subscriptions.update(cancel_at_period_end=True)
    subscription = organisation.subscriptions.get()

    assert access.organisation_membership(organisation).ends_at == subscription.current_period_end


def test_only_admin_seats_manage_an_organisation():
    organisation, admin = organisation_with_seats()
    colleague = SeatFactory(organisation=organisation).user

    assert list(access.organisations_managed_by(admin)) == [organisation]
    assert not access.organisations_managed_by(colleague).exists()
    assert access.Role.ORG_ADMIN in access.roles(fresh(admin))
    assert access.Role.ORG_ADMIN not in access.roles(fresh(colleague))


def test_invitation_is_for_a_verified_address_only():
    user = UserFactory(email="sam@northmoor.example.org")
    EmailAddress.objects.create(user=user, email="sam.other@example.org", verified=False)
    invitation_to_verified = type("I", (), {"email": "Sam@Northmoor.example.org"})()
    invitation_to_unverified = type("I", (), {"email": "sam.other@example.org"})()

    assert access.invitation_is_for(user, invitation_to_verified)
    assert not access.invitation_is_for(user, invitation_to_unverified)


def test_seat_may_be_claimed_only_with_a_verified_address_at_the_domain():
    organisation = OrganisationFactory(verified_domain="northmoor.example.org")
    colleague = UserFactory(email="kim@northmoor.example.org")
    unverified = UserFactory(email="lee@northmoor.example.org", verified=False)
    outsider = UserFactory(email="kim@elsewhere.example.org")

    assert access.can_claim_seat(colleague, organisation)
    assert not access.can_claim_seat(unverified, organisation)
    assert not access.can_claim_seat(outsider, organisation)


def test_organisation_without_a_verified_domain_offers_no_claims():
    organisation = OrganisationFactory(verified_domain="")

    assert not access.can_claim_seat(UserFactory(), organisation)


def test_roles_of_each_fixture(
    registered, provider_member, commissioner_member, policy_member, lapsed, org_admin
):
    assert access.roles(fresh(registered)) == {access.Role.REGISTERED}
    assert access.roles(fresh(provider_member)) == {access.Role.MEMBER}
    assert access.roles(fresh(commissioner_member)) == {access.Role.MEMBER}
    assert access.roles(fresh(policy_member)) == {access.Role.MEMBER}
    assert access.roles(fresh(lapsed)) == {access.Role.LAPSED}
    assert access.roles(fresh(org_admin)) == {access.Role.MEMBER, access.Role.ORG_ADMIN}


def test_inactive_account_has_no_membership(provider_member):
    provider_member.is_active = False

    assert not access.is_member(provider_member)
    assert not access.organisations_managed_by(provider_member).exists()


# --- The way back for a lapsed seat holder -----------------------------------------------


def lapsed_seat_holder():
    organisation, _admin = organisation_with_seats(name="Northmoor Council")
    person = SeatFactory(organisation=organisation, slot=2).user
    organisation.subscriptions.update(status=SubscriptionStatus.CANCELED)
    return organisation, person


def test_a_lapsed_seat_holder_waits_on_their_organisation():
    organisation, person = lapsed_seat_holder()

    assert access.lapsed_through_organisation(fresh(person)) == organisation


def test_a_lapsed_seat_holder_who_once_paid_for_themselves_may_renew_their_own():
    organisation, person = lapsed_seat_holder()
    SubscriptionFactory(user=person, status=SubscriptionStatus.CANCELED)

    assert access.lapsed_through_organisation(fresh(person)) is None


def test_the_admin_of_a_lapsed_organisation_renews_it_rather_than_waits():
    organisation, _person = lapsed_seat_holder()
    admin = organisation.seats.get(is_admin=True).user

    assert access.lapsed_through_organisation(fresh(admin)) is None


def test_a_seat_holder_of_a_running_membership_waits_on_nobody():
    organisation, admin = organisation_with_seats()
    person = SeatFactory(organisation=organisation, slot=2).user

    assert access.lapsed_through_organisation(fresh(person)) is None
