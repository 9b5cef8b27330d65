"""Who an edition goes to: its newsletter's subscribers, narrowed by the edition's filters;
and freezing an audience into delivery rows, once each, for editions and digests alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import MemberType, Region
from newsletter import selectors
from newsletter.digests import periods
from newsletter.models import Delivery, DigestDelivery, DigestPeriod
from newsletter.sending import editions
from tests.members.factories import UserFactory
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


# --- Freezing an audience (editions and digests share newsletter.audience.audience_freeze) --


def freeze_edition(edition) -> int:
    return editions._freeze_audience(edition)


def freeze_digest(period) -> int:
    return periods._freeze_recipients(period)


def test_freezing_an_editions_audience_copies_each_address_once(newsletter):
    edition = EditionFactory(newsletter=newsletter)
    first = on_list(newsletter, email="first@example.org")
    second = on_list(newsletter, email="second@example.org")

    added = freeze_edition(edition)

    assert added == 2
    deliveries = Delivery.objects.filter(edition=edition)
    assert set(deliveries.values_list("subscriber_id", "email", "state")) == {
        (first.pk, "first@example.org", Delivery.State.PENDING),
        (second.pk, "second@example.org", Delivery.State.PENDING),
    }


def test_freezing_a_digests_audience_again_adds_only_newcomers():
    start = timezone.now().replace(microsecond=0)
    period = DigestPeriod.objects.create(
        kind=DigestPeriod.Kind.DAILY, period_start=start, period_end=start + timedelta(days=1)
    )
    SubscriberFactory(daily_digest=True)
    SubscriberFactory(daily_digest=False)
    first = freeze_digest(period)
    SubscriberFactory(daily_digest=True)

    second = freeze_digest(period)

    assert (first, second) == (1, 1)
    assert DigestDelivery.objects.filter(period=period).count() == 2
    assert set(DigestDelivery.objects.values_list("state", flat=True)) == {
        DigestDelivery.State.PENDING
    }
