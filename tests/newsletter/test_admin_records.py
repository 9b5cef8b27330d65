"""The admin's pages over what the newsletter records for years: digest periods and the
digests sent in each."""

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

    assert 'name="period"' in page
    assert all(f'<option value="{other.pk}"' not in page for other in others)
