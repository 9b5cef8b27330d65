"""Limits on the account emails anyone can have the site send to any address."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.members.factories import PASSWORD

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


def _sign_in(client, email, password, *, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def _fail_thirty_times_over_a_day(client, email, start):
    # Six minutes apart from ever-changing addresses: no per-address or five-minute limit
    # ever applies, as from a botnet guessing slowly.
    for n in range(30):
        with time_machine.travel(start + timedelta(minutes=6 * n), tick=False):
            _sign_in(client, email, "not-the-password", address=f"203.0.113.{n + 1}")


def test_thirty_failed_sign_ins_to_one_account_in_a_day_pause_it_whatever_the_ip(
    client, registered
):
    start = timezone.now()
    _fail_thirty_times_over_a_day(client, registered.email, start)

    with time_machine.travel(start + timedelta(hours=4), tick=False):
        response = _sign_in(client, registered.email, PASSWORD, address="192.0.2.7")

    assert "too many failed attempts to sign in to this account" in response.content.decode()
    assert "reset your password" in response.content.decode()
    assert client.get(reverse("members:account")).status_code == 302


def test_the_paused_account_opens_again_a_day_after_the_failures(client, registered):
    start = timezone.now()
    _fail_thirty_times_over_a_day(client, registered.email, start)

    with time_machine.travel(start + timedelta(hours=27), tick=False):
        _sign_in(client, registered.email, PASSWORD, address="192.0.2.7")
        assert client.get(reverse("members:account")).status_code == 200


def test_a_password_reset_lifts_the_pause_for_the_accounts_owner(client, registered):
    start = timezone.now()
    _fail_thirty_times_over_a_day(client, registered.email, start)

    with time_machine.travel(start + timedelta(hours=4), tick=False):
        _sign_in(client, registered.email, PASSWORD, address="192.0.2.7")
        assert client.get(reverse("members:account")).status_code == 302

        client.post(reverse("account_reset_password"), {"email": registered.email})
        path = re.search(
            r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body
        )[1]
        form_page = client.get(path, follow=True)
        client.post(
            form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
            {"password1": "a-brand-new-long-password", "password2": "a-brand-new-long-password"},
        )
        client.logout()
        _sign_in(client, registered.email, "a-brand-new-long-password", address="192.0.2.7")

        assert client.get(reverse("members:account")).status_code == 200
