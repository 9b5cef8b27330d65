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


def test_a_digest_period_cannot_be_changed_in_the_admin(staff_client):
    (period,) = _daily_periods(1)

    response = staff_client.post(
        reverse("admin:newsletter_digestperiod_change", args=[period.pk]),
        {"kind": "weekly", "period_start_0": "", "finished_at_0": "", "finished_at_1": ""},
    )

    period.refresh_from_db()
    assert response.status_code == 403
    assert period.kind == "daily"


def test_no_digest_period_is_made_by_hand_in_the_admin(staff_client):
    response = staff_client.get(reverse("admin:newsletter_digestperiod_add"))

    assert response.status_code == 403


def test_a_digest_period_cannot_be_deleted_in_the_admin(staff_client):
    # Deleted, the record of who was sent it goes with it, and the latest period is made
    # again by the next run and sent a second time.
    (period,) = _daily_periods(1)

    response = staff_client.post(
        reverse("admin:newsletter_digestperiod_delete", args=[period.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert DigestPeriod.objects.filter(pk=period.pk).exists()


def test_a_digest_period_s_page_shows_what_it_records(staff_client):
    (period,) = _daily_periods(1)

    response = staff_client.get(reverse("admin:newsletter_digestperiod_change", args=[period.pk]))

    assert response.status_code == 200
    assert "Period start" in response.content.decode()
