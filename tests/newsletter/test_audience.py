"""Who an edition goes to: its newsletter's subscribers, narrowed by the edition's filters."""

import pytest

from members.models import MemberType, Region
from newsletter import selectors
from tests.factories import UserFactory
from tests.newsletter.factories import EditionFactory, NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def on_list(newsletter, user=None, **fields):
    return (
        SubscriberFactory(
            newsletters=[newsletter], user=user, email=user.email if user else None, **fields
        )
        if user
        else SubscriberFactory(newsletters=[newsletter], **fields)
    )


def audience(edition) -> set[str]:
    return set(selectors.edition_audience(edition).values_list("email", flat=True))


@pytest.fixture
def everyone(newsletter, provider_member, commissioner_member, policy_member, registered, lapsed):
    for user in [provider_member, commissioner_member, policy_member, registered, lapsed]:
        on_list(newsletter, user)
    on_list(newsletter, email="no-account@example.org")


def test_no_filter_reaches_every_subscriber(newsletter, everyone):
    edition = EditionFactory(newsletter=newsletter)

    assert len(audience(edition)) == 6
    assert selectors.edition_audience_count(edition) == 6


def test_members_only_reaches_current_members(newsletter, everyone):
    edition = EditionFactory(newsletter=newsletter, audience_members_only=True)

    assert audience(edition) == {
        "provider@example.org",
        "commissioner@example.org",
        "policy@example.org",
    }


def test_member_type_filter_reaches_members_of_that_type(newsletter, everyone):
    edition = EditionFactory(newsletter=newsletter, audience_member_type=MemberType.COMMISSIONER)

    assert audience(edition) == {"commissioner@example.org"}


def test_region_filter_reaches_people_in_that_region(newsletter):
    on_list(newsletter, UserFactory(email="leeds@example.org", region=Region.YORKSHIRE))
    on_list(newsletter, UserFactory(email="bristol@example.org", region=Region.SOUTH_WEST))
    edition = EditionFactory(newsletter=newsletter, audience_region=Region.YORKSHIRE)

    assert audience(edition) == {"leeds@example.org"}


def test_restricted_newsletter_reaches_only_its_member_type(everyone, newsletter):
    briefing = NewsletterFactory(restricted_to=MemberType.COMMISSIONER)
    for subscriber in newsletter.subscribers.all():
        subscriber.newsletters.add(briefing)
    edition = EditionFactory(newsletter=briefing)

    assert audience(edition) == {"commissioner@example.org"}


def test_audience_count_is_one_query(newsletter, everyone, django_assert_num_queries):
    edition = EditionFactory(newsletter=newsletter, audience_members_only=True)

    with django_assert_num_queries(1):
        selectors.edition_audience_count(edition)
