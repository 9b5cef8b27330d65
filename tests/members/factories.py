"""Factories for members (people, organisations, seats, plans, subscriptions, grants,
invitations, invoices) and the topics every app files things under; every app's tests
use them."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from members.models import (
    Invitation,
    Invoice,
    MembershipGrant,
    MemberType,
    Organisation,
    Plan,
    Region,
    Seat,
    Subscription,
    SubscriptionStatus,
    User,
)
from network.models import Topic

PASSWORD = "correct-horse-battery-staple"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


_faker = Faker("en_GB")


class UserFactory(factory.django.DjangoModelFactory):
    """A registered person with a verified email address (allauth's EmailAddress row)."""

    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    # Faker's British names include O'Sullivan now and then; a page escapes the apostrophe,
    # so a test looking for the name in the HTML would fail on a few runs in a hundred.
    # Escaping is tested on its own (tests/network/test_markup_and_mail.py, the forum views).
    name = factory.LazyFunction(lambda: _faker.name().replace("'", ""))
    job_title = "Registered manager"
    member_type = MemberType.PROVIDER
    region = Region.NORTH_WEST

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.update_or_create(
                user=obj,
                email=obj.email,
                defaults={"verified": extracted is not False, "primary": True},
            )


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Plan {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    member_type = MemberType.PROVIDER
    holder = Plan.Holder.INDIVIDUAL
    interval = Plan.Interval.YEAR
    price_pence = 12000
    seats = 1
    stripe_price_id = factory.Sequence(lambda n: f"price_test_{n}")

    class Params:
        organisation = factory.Trait(holder=Plan.Holder.ORGANISATION, seats=10)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Fictional Homes {n} Ltd")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    org_type = MemberType.PROVIDER
    region = Region.NORTH_WEST
    billing_email = factory.LazyAttribute(lambda o: f"accounts@{o.slug}.example.org")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A personal subscription; pass organisation=… (and user=None) for an organisation's."""

    class Meta:
        model = Subscription

    user = factory.SubFactory(UserFactory)
    organisation = None
    plan = factory.SubFactory(PlanFactory)
    status = SubscriptionStatus.ACTIVE
    stripe_subscription_id = factory.Sequence(lambda n: f"sub_test_{n}")
    stripe_customer_id = factory.Sequence(lambda n: f"cus_test_{n}")
    current_period_end = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    is_admin = False


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipGrant

    user = factory.SubFactory(UserFactory)
    organisation = None
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))
    reason = MembershipGrant.Reason.COMPLIMENTARY
    member_type = MemberType.POLICY


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
