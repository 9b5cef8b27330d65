"""The admin's pages over what the newsletter records for years: digest periods and the
digests sent in each."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsletter.models import DigestDelivery, DigestPeriod
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def _daily_periods(days: int) -> list[DigestPeriod]:
    end = timezone.now().replace(microsecond=0)
    return [
        DigestPeriod.objects.create(
            kind="daily",
            period_start=end - timedelta(days=day + 1),
            period_end=end - timedelta(days=day),
        )
        for day in range(days)
    ]


def test_a_digest_delivery_page_does_not_list_every_digest_period(staff_client):
    # A daily digest adds a period a day: after a few years a list of them all would be
    # thousands of options long.
    chosen, *others = _daily_periods(3)
    delivery = DigestDelivery.objects.create(period=chosen, subscriber=SubscriberFactory())

    page = staff_client.get(
        reverse("admin:newsletter_digestdelivery_change", args=[delivery.pk])
    ).content.decode()

    assert html.escape(str(chosen)) in page
    assert all(f'<option value="{other.pk}"' not in page for other in others)


def test_a_sent_digest_cannot_be_set_back_to_waiting_in_the_admin(staff_client):
    # A waiting row is claimed and sent: set back, the digest would go out twice.
    (period,) = _daily_periods(1)
    sent = DigestDelivery.objects.create(
        period=period, subscriber=SubscriberFactory(), state=DigestDelivery.State.SENT
    )

    response = staff_client.post(
        reverse("admin:newsletter_digestdelivery_change", args=[sent.pk]),
        {"period": period.pk, "subscriber": sent.subscriber_id, "state": "pending", "attempts": 0},
    )

    sent.refresh_from_db()
    assert response.status_code == 403
    assert sent.state == DigestDelivery.State.SENT


def test_no_digest_delivery_is_made_by_hand_in_the_admin(staff_client):
    response = staff_client.get(reverse("admin:newsletter_digestdelivery_add"))

    assert response.status_code == 403
