import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import MemberType
from newsletter import services, tokens
from newsletter.models import Consent, Subscriber
from tests.members.factories import TopicFactory
from tests.newsletter.conftest import links, parse, parts
from tests.newsletter.factories import NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign_up(django_capture_on_commit_callbacks):
    """Post the sign-up form; what is queued on commit (the email) runs."""

    def post(client, newsletter, **extra):
        data = {
            "email": "Reader@Example.org",
            "name": "Sam Reader",
            "newsletters": [newsletter.pk],
            "consent": "on",
            **extra,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("newsletter:index"), data)

    return post


def confirm_link() -> str:
    body = parts(parse(mail.outbox[-1]))["text/plain"]
    return next(link for link in links(body) if "/newsletter/confirm/" in link)


def test_sign_up_page_lets_the_browser_fill_in_the_visitor_s_email_and_name(client, newsletter):
    response = client.get(reverse("newsletter:index"))

    html = response.content.decode()
    assert re.search(r'<input type="email" name="email"[^>]* autocomplete="email"', html)
    assert re.search(r'<input type="text" name="name"[^>]* autocomplete="name"', html)


def test_sign_up_page_offers_newsletters_with_nothing_ticked(client, newsletter):
    response = client.get(reverse("newsletter:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert newsletter.name in html
    assert "checked" not in html


def test_sign_up_keeps_the_address_pending_and_emails_a_confirmation_link(
    client, newsletter, sign_up
):
    response = sign_up(client, newsletter)

    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check_email")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org"
    assert subscriber.state == Subscriber.State.PENDING
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.org"]
    assert "/newsletter/confirm/" in confirm_link()


def test_sign_up_records_consent_with_the_words_agreed_and_the_form(client, newsletter, sign_up):
    sign_up(client, newsletter, source="home")

    consent = Consent.objects.get()
    assert consent.action == Consent.Action.SIGNED_UP
    assert consent.form == "home page"
    assert consent.text == services.CONSENT_TEXT
    assert consent.choices["newsletters"] == [newsletter.slug]
    assert consent.created_at is not None


def test_sign_up_without_ticking_consent_is_refused_and_keeps_what_was_typed(
    client, newsletter, sign_up
):
    response = sign_up(client, newsletter, consent="")

    assert response.status_code == 400
    assert "reader@example.org" in response.content.decode().lower()
    assert not Subscriber.objects.exists()


def test_sign_up_choosing_nothing_is_refused_with_a_clear_message(client, newsletter, sign_up):
    response = sign_up(client, newsletter, newsletters=[])

    assert response.status_code == 400
    assert "Tick at least one newsletter or digest" in response.content.decode()
    # The summary links to the first choice, and the group of choices carries the error.
    assert 'href="#id_newsletters_0"' in response.text
    assert 'id="id_newsletters_error"' in response.text


def test_malformed_address_is_refused(client, newsletter, sign_up):
    response = sign_up(client, newsletter, email="not an address")

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_sign_up_errors_say_what_to_do(client, newsletter, sign_up):
    text = sign_up(client, newsletter, email="not an address", consent="").content.decode()

    assert "Enter an email address in the correct format, like name@example.org" in text
    assert "Tick the box to say we may email you" in text
    assert "This field is required." not in text


def test_confirmation_link_shows_a_button_and_does_not_subscribe_on_get(
    client, newsletter, sign_up
):
    sign_up(client, newsletter)

    response = client.get(confirm_link())

    assert response.status_code == 200
    assert Subscriber.objects.get().state == Subscriber.State.PENDING


def test_confirming_subscribes_and_records_consent(client, newsletter, sign_up):
    sign_up(client, newsletter)

    response = client.post(confirm_link())

    subscriber = Subscriber.objects.get()
    assert response.status_code == 302
    assert subscriber.state == Subscriber.State.SUBSCRIBED
    assert subscriber.confirmed_at is not None
    assert subscriber.consents.filter(action=Consent.Action.CONFIRMED).exists()


def test_expired_confirmation_link_gets_a_400_page(client, newsletter, settings, sign_up):
    sign_up(client, newsletter)
    link = confirm_link()

    later = timezone.now() + timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS, hours=1)
    with mock.patch("time.time", return_value=later.timestamp()):
        response = client.post(link)

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert Subscriber.objects.get().state == Subscriber.State.PENDING


def test_a_link_that_does_not_work_offers_ways_out_that_reach_someone(client):
    response = client.get(reverse("newsletter:unsubscribe", kwargs={"token": "not-a-token"}))

    page = response.content.decode()
    # Replies go to a mailbox nobody reads for this; the unsubscribe mailbox needs a token.
    assert "reply to any of our emails" not in page
    assert reverse("contact") in page


@pytest.mark.parametrize("name", ["confirm", "preferences", "unsubscribe"])
@pytest.mark.parametrize(
    "token",
    ["garbage", "a" * 300, "abc:def", "%00", signing.Signer(salt="other").sign("key")],
)
def test_forged_or_malformed_token_gets_a_400_page_never_an_error(client, name, token):
    for method in (client.get, client.post):
        response = method(reverse(f"newsletter:{name}", args=[token]))

        assert response.status_code == 400


def test_token_for_one_purpose_does_not_work_for_another(client):
    subscriber = SubscriberFactory()
    preferences = tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)

    response = client.post(reverse("newsletter:unsubscribe", args=[preferences]))

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.SUBSCRIBED


def test_signing_up_an_address_already_subscribed_reveals_nothing_and_changes_nothing(
    client, newsletter, sign_up
):
    subscriber = SubscriberFactory(email="reader@example.org", newsletters=[newsletter])

    response = sign_up(client, newsletter, newsletters=[])
    response = sign_up(client, newsletter)

    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check_email")
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.SUBSCRIBED
    assert "/newsletter/preferences/" in mail.outbox[-1].body


def test_restricted_newsletter_is_not_offered_to_anonymous_visitors(client):
    NewsletterFactory(name="Commissioners' briefing", restricted_to=MemberType.COMMISSIONER)

    response = client.get(reverse("newsletter:index"))

    assert "Commissioners' briefing" not in response.content.decode()


def test_commissioner_is_offered_the_commissioners_briefing(client, commissioner_member):
    NewsletterFactory(name="Commissioners' briefing", restricted_to=MemberType.COMMISSIONER)
    client.force_login(commissioner_member)

    response = client.get(reverse("newsletter:index"))

    assert "Commissioners&#x27; briefing" in response.content.decode()


def test_provider_cannot_subscribe_to_the_commissioners_briefing(client, provider_member):
    briefing = NewsletterFactory(restricted_to=MemberType.COMMISSIONER)
    client.force_login(provider_member)

    response = client.post(
        reverse("newsletter:index"), {"newsletters": [briefing.pk], "consent": "on"}
    )

    assert response.status_code == 400
    assert not Subscriber.objects.filter(newsletters=briefing).exists()


def test_signed_in_person_subscribes_without_a_confirmation_email(client, registered, newsletter):
    client.force_login(registered)
    topic = TopicFactory(name="Safeguarding")

    response = client.post(
        reverse("newsletter:index"),
        {
            "newsletters": [newsletter.pk],
            "weekly_digest": "on",
            "topics": [topic.pk],
            "consent": "on",
        },
    )

    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.user == registered
    assert subscriber.state == Subscriber.State.SUBSCRIBED
    assert subscriber.weekly_digest
    assert list(subscriber.topics.all()) == [topic]
    assert subscriber.consents.get().action == Consent.Action.ACCOUNT
    assert mail.outbox == []


def test_signed_in_person_must_tick_consent(client, registered, newsletter):
    client.force_login(registered)

    response = client.post(reverse("newsletter:index"), {"newsletters": [newsletter.pk]})

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_signed_in_person_choosing_nothing_is_not_subscribed_nor_recorded_as_consenting(
    client, registered, newsletter
):
    client.force_login(registered)

    response = client.post(reverse("newsletter:index"), {})

    assert response.status_code == 400
    assert "Tick at least one newsletter or digest." in response.text
    assert not Subscriber.objects.exists()
    assert not Consent.objects.exists()


def test_signed_in_subscriber_unticking_everything_changes_choices_without_a_new_consent(
    client, registered, newsletter
):
    subscriber = SubscriberFactory(
        email=registered.email, user=registered, newsletters=[newsletter]
    )
    client.force_login(registered)

    response = client.post(reverse("newsletter:index"), {})

    assert response.status_code == 302
    assert not subscriber.newsletters.exists()
    assert list(subscriber.consents.values_list("action", flat=True)) == [
        Consent.Action.PREFERENCES
    ]


def test_signed_in_subscriber_sees_their_choices_and_an_unsubscribe_link(
    client, registered, newsletter
):
    SubscriberFactory(email=registered.email, user=registered, newsletters=[newsletter])
    client.force_login(registered)

    response = client.get(reverse("newsletter:index"))

    html = response.content.decode()
    assert "checked" in html
    assert "Unsubscribe from everything" in html


def test_unconfirmed_sign_ups_expire(newsletter, settings):
    stale = SubscriberFactory(state=Subscriber.State.PENDING)
    fresh = SubscriberFactory(state=Subscriber.State.PENDING)
    Subscriber.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS + 1)
    )

    deleted = services.subscribers_expire_unconfirmed()

    assert deleted >= 1
    assert not Subscriber.objects.filter(pk=stale.pk).exists()
    assert Subscriber.objects.filter(pk=fresh.pk).exists()


def test_home_page_has_a_sign_up_form_posting_to_the_newsletter(client, newsletter):
    response = client.get(reverse("home"))

    html = response.content.decode()
    assert f'action="{reverse("newsletter:index")}"' in html
    assert 'name="consent"' in html
    assert "checked" not in html


def test_home_page_sign_up_records_the_words_its_box_shows(client, newsletter, sign_up):
    html = client.get(reverse("home")).content.decode()
    shown = re.search(r'<label for="home-signup-consent">([^<]*)</label>', html)[1]

    sign_up(client, newsletter, source="home")

    assert Consent.objects.get().text == shown


def test_home_page_sign_up_sends_the_confirmation(client, newsletter, sign_up):
    response = sign_up(client, newsletter, source="home")

    assert response.status_code == 302
    assert Consent.objects.get().form == "home page"
    assert len(mail.outbox) == 1


def test_sign_up_is_rate_limited(client, newsletter, settings, sign_up):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "newsletter_signup": "2/h/ip"}
    for n in range(2):
        sign_up(client, newsletter, email=f"person{n}@example.org")

    response = sign_up(client, newsletter, email="third@example.org")

    assert response.status_code == 400
    assert not Subscriber.objects.filter(email="third@example.org").exists()


def test_sign_up_of_one_address_is_limited_whatever_place_it_comes_from(
    newsletter, settings, sign_up
):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "newsletter_signup": "100/h/ip,2/h/key",
    }
    for n in range(2):
        sign_up(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), newsletter, email="target@example.org")
    mail.outbox.clear()

    response = sign_up(Client(REMOTE_ADDR="192.0.2.9"), newsletter, email="target@example.org")

    assert response.status_code == 400
    assert "Too many sign-ups for this address" in response.content.decode()
    assert mail.outbox == []


def test_a_refused_sign_up_says_where_to_look_and_when_to_try_again(
    client, newsletter, settings, sign_up
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "newsletter_signup": "1/d/key"}
    sign_up(client, newsletter, email="target@example.org")

    text = sign_up(client, newsletter, email="target@example.org").content.decode()

    assert "look for our confirmation email, in your junk folder too" in text
    assert "please try again tomorrow" in text


def test_sign_ups_of_one_address_stop_at_six_a_day_whatever_place_they_come_from(
    newsletter, sign_up
):
    start = timezone.now()
    for hour in range(3):
        with time_machine.travel(start + timedelta(hours=2 * hour), tick=False):
            for n in range(3):
                sign_up(
                    Client(REMOTE_ADDR=f"192.0.2.{10 * hour + n}"),
                    newsletter,
                    email="target@example.org",
                )

    assert len(mail.outbox) == 6
    assert {email.to[0] for email in mail.outbox} == {"target@example.org"}


def test_signing_up_again_restarts_the_expiry_of_an_unconfirmed_address(settings):
    old = timezone.now() - timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS + 5)
    again = SubscriberFactory(state=Subscriber.State.PENDING)
    Subscriber.objects.filter(pk=again.pk).update(
        created_at=old, confirmation_sent_at=timezone.now() - timedelta(hours=1)
    )

    services.subscribers_expire_unconfirmed()

    assert Subscriber.objects.filter(pk=again.pk).exists()


def test_an_address_that_once_confirmed_is_never_expired(settings):
    old = timezone.now() - timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS + 5)
    bounced_then_signed_up = SubscriberFactory(state=Subscriber.State.PENDING, confirmed_at=old)
    Subscriber.objects.filter(pk=bounced_then_signed_up.pk).update(
        created_at=old, confirmation_sent_at=old
    )

    services.subscribers_expire_unconfirmed()

    assert Subscriber.objects.filter(pk=bounced_then_signed_up.pk).exists()
