"""Editors compose and send editions; subscribers' addresses, and the record of each email
sent to each address, are for staff. Editors follow a sending by its numbers."""

import pytest
from django.urls import reverse

from newsletter.models import Delivery, Edition
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

FAILED_ADDRESS = "robin.hale@example.org"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def sent_with_a_failure(edition):
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    for address, state in [(FAILED_ADDRESS, "failed"), ("sam.okafor@example.org", "sent")]:
        subscriber = SubscriberFactory(email=address)
        Delivery.objects.create(
            edition=edition,
            subscriber=subscriber,
            email=address,
            state=state,
            error="550 Mailbox unavailable" if state == "failed" else "",
        )
    return edition


def _progress(edition) -> str:
    return reverse("admin:newsletter_edition_progress", args=[edition.pk])


@pytest.mark.parametrize(
    "page",
    [
        "admin:newsletter_subscriber_changelist",
        "admin:newsletter_subscriber_add",
        "admin:newsletter_delivery_changelist",
        "admin:newsletter_digestdelivery_changelist",
    ],
)
def test_editors_are_refused_the_subscribers_and_the_emails_sent_to_them(editor_client, page):
    assert editor_client.get(reverse(page)).status_code == 403


def test_editors_are_refused_a_subscriber(editor_client):
    subscriber = SubscriberFactory(email=FAILED_ADDRESS)

    response = editor_client.get(
        reverse("admin:newsletter_subscriber_change", args=[subscriber.pk])
    )

    assert response.status_code == 403


def test_an_editor_follows_a_sending_by_its_numbers_without_the_addresses_that_failed(
    editor_client, sent_with_a_failure
):
    page = editor_client.get(_progress(sent_with_a_failure)).content.decode()

    assert "Failed</th><td>1<" in page
    assert FAILED_ADDRESS not in page
    assert "The addresses that failed are shown to the staff who look after subscribers." in page


def test_staff_see_the_addresses_that_failed(staff_client, sent_with_a_failure):
    page = staff_client.get(_progress(sent_with_a_failure)).content.decode()

    assert f"{FAILED_ADDRESS}: 550 Mailbox unavailable" in page
