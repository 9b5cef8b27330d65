"""Factories for organisation memberships: an organisation with seats, invitations,
invoices of invoice-billed subscriptions."""

from datetime import timedelta

import factory
from django.utils import timezone

from members.models import Invitation, Invoice, MemberType, Subscription
from tests.factories import (
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"colleague{n}@example.org")
    invited_by = factory.SubFactory(UserFactory)


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    subscription = factory.SubFactory(SubscriptionFactory)
    stripe_invoice_id = factory.Sequence(lambda n: f"in_test_{n}")
    number = factory.Sequence(lambda n: f"ERN-{n:04d}")
    status = Invoice.Status.OPEN
    amount_due_pence = 180000
    due_date = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


def organisation_with_seats(*, seats: int = 3, admin=None, org_type=MemberType.COMMISSIONER, **org):
    """An organisation with an active subscription for `seats` seats and one admin seat."""
    organisation = OrganisationFactory(org_type=org_type, **org)
    plan = PlanFactory(member_type=org_type, organisation=True)
    SubscriptionFactory(
        user=None,
        organisation=organisation,
        plan=plan,
        quantity=seats,
        collection_method=Subscription.CollectionMethod.CARD,
    )
    admin = admin or UserFactory()
    SeatFactory(organisation=organisation, user=admin, is_admin=True, slot=1)
    return organisation, admin
