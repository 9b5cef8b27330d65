"""Signing up on the site with an address that left: one that unsubscribed gets a
confirmation (a fresh consent); one that reported our email as spam gets nothing, and the
visitor is told the same as for any sign-up."""

import pytest
from django.core import mail
from django.urls import reverse

from newsletter.models import Subscriber
from tests.newsletter.conftest import links, parse, parts
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

State = Subscriber.State


@pytest.fixture
def sign_up(client, newsletter, django_capture_on_commit_callbacks):
    """Post the sign-up form as a visitor who is not signed in; the email queued on commit
    is sent."""

    def post(email: str = "Reader@Example.org"):
        data = {"email": email, "newsletters": [newsletter.pk], "consent": "on"}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("newsletter:index"), data)

    return post


def test_signing_up_an_address_that_reported_spam_sends_it_nothing(sign_up):
    SubscriberFactory(email="reader@example.org", state=State.COMPLAINED)

    sign_up()

    assert mail.outbox == []


def test_signing_up_an_address_that_reported_spam_leaves_it_as_it_was(sign_up):
    subscriber = SubscriberFactory(email="reader@example.org", state=State.COMPLAINED)

    sign_up()

    subscriber.refresh_from_db()
    assert subscriber.state == State.COMPLAINED
    assert not subscriber.newsletters.exists()
    assert not subscriber.consents.exists()


def test_signing_up_an_address_that_reported_spam_answers_as_any_sign_up(sign_up):
    SubscriberFactory(email="reader@example.org", state=State.COMPLAINED)

    complained = sign_up()
    anyone = sign_up(email="someone.new@example.org")

    assert complained.status_code == anyone.status_code == 302
    assert complained["Location"] == anyone["Location"] == reverse("newsletter:check_email")


def test_an_address_that_unsubscribed_is_emailed_a_confirmation_when_it_signs_up_again(
    sign_up,
):
    SubscriberFactory(email="reader@example.org", state=State.UNSUBSCRIBED)

    sign_up()

    assert [message.to for message in mail.outbox] == [["reader@example.org"]]
    assert Subscriber.objects.get().state == State.PENDING


def test_an_address_that_unsubscribed_is_subscribed_again_once_it_confirms(client, sign_up):
    SubscriberFactory(email="reader@example.org", state=State.UNSUBSCRIBED)
    sign_up()
    body = parts(parse(mail.outbox[0]))["text/plain"]
    confirm = next(link for link in links(body) if "/newsletter/confirm/" in link)

    client.post(confirm)

    assert Subscriber.objects.get().state == State.SUBSCRIBED
