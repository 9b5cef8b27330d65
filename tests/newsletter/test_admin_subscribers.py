"""Subscribers in the admin: consent is the person's alone. Status, address, account and
choices are read only; someone added by hand is emailed the normal confirmation and stays
unconfirmed until they click; the confirmation may be sent again, at most once a day and
never to an address that unsubscribed, bounced or complained."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import MemberType
from members.staff_groups import group_with_permissions
from newsletter import confirmations
from newsletter.models import Consent, Subscriber
from tests import roles
from tests.members.factories import TopicFactory, UserFactory
from tests.newsletter.factories import NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

State = Subscriber.State
ADD = reverse("admin:newsletter_subscriber_add")
LIST = reverse("admin:newsletter_subscriber_changelist")
NO_CONSENT_ROWS = {
    "consents-TOTAL_FORMS": "0",
    "consents-INITIAL_FORMS": "0",
    "consents-MIN_NUM_FORMS": "0",
    "consents-MAX_NUM_FORMS": "1000",
}


def change_url(subscriber: Subscriber) -> str:
    return reverse("admin:newsletter_subscriber_change", args=[subscriber.pk])


@pytest.fixture
def newsletter_team_member():
    """Staff who look after the newsletter's subscribers but may not see members'
    accounts (editors may see neither)."""
    person = roles.with_two_factor(UserFactory(email="newsletter.team@example.org", is_staff=True))
    person.groups.add(group_with_permissions("Newsletter team", ["newsletter"]))
    return person


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Post in the admin; what is queued on commit (the emails) runs."""

    def post(client, url: str, data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def add(client, post, newsletter, **fields):
    data = {
        "email": "Robin.Hale@Example.org",
        "name": "Robin Hale",
        "newsletters": [newsletter.pk],
        "asked": "on",
        **fields,
    }
    return post(client, ADD, data)


def unconfirmed(days_since_last_email: int = 2, **fields) -> Subscriber:
    subscriber = SubscriberFactory(**{"state": State.PENDING, **fields})
    long_ago = timezone.now() - timedelta(days=days_since_last_email)
    Subscriber.objects.filter(pk=subscriber.pk).update(
        created_at=long_ago, confirmation_sent_at=long_ago
    )
    return subscriber


@pytest.fixture
def send_again_later(django_capture_on_commit_callbacks):
    """Ask to send the confirmation again, `hours` from now."""
    start = timezone.now()

    def send(subscriber: Subscriber, *, hours: int) -> None:
        chosen = Subscriber.objects.filter(pk=subscriber.pk)
        with (
            time_machine.travel(start + timedelta(hours=hours), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            confirmations.subscribers_confirmation_send_again(subscribers=chosen)

    return send


def send_again(client, post, *chosen: Subscriber):
    data = {"action": "send_confirmation_again", "_selected_action": [s.pk for s in chosen]}
    return post(client, LIST, data)


# --- Read only --------------------------------------------------------------------------


def test_staff_cannot_confirm_a_subscriber_in_the_admin(staff_client, post):
    subscriber = SubscriberFactory(state=State.PENDING)

    post(
        staff_client,
        change_url(subscriber),
        {"email": subscriber.email, "name": "", "state": State.SUBSCRIBED, **NO_CONSENT_ROWS},
    )

    subscriber.refresh_from_db()
    assert subscriber.state == State.PENDING
    assert subscriber.confirmed_at is None


def test_staff_cannot_change_what_a_subscriber_receives_in_the_admin(
    staff_client, post, newsletter
):
    subscriber = SubscriberFactory()

    post(
        staff_client,
        change_url(subscriber),
        {
            "email": subscriber.email,
            "state": State.SUBSCRIBED,
            "newsletters": [newsletter.pk],
            "daily_digest": "on",
            **NO_CONSENT_ROWS,
        },
    )

    subscriber.refresh_from_db()
    assert not subscriber.newsletters.exists()
    assert not subscriber.daily_digest


def test_staff_cannot_give_a_subscription_a_new_address_in_the_admin(staff_client, post):
    # The owner of the new address never agreed to anything.
    subscriber = SubscriberFactory(email="robin.hale@example.org")

    post(
        staff_client,
        change_url(subscriber),
        {"email": "someone.else@example.org", "state": State.SUBSCRIBED, **NO_CONSENT_ROWS},
    )

    subscriber.refresh_from_db()
    assert subscriber.email == "robin.hale@example.org"


def test_staff_may_correct_a_subscriber_s_name(staff_client, post):
    subscriber = SubscriberFactory(name="Robyn Hale")

    response = post(staff_client, change_url(subscriber), {"name": "Robin Hale", **NO_CONSENT_ROWS})

    subscriber.refresh_from_db()
    assert response.status_code == 302
    assert subscriber.name == "Robin Hale"


def test_staff_see_a_subscriber_s_account_as_a_link_and_cannot_change_it(staff_client, registered):
    subscriber = SubscriberFactory(user=registered, email=registered.email)

    page = staff_client.get(change_url(subscriber)).content.decode()

    assert reverse("admin:members_user_change", args=[registered.pk]) in page
    assert 'name="user"' not in page


# --- Adding by hand ---------------------------------------------------------------------


def test_a_subscriber_added_by_hand_is_unconfirmed_and_emailed_the_confirmation_link(
    staff_client, post, newsletter
):
    response = add(staff_client, post, newsletter)

    subscriber = Subscriber.objects.get()
    assert response.status_code == 302
    assert subscriber.email == "robin.hale@example.org"
    assert subscriber.state == State.PENDING
    assert [message.to for message in mail.outbox] == [["robin.hale@example.org"]]
    assert "/newsletter/confirm/" in mail.outbox[0].body


def test_a_subscriber_added_by_hand_records_who_on_the_staff_added_them(
    staff_client, staff, post, newsletter
):
    topic = TopicFactory(name="Staying Close")

    add(staff_client, post, newsletter, weekly_digest="on", topics=[topic.pk])

    consent = Consent.objects.get()
    assert consent.action == Consent.Action.ADDED
    assert consent.added_by == staff
    assert consent.text == confirmations.ADDED_BY_STAFF_TEXT
    assert consent.choices["newsletters"] == [newsletter.slug]
    assert consent.choices["weekly_digest"] is True
    assert consent.choices["topics"] == [topic.slug]


def test_a_subscriber_added_by_hand_is_subscribed_once_they_confirm(
    staff_client, post, newsletter, client
):
    add(staff_client, post, newsletter)
    link = next(word for word in mail.outbox[0].body.split() if "/newsletter/confirm/" in word)

    client.post(link)

    subscriber = Subscriber.objects.get()
    assert subscriber.state == State.SUBSCRIBED
    assert subscriber.consents.filter(action=Consent.Action.CONFIRMED).exists()


def test_adding_by_hand_asks_staff_to_say_the_person_asked_for_it(staff_client, post, newsletter):
    response = add(staff_client, post, newsletter, asked="")

    assert response.status_code == 200
    assert "Tick the box to say this person asked to be added" in response.text
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_adding_by_hand_an_address_already_on_the_list_is_refused_and_sends_nothing(
    staff_client, post, newsletter
):
    # Deleting it is the only way back for an address that complained or unsubscribed.
    SubscriberFactory(email="robin.hale@example.org", state=State.COMPLAINED)

    response = add(staff_client, post, newsletter, email="Robin.Hale@Example.org")

    assert response.status_code == 200
    assert "This address is already on the list" in response.text
    assert Subscriber.objects.get().state == State.COMPLAINED
    assert mail.outbox == []


def test_adding_by_hand_does_not_offer_a_newsletter_kept_to_a_member_type(staff_client):
    NewsletterFactory(name="Commissioners' briefing", restricted_to=MemberType.COMMISSIONER)

    page = staff_client.get(ADD).content.decode()

    assert "Commissioners&#x27; briefing" not in page


def test_staff_without_the_members_list_add_a_subscriber_and_see_who_added_them_as_an_address(
    client, newsletter_team_member, post, newsletter
):
    client.force_login(newsletter_team_member)

    add(client, post, newsletter)
    page = client.get(change_url(Subscriber.objects.get())).content.decode()

    assert newsletter_team_member.email in page
    assert reverse("admin:members_user_change", args=[newsletter_team_member.pk]) not in page
    assert len(mail.outbox) == 1


# --- Sending the confirmation again -----------------------------------------------------


def test_the_confirmation_email_is_sent_again_to_a_chosen_unconfirmed_subscriber(
    staff_client, post
):
    subscriber = unconfirmed()
    unconfirmed()  # not chosen

    response = send_again(staff_client, post, subscriber)

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[subscriber.email]]
    assert "/newsletter/confirm/" in mail.outbox[0].body


def test_the_confirmation_email_is_sent_again_at_most_once_a_day(send_again_later):
    subscriber = unconfirmed()

    send_again_later(subscriber, hours=0)
    send_again_later(subscriber, hours=23)

    assert len(mail.outbox) == 1


def test_the_confirmation_email_may_be_sent_again_the_next_day(send_again_later):
    subscriber = unconfirmed()

    send_again_later(subscriber, hours=0)
    send_again_later(subscriber, hours=25)

    assert len(mail.outbox) == 2


def test_staff_are_told_whom_the_confirmation_was_not_sent_to_as_they_had_one_today(
    staff_client, post
):
    subscriber = unconfirmed(days_since_last_email=0)

    response = send_again(staff_client, post, subscriber)

    assert mail.outbox == []
    assert "they had one in the last 24 hours" in staff_client.get(response["Location"]).text


def test_a_new_sign_up_is_not_sent_its_confirmation_again_the_same_day(staff_client, post):
    subscriber = unconfirmed(days_since_last_email=0)
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=None)

    send_again(staff_client, post, subscriber)

    assert mail.outbox == []


@pytest.mark.parametrize(
    "fields",
    [
        {"state": State.SUBSCRIBED},
        {"state": State.UNSUBSCRIBED},
        {"state": State.BOUNCED},
        {"state": State.COMPLAINED},
        # Pending again after a hard bounce: staff do not write to it.
        {"bounced_at": timezone.now() - timedelta(days=30)},
    ],
)
def test_no_confirmation_goes_again_to_the_confirmed_unsubscribed_bounced_or_complained(
    staff_client, post, fields
):
    subscriber = unconfirmed(**fields)

    response = send_again(staff_client, post, subscriber)

    assert mail.outbox == []
    assert "Only they can sign up again" in staff_client.get(response["Location"]).text


def test_a_request_to_send_the_confirmation_again_sends_it_once_however_often_it_runs(db):
    # Two members of staff at once, or the task delivered twice by the broker.
    subscriber = unconfirmed()

    sent = [
        confirmations.subscriber_confirmation_send_again(subscriber_id=subscriber.pk)
        for _ in range(2)
    ]

    assert sent == [True, False]
    assert len(mail.outbox) == 1


def test_staff_without_the_members_list_may_send_the_confirmation_again(
    client, newsletter_team_member, post
):
    client.force_login(newsletter_team_member)
    subscriber = unconfirmed()

    send_again(client, post, subscriber)

    assert len(mail.outbox) == 1
