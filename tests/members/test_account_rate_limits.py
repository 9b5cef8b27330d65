"""Limits on the account emails anyone can have the site send to any address."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_password_reset_emails_to_one_address_stop_at_ten_an_hour_whatever_the_ip(
    client, registered
):
    start = timezone.now()
    for minute in range(3):
        with time_machine.travel(start + timedelta(minutes=2 * minute), tick=False):
            for n in range(5):
                client.post(
                    reverse("account_reset_password"),
                    {"email": registered.email},
                    REMOTE_ADDR=f"198.51.100.{10 * minute + n}",
                )

    assert len(mail.outbox) == 10
    assert {email.to[0] for email in mail.outbox} == {registered.email}
