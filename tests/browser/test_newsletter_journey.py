"""A reader's newsletter journey, in Chromium: sign up, confirm from the email in the
outbox, change preferences, and unsubscribe. Every page is checked with axe-core."""

import pytest

from newsletter.models import Consent, Subscriber
from tests.browser.conftest import assert_accessible, link_in_last_email
from tests.members.factories import TopicFactory
from tests.newsletter.factories import NewsletterFactory


@pytest.mark.django_db(transaction=True)
def test_reader_signs_up_confirms_changes_preferences_and_unsubscribes(page):
    NewsletterFactory(name="The Network newsletter", slug="network-newsletter")
    TopicFactory(name="Safeguarding")

    page.goto("/newsletter/")
    assert_accessible(page)
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_label("Your name (optional)").fill("Robin Reader")
    page.get_by_label("The Network newsletter").check()
    page.get_by_role("button", name="Sign up").click()
    # Consent is never pre-ticked: without it the form says so and keeps what was typed.
    page.get_by_text("Tick the box to say we may email you").first.wait_for()
    assert page.get_by_label("Email address").input_value() == "reader@example.org"
    assert_accessible(page)
    page.get_by_role("checkbox", name="Yes, email me what I have ticked").check()
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page)
    assert Subscriber.objects.get().state == Subscriber.State.PENDING

    page.goto(link_in_last_email(r"/newsletter/confirm/\S+/"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_role("heading", name="Your email preferences").wait_for()
    page.get_by_text("your subscription is confirmed").wait_for()
    assert_accessible(page)
    assert Subscriber.objects.get().state == Subscriber.State.SUBSCRIBED

    page.get_by_label("The daily digest").check()
    page.get_by_label("Safeguarding").check()
    page.get_by_role("button", name="Save my choices").click()
    page.get_by_text("Your email choices are saved.").wait_for()
    subscriber = Subscriber.objects.get()
    assert subscriber.daily_digest
    assert [t.name for t in subscriber.topics.all()] == ["Safeguarding"]

    page.get_by_role("button", name="Unsubscribe from everything").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    assert_accessible(page)
    assert Subscriber.objects.get().state == Subscriber.State.UNSUBSCRIBED
    assert Consent.objects.filter(action=Consent.Action.WITHDRAWN).exists()
