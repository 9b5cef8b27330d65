"""The email that confirms a sign-up goes once for each sign-up, however its task is
delivered."""

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from newsletter import tasks
from newsletter.models import Subscriber
from tests.redelivery import deliver_again_while_sending

pytestmark = pytest.mark.django_db


def sign_up(client, newsletter):
    return client.post(
        reverse("newsletter:index"),
        {
            "email": "reader@example.org",
            "name": "Sam Reader",
            "newsletters": [newsletter.pk],
            "consent": "on",
        },
    )


def test_a_confirmation_goes_once_when_its_task_is_delivered_again_while_sending(
    client, newsletter, monkeypatch
):
    asked_at = "2026-12-07T09:00:00+00:00"
    with time_machine.travel(asked_at, tick=True):
        sign_up(client, newsletter)  # its task is not run: it is delivered below
        subscriber = Subscriber.objects.get()
        deliver_again_while_sending(
            monkeypatch, lambda: tasks.subscriber_confirmation_send(subscriber.pk, asked_at)
        )

        tasks.subscriber_confirmation_send(subscriber.pk, asked_at)

    assert [m.to for m in mail.outbox] == [["reader@example.org"]]


def test_signing_up_again_later_sends_a_new_confirmation(
    client, newsletter, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel("2026-12-07T09:00:00+00:00", tick=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sign_up(client, newsletter)
    with (
        time_machine.travel("2026-12-08T09:00:00+00:00", tick=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sign_up(client, newsletter)

    assert len(mail.outbox) == 2
