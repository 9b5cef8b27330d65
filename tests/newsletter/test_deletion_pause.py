"""A subscriber waiting for their account to be deleted is sent no edition and no digest
(members.email_pause), and is again once they stop the deletion."""

import pytest
from django.test import TestCase

from members import data_rights
from newsletter import selectors
from newsletter.digests import periods
from newsletter.models import DigestDelivery
from tests.members.factories import UserFactory
from tests.newsletter.factories import EditionFactory, NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def audience(edition) -> set[str]:
    return set(selectors.edition_audience(edition).values_list("email", flat=True))


def test_an_edition_leaves_out_a_subscriber_waiting_for_deletion():
    newsletter = NewsletterFactory()
    person = UserFactory(email="jo@example.org")
    SubscriberFactory(newsletters=[newsletter], user=person, email=person.email)
    SubscriberFactory(newsletters=[newsletter], email="ali@example.org")
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    assert audience(EditionFactory(newsletter=newsletter)) == {"ali@example.org"}


def test_a_subscriber_row_not_linked_to_the_account_is_left_out_by_its_address():
    newsletter = NewsletterFactory()
    person = UserFactory(email="Jo@Example.org")
    SubscriberFactory(newsletters=[newsletter], email="jo@example.org")
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    assert audience(EditionFactory(newsletter=newsletter)) == set()


def test_editions_reach_them_again_once_they_stop_the_deletion():
    newsletter = NewsletterFactory()
    person = UserFactory(email="jo@example.org")
    SubscriberFactory(newsletters=[newsletter], user=person, email=person.email)
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    data_rights.account_deletion_cancel(user=person)
    assert audience(EditionFactory(newsletter=newsletter)) == {"jo@example.org"}


def test_no_digest_is_made_for_a_subscriber_waiting_for_deletion():
    person = UserFactory(email="jo@example.org")
    SubscriberFactory(daily_digest=True, user=person, email=person.email)
    SubscriberFactory(daily_digest=True, email="ali@example.org")
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    with TestCase.captureOnCommitCallbacks(execute=False):
        period = periods.digest_start(kind="daily")
    assert set(
        DigestDelivery.objects.filter(period=period).values_list("subscriber__email", flat=True)
    ) == {"ali@example.org"}
