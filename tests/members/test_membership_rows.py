"""The membership lookup reads its rows with SQL of its own: the instances it hands the
access rules are the ones the ORM would have loaded, related rows included."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members import access
from members.access.membership_rows import current_grants, subscriptions_that_may_give_access
from members.access.subscriptions import with_earliest_unpaid_due
from members.models import Invoice, MembershipGrant, Subscription, SubscriptionStatus
from tests.members.factories import (
    GrantFactory,
    InvoiceFactory,
    OrganisationFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_subscription_reads_as_the_orm_loads_it_with_plan_and_organisation(
    django_assert_num_queries,
):
    person = UserFactory()
    organisation = OrganisationFactory()
    SeatFactory(organisation=organisation, user=person)
    subscription = SubscriptionFactory(
        user=None,
        organisation=organisation,
        cancel_at_period_end=True,
        past_due_since=timezone.now() - timedelta(days=2),
    )

    with django_assert_num_queries(1):
        [found] = subscriptions_that_may_give_access(person)
        assert found.plan.slug == subscription.plan.slug
        assert found.organisation.name == organisation.name

    loaded = Subscription.objects.select_related("plan", "organisation").get(pk=subscription.pk)
    assert _fields(found) == _fields(loaded)
    assert _fields(found.plan) == _fields(loaded.plan)
    assert _fields(found.organisation) == _fields(loaded.organisation)
    assert timezone.is_aware(found.created_at) and timezone.is_aware(found.past_due_since)


def test_the_oldest_unpaid_invoice_due_date_comes_with_the_subscription():
    subscription = SubscriptionFactory(collection_method=Subscription.CollectionMethod.INVOICE)
    oldest = timezone.now() - timedelta(days=40)
    InvoiceFactory(subscription=subscription, due_date=oldest)
    InvoiceFactory(subscription=subscription, due_date=timezone.now() - timedelta(days=5))
    InvoiceFactory(
        subscription=subscription, due_date=oldest - timedelta(days=9), status=Invoice.Status.PAID
    )
    InvoiceFactory(
        subscription=subscription, due_date=oldest - timedelta(days=8), paid_out_of_band=True
    )

    [found] = subscriptions_that_may_give_access(subscription.user)

    annotated = with_earliest_unpaid_due(Subscription.objects.filter(pk=subscription.pk)).get()
    assert found.earliest_unpaid_due == annotated.earliest_unpaid_due == oldest


def test_personal_subscription_comes_before_seats_and_ended_ones_are_left_out():
    person = UserFactory()
    organisation = OrganisationFactory()
    SeatFactory(organisation=organisation, user=person)
    seat_subscription = SubscriptionFactory(user=None, organisation=organisation)
    personal = SubscriptionFactory(user=person)
    SubscriptionFactory(user=person, status=SubscriptionStatus.CANCELED)
    SubscriptionFactory(user=UserFactory())

    found = subscriptions_that_may_give_access(person)

    assert [s.pk for s in found] == [personal.pk, seat_subscription.pk]


def test_an_organisation_grant_through_a_seat_comes_with_its_organisation(
    django_assert_num_queries,
):
    person = UserFactory()
    organisation = OrganisationFactory()
    SeatFactory(organisation=organisation, user=person)
    grant = GrantFactory(user=None, organisation=organisation)
    GrantFactory(user=person, starts_on=timezone.localdate() + timedelta(days=3))

    with django_assert_num_queries(1):
        (found,) = current_grants(person, timezone.localdate())
        assert found.organisation.name == organisation.name

    assert _fields(found) == _fields(MembershipGrant.objects.get(pk=grant.pk))


def test_no_grant_on_the_day_after_it_ends():
    grant = GrantFactory(ends_on=timezone.localdate())

    assert current_grants(grant.user, timezone.localdate()) == [grant]
    assert current_grants(grant.user, timezone.localdate() + timedelta(days=1)) == []


def test_a_member_by_subscription_costs_one_query_and_by_grant_two(django_assert_num_queries):
    subscriber = SubscriptionFactory().user
    grant_holder = GrantFactory().user

    with django_assert_num_queries(1):
        assert access.membership(subscriber).source == access.Source.PERSONAL
    with django_assert_num_queries(2):
        assert access.membership(grant_holder).source == access.Source.GRANT
