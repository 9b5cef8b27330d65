"""The account page asks the database a fixed number of times, under 16, for every kind
of person, however much they hold: invoices, topics, events, newsletters, addresses."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from events.models import RegistrationStatus
from members.models import Subscription
from newsletter.models import Subscriber
from tests.events.factories import EventFactory
from tests.members.factories import InvitationFactory, InvoiceFactory, TopicFactory
from tests.newsletter.factories import NewsletterFactory, SubscriberFactory

# One of them asks whether the person moderates: moderators set up two-factor before any
# page opens for them (forum/middleware.py).
ACCOUNT_PAGE_MOST_QUERIES = 15


def _give_history(user, size: int) -> None:
    """`size` of each: invoices, topics, events, newsletters, verified addresses and
    invitations waiting for them."""
    for subscription in Subscription.objects.filter(user=user):
        for _ in range(size):
            InvoiceFactory(subscription=subscription)
    for _ in range(size):
        user.topics.add(TopicFactory(name=f"Topic {TopicFactory._meta.model.objects.count()}"))
        event = EventFactory()
        event.registrations.create(
            user=user, status=RegistrationStatus.CONFIRMED, place=1, name=user.name
        )
        address = f"address{EmailAddress.objects.count()}@harbour-lights.example.org"
        EmailAddress.objects.create(user=user, email=address, verified=True, primary=False)
        InvitationFactory(email=address)
    subscriber = Subscriber.objects.filter(user=user).first() or SubscriberFactory(
        email=user.email, user=user
    )
    subscriber.newsletters.add(*(NewsletterFactory() for _ in range(size)))
    subscriber.topics.add(*(TopicFactory(name=f"Digest topic {n}") for n in range(size)))


def _account_page_queries(client, user, django_assert_max_num_queries) -> int:
    client.force_login(user)
    client.get(reverse("members:account"))  # the first visit records the device
    with django_assert_max_num_queries(ACCOUNT_PAGE_MOST_QUERIES) as captured:
        response = client.get(reverse("members:account"))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "person",
    ["provider_member", "commissioner_member", "policy_member", "registered", "lapsed"],
)
def test_the_account_page_asks_the_same_few_queries_however_much_a_person_holds(
    request, client, django_assert_max_num_queries, person
):
    user = request.getfixturevalue(person)
    _give_history(user, 1)
    before = _account_page_queries(client, user, django_assert_max_num_queries)
    _give_history(user, 6)
    after = _account_page_queries(client, user, django_assert_max_num_queries)
    assert after == before


def test_an_organisation_admin_s_account_page_does_not_grow_with_their_organisation(
    client, org_admin, django_assert_max_num_queries
):
    """The admin's page adds the organisation's panel (its membership and seats), a
    fixed number of queries per organisation they manage."""
    _give_history(org_admin, 1)
    client.force_login(org_admin)
    client.get(reverse("members:account"))
    with django_assert_max_num_queries(21) as before:
        client.get(reverse("members:account"))
    organisation = org_admin.seats.get().organisation
    for number in range(5):
        InvitationFactory(organisation=organisation, email=f"new.colleague{number}@example.org")
    _give_history(org_admin, 6)
    with django_assert_max_num_queries(21) as after:
        client.get(reverse("members:account"))
    assert len(after) == len(before)
