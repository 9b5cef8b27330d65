import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from members.models import MemberType
from newsletter import selectors, suppressions, tokens
from newsletter.models import Consent, Subscriber, Suppression
from tests.members.factories import PASSWORD, TopicFactory
from tests.newsletter.factories import EditionFactory, NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def url(name: str, subscriber: Subscriber) -> str:
    purpose = tokens.UNSUBSCRIBE if name == "unsubscribe" else tokens.PREFERENCES
    return reverse(
        f"newsletter:{name}", args=[tokens.subscriber_token(subscriber, purpose=purpose)]
    )


def test_preferences_page_opens_from_the_token_without_signing_in(client, newsletter):
    subscriber = SubscriberFactory(newsletters=[newsletter], weekly_digest=True)

    response = client.get(url("preferences", subscriber))

    assert response.status_code == 200
    assert subscriber.email in response.content.decode()


def test_preferences_change_newsletters_digests_and_topics(client, newsletter):
    other = NewsletterFactory()
    topic = TopicFactory(name="Leaving care and Staying Close")
    subscriber = SubscriberFactory(newsletters=[newsletter])

    response = client.post(
        url("preferences", subscriber),
        {"newsletters": [other.pk], "daily_digest": "on", "topics": [topic.pk]},
    )

    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert list(subscriber.newsletters.all()) == [other]
    assert subscriber.daily_digest and not subscriber.weekly_digest
    assert list(subscriber.topics.all()) == [topic]
    assert subscriber.consents.get().action == Consent.Action.PREFERENCES


def test_saving_preferences_with_nothing_ticked_says_nothing_will_be_sent(client, newsletter):
    subscriber = SubscriberFactory(newsletters=[newsletter], weekly_digest=True)

    response = client.post(url("preferences", subscriber), {}, follow=True)

    assert "with nothing ticked, we send you no newsletter or digest" in response.text


def test_preferences_cannot_bring_back_a_bounced_address(client, newsletter):
    subscriber = SubscriberFactory(state=Subscriber.State.BOUNCED)

    client.post(url("preferences", subscriber), {"newsletters": [newsletter.pk]})

    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.BOUNCED


def test_preferences_of_an_address_that_complained_say_nothing_is_sent_and_whom_to_ask(client):
    subscriber = SubscriberFactory(state=Subscriber.State.COMPLAINED)

    page = client.get(url("preferences", subscriber)).content.decode()

    assert "reported one of our emails as spam, so we send nothing to it" in page
    assert reverse("contact") in page
    assert "Sign up again" not in page


def test_preferences_of_an_address_its_owner_asked_us_never_to_email_say_so(client):
    subscriber = SubscriberFactory(state=Subscriber.State.UNSUBSCRIBED)
    suppressions.suppression_record(email=subscriber.email, reason=Suppression.Reason.ASKED)

    page = client.get(url("preferences", subscriber)).content.decode()

    assert "You asked us never to email this address" in page
    assert "saving choices below subscribes you again" not in page


def test_unsubscribe_get_only_shows_a_confirmation_page(client, newsletter):
    subscriber = SubscriberFactory(newsletters=[newsletter])

    response = client.get(url("unsubscribe", subscriber))

    assert response.status_code == 200
    assert "Unsubscribe from everything" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.SUBSCRIBED


def test_one_click_unsubscribe_needs_no_login_and_no_csrf_token_and_answers_200(newsletter):
    subscriber = SubscriberFactory(newsletters=[newsletter])
    client = Client(enforce_csrf_checks=True)

    response = client.post(url("unsubscribe", subscriber), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    consent = subscriber.consents.get()
    assert consent.action == Consent.Action.WITHDRAWN
    assert consent.form == "one-click (mail client)"


def test_unsubscribing_twice_is_harmless(client, newsletter):
    subscriber = SubscriberFactory(newsletters=[newsletter])

    client.post(url("unsubscribe", subscriber))
    response = client.post(url("unsubscribe", subscriber))

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.UNSUBSCRIBED


def test_unsubscribing_keeps_a_complaint_on_record(client):
    subscriber = SubscriberFactory(state=Subscriber.State.COMPLAINED)

    client.post(url("unsubscribe", subscriber))

    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.COMPLAINED


def test_unsubscribed_person_can_come_back_from_the_preferences_link(client, newsletter):
    subscriber = SubscriberFactory(state=Subscriber.State.UNSUBSCRIBED)

    client.post(url("preferences", subscriber), {"newsletters": [newsletter.pk]})

    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.SUBSCRIBED


def test_preferences_page_queries_stay_few(client, newsletter, django_assert_max_num_queries):
    for _ in range(5):
        NewsletterFactory()
    for n in range(12):
        TopicFactory(name=f"Topic of interest {n}")
    subscriber = SubscriberFactory(newsletters=[newsletter])

    with django_assert_max_num_queries(8):
        client.get(url("preferences", subscriber))


def test_sign_up_page_queries_stay_few(client, newsletter, django_assert_max_num_queries):
    for _ in range(5):
        NewsletterFactory()

    with django_assert_max_num_queries(6):
        client.get(reverse("newsletter:index"))


def test_the_newsletter_follows_an_account_to_its_new_confirmed_address(
    client, newsletter, registered
):
    subscriber = SubscriberFactory(
        user=registered, email=registered.email, newsletters=[newsletter]
    )
    client.force_login(registered)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": "Jo.New@example.org"})
    confirm_path = re.search(
        r"https?://[^/]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[-1].body
    )[1]

    client.post(confirm_path)

    subscriber.refresh_from_db()
    assert subscriber.email == "jo.new@example.org"
    assert selectors.edition_audience(EditionFactory(newsletter=newsletter)).get() == subscriber


def test_a_subscription_at_an_account_s_new_address_joins_the_account(client, registered):
    subscriber = SubscriberFactory(email="jo.new@example.org")
    client.force_login(registered)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": "Jo.New@example.org"})
    confirm_path = re.search(
        r"https?://[^/]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[-1].body
    )[1]

    client.post(confirm_path)

    subscriber.refresh_from_db()
    assert subscriber.user == registered


def test_saving_preferences_while_lapsed_keeps_a_member_type_newsletter_for_renewal(
    client, newsletter, lapsed
):
    lapsed.member_type = MemberType.COMMISSIONER
    lapsed.save()
    briefing = NewsletterFactory(name="Commissioners' briefing", restricted_to=lapsed.member_type)
    subscriber = SubscriberFactory(
        email=lapsed.email, user=lapsed, newsletters=[newsletter, briefing]
    )

    page = client.get(url("preferences", subscriber)).text
    response = client.post(url("preferences", subscriber), {"newsletters": [newsletter.pk]})

    assert "Commissioners' briefing" not in page  # not theirs while lapsed
    assert response.status_code == 302
    assert set(subscriber.newsletters.all()) == {newsletter, briefing}
    assert subscriber.pk not in selectors.edition_audience(
        EditionFactory(newsletter=briefing)
    ).values_list("pk", flat=True)


def test_unticking_a_newsletter_shown_on_the_form_still_drops_it(client, newsletter):
    other = NewsletterFactory(name="Events round-up")
    subscriber = SubscriberFactory(newsletters=[newsletter, other])

    client.post(url("preferences", subscriber), {"newsletters": [other.pk]})

    assert list(subscriber.newsletters.all()) == [other]
