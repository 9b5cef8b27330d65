"""An address that complained or hard-bounced is never written to again, even once its
subscriber is deleted (in the admin, or with the account that owned it): a keyed hash of
the address outlives the row, and every path that emails an address asks it."""

import hashlib
import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from members import data_rights
from newsletter import confirmations, services, suppressions, tokens
from newsletter.account_follow import subscriber_daily_digest_on, subscriber_email_follow
from newsletter.digests import periods
from newsletter.models import Consent, Delivery, DigestDelivery, Subscriber, Suppression
from newsletter.sending import editions
from newsletter.tracking import subscriber_tracking_event
from tests.members.factories import PASSWORD
from tests.newsletter.factories import SubscriberFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db

State = Subscriber.State
Reason = Suppression.Reason
ADDRESS = "reader@example.org"


@pytest.fixture
def sign_up(client, newsletter, django_capture_on_commit_callbacks):
    """The public sign-up form, posted by a visitor; emails queued on commit are sent."""

    def post(email: str = ADDRESS):
        data = {"email": email, "newsletters": [newsletter.pk], "consent": "on"}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("newsletter:index"), data)

    return post


def reported(email: str, event_type: str) -> Subscriber:
    """A subscriber the email service reported as bounced or complained."""
    subscriber = SubscriberFactory(email=email)
    subscriber_tracking_event(email=email, event_type=event_type)
    return subscriber


def admin_delete(staff_client, subscriber: Subscriber):
    url = reverse("admin:newsletter_subscriber_delete", args=[subscriber.pk])
    return staff_client.post(url, {"post": "yes"}, follow=True)


# --- What is kept ------------------------------------------------------------------------


def test_a_suppression_keeps_a_keyed_hash_never_the_address():
    reported("Reader@Example.org", "complained")

    suppression = Suppression.objects.get()
    stored = " ".join(str(value) for value in vars(suppression).values())
    assert "reader" not in stored.lower()
    assert suppression.address_hash != hashlib.sha256(ADDRESS.encode()).hexdigest()
    assert suppression.reason == Reason.COMPLAINED


def test_the_hash_depends_on_the_key(settings):
    first = suppressions.address_hash(ADDRESS)
    settings.NEWSLETTER_SUPPRESSION_KEY = "another key"

    assert suppressions.address_hash(ADDRESS) != first


def test_a_bounce_after_a_complaint_keeps_the_complaint():
    reported(ADDRESS, "complained")
    subscriber_tracking_event(email=ADDRESS, event_type="bounced")

    assert Suppression.objects.get().reason == Reason.COMPLAINED


def test_a_complaint_about_an_address_never_subscribed_is_remembered(sign_up):
    subscriber_tracking_event(email=ADDRESS, event_type="complained")

    sign_up()

    assert mail.outbox == []
    assert not Subscriber.objects.exists()


# --- Deleted in the admin, erased with the account -----------------------------------------


def test_an_address_that_complained_gets_nothing_after_staff_deleted_its_subscriber(
    staff_client, sign_up
):
    admin_delete(staff_client, reported(ADDRESS, "complained"))
    staff_client.logout()

    sign_up()

    assert mail.outbox == []
    assert not Subscriber.objects.filter(email=ADDRESS).exists()


def test_deleting_a_subscriber_that_complained_says_the_address_stays_suppressed(staff_client):
    response = admin_delete(staff_client, reported(ADDRESS, "complained"))

    assert "so we still will not email it" in response.text
    assert "never the address" in response.text


def test_deleting_a_subscriber_that_complained_keeps_its_suppression_without_a_report(
    staff_client,
):
    # A row marked complained before suppressions were recorded.
    subscriber = SubscriberFactory(email=ADDRESS, state=State.COMPLAINED)

    admin_delete(staff_client, subscriber)

    assert suppressions.reason_for(ADDRESS) == Reason.COMPLAINED


def test_an_address_that_complained_gets_nothing_after_its_account_was_erased(registered, sign_up):
    SubscriberFactory(email=registered.email, user=registered, state=State.COMPLAINED)
    email = registered.email
    request = data_rights.account_deletion_request(user=registered, keep_post_text=False)
    data_rights.account_erase(data_request=request)

    sign_up(email=email)

    assert mail.outbox == []
    assert not Subscriber.objects.filter(email=email).exists()


def test_the_public_sign_up_of_a_suppressed_address_answers_as_any_sign_up(sign_up):
    subscriber_tracking_event(email=ADDRESS, event_type="complained")

    suppressed = sign_up()
    anyone = sign_up(email="someone.new@example.org")

    assert suppressed.status_code == anyone.status_code == 302
    assert suppressed["Location"] == anyone["Location"] == reverse("newsletter:check_email")


# --- A hard bounce: the person's own sign-up is the way back -------------------------------


def test_an_address_that_bounced_and_was_deleted_gets_one_confirmation_when_it_signs_up(
    staff_client, sign_up
):
    admin_delete(staff_client, reported(ADDRESS, "bounced"))
    staff_client.logout()

    sign_up()

    assert [message.to for message in mail.outbox] == [[ADDRESS]]


def test_confirming_lifts_the_suppression_of_an_address_that_bounced(client, sign_up):
    reported(ADDRESS, "bounced").delete()
    sign_up()
    subscriber = Subscriber.objects.get(email=ADDRESS)

    token = tokens.subscriber_token(subscriber, purpose=tokens.CONFIRM)
    client.post(reverse("newsletter:confirm", args=[token]))

    assert suppressions.reason_for(ADDRESS) is None


def test_staff_cannot_send_the_confirmation_again_to_an_address_that_bounced_before(
    sign_up, django_capture_on_commit_callbacks
):
    reported(ADDRESS, "bounced").delete()
    sign_up()
    mail.outbox.clear()
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        result = confirmations.subscribers_confirmation_send_again(
            subscribers=Subscriber.objects.all()
        )

    assert (result.sent, result.refused) == (0, 1)
    assert mail.outbox == []


def test_staff_cannot_add_by_hand_an_address_that_complained_before_it_was_deleted(
    staff_client, newsletter
):
    reported(ADDRESS, "complained").delete()

    response = staff_client.post(
        reverse("admin:newsletter_subscriber_add"),
        {"email": ADDRESS, "name": "Sam", "newsletters": [newsletter.pk], "asked": "on"},
    )

    assert response.status_code == 200
    assert "This address reported one of our emails as spam" in response.text
    assert f'value="{ADDRESS}"' in response.text
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


# --- Every sending path asks ----------------------------------------------------------------


def test_an_edition_skips_a_subscriber_whose_address_is_suppressed(newsletter, edition):
    # e.g. an account moved to an address that complained while it was someone else's
    subscriber_tracking_event(email=ADDRESS, event_type="complained")
    suppressed = SubscriberFactory(email=ADDRESS, newsletters=[newsletter])
    SubscriberFactory(newsletters=[newsletter])

    with TestCase.captureOnCommitCallbacks(execute=True):
        editions.edition_send(edition=edition)

    assert Delivery.objects.get(subscriber=suppressed).state == Delivery.State.SKIPPED
    assert [ADDRESS] not in [message.to for message in mail.outbox]
    assert len(mail.outbox) == 1


def test_a_digest_skips_a_subscriber_whose_address_is_suppressed():
    subscriber_tracking_event(email=ADDRESS, event_type="bounced")
    suppressed = SubscriberFactory(email=ADDRESS, daily_digest=True)
    now = timezone.now()
    ResourceFactory(title="New yesterday", published_at=now - timedelta(days=1))

    with TestCase.captureOnCommitCallbacks(execute=True):
        periods.digest_start(kind="daily", now=now)

    assert DigestDelivery.objects.get(subscriber=suppressed).state == DigestDelivery.State.SKIPPED
    assert mail.outbox == []


def test_the_already_subscribed_email_is_not_sent_to_a_suppressed_address(sign_up):
    subscriber_tracking_event(email=ADDRESS, event_type="bounced")
    SubscriberFactory(email=ADDRESS)

    sign_up()

    assert mail.outbox == []


def test_the_account_sign_up_box_starts_nothing_for_an_address_that_complained(registered):
    subscriber_tracking_event(email=registered.email, event_type="complained")

    assert services.subscriber_sign_up_with_account(user=registered) is None
    assert not Subscriber.objects.exists()


def test_the_forums_daily_summary_does_not_start_the_digest_for_a_suppressed_address(
    registered,
):
    subscriber_tracking_event(email=registered.email, event_type="complained")

    assert subscriber_daily_digest_on(user=registered, form="forum settings") is None
    assert not Subscriber.objects.exists()


# --- A signed-in person whose address complained ------------------------------------------


def test_a_signed_in_person_whose_address_complained_is_told_so_with_a_way_to_contact_us(
    client, registered
):
    SubscriberFactory(email=registered.email, user=registered, state=State.COMPLAINED)
    client.force_login(registered)

    response = client.get(reverse("newsletter:index"))

    assert "reported one of our emails as spam" in response.text
    assert f'href="{reverse("contact")}"' in response.text
    assert "Save my choices" not in response.text


def test_a_signed_in_person_whose_address_complained_cannot_subscribe_it(
    client, registered, newsletter
):
    subscriber_tracking_event(email=registered.email, event_type="complained")
    client.force_login(registered)

    response = client.post(
        reverse("newsletter:index"), {"newsletters": [newsletter.pk], "consent": "on"}
    )

    assert "reported one of our emails as spam" in response.text
    assert not Subscriber.objects.filter(state=State.SUBSCRIBED).exists()


def test_a_signed_in_person_whose_address_once_bounced_may_subscribe_it(
    client, registered, newsletter
):
    subscriber_tracking_event(email=registered.email, event_type="bounced")
    client.force_login(registered)

    client.post(reverse("newsletter:index"), {"newsletters": [newsletter.pk], "consent": "on"})

    assert Subscriber.objects.get(user=registered).state == State.SUBSCRIBED
    assert suppressions.reason_for(registered.email) is None


# --- An account moved to a suppressed address ---------------------------------------------


def test_a_subscription_following_its_account_to_an_address_that_complained_shows_it(
    client, newsletter, registered
):
    subscriber = SubscriberFactory(
        user=registered, email=registered.email, newsletters=[newsletter]
    )
    subscriber_tracking_event(email="jo.new@example.org", event_type="complained")
    client.force_login(registered)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": "Jo.New@example.org"})
    confirm_path = re.search(
        r"https?://[^/]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[-1].body
    )[1]

    client.post(confirm_path)

    subscriber.refresh_from_db()
    assert subscriber.email == "jo.new@example.org"
    assert subscriber.state == State.COMPLAINED
    assert subscriber.unsubscribed_at is not None


def moved_to(user, email: str) -> Subscriber:
    """The account's subscription, after the account's address changed to `email`."""
    old_email = user.email
    user.email = email
    user.save(update_fields=["email"])
    return subscriber_email_follow(user=user, old_email=old_email)


def test_a_subscription_moved_to_an_address_its_owner_asked_never_to_email_is_unsubscribed(
    registered, staff
):
    SubscriberFactory(user=registered, email=registered.email)
    suppressions.suppression_add_by_staff(email="jo.new@example.org", added_by=staff)

    subscriber = moved_to(registered, "jo.new@example.org")

    subscriber.refresh_from_db()
    assert subscriber.state == State.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert subscriber.consents.get().action == Consent.Action.WITHDRAWN


def test_a_subscription_moved_to_an_address_never_suppressed_stays_subscribed(registered):
    SubscriberFactory(user=registered, email=registered.email)

    subscriber = moved_to(registered, "jo.new@example.org")

    subscriber.refresh_from_db()
    assert subscriber.state == State.SUBSCRIBED
    assert not subscriber.consents.exists()


# --- The migration --------------------------------------------------------------------------


def test_the_migration_remembers_existing_complaints_and_bounces_not_unsubscribes():
    SubscriberFactory(email="complained@example.org", state=State.COMPLAINED)
    SubscriberFactory(email="bounced@example.org", state=State.BOUNCED)
    SubscriberFactory(
        email="bounced.then.signed.up@example.org", state=State.PENDING, bounced_at=timezone.now()
    )
    SubscriberFactory(email="left@example.org", state=State.UNSUBSCRIBED)
    migration = importlib.import_module(
        "newsletter.migrations.0008_suppression_outlives_its_subscriber"
    )

    migration.backfill(apps, None)

    assert {
        email: suppressions.reason_for(email)
        for email in [
            "complained@example.org",
            "bounced@example.org",
            "bounced.then.signed.up@example.org",
            "left@example.org",
        ]
    } == {
        "complained@example.org": Reason.COMPLAINED,
        "bounced@example.org": Reason.BOUNCED,
        "bounced.then.signed.up@example.org": Reason.BOUNCED,
        "left@example.org": None,
    }


def test_the_privacy_notice_says_what_is_kept_of_an_address_never_to_be_emailed(client):
    response = client.get(reverse("privacy"))

    assert "kept as a coded form (a keyed hash)" in response.text


def test_editors_cannot_open_or_lift_the_addresses_never_to_be_written_to(client, editor):
    client.force_login(editor)

    response = client.get(reverse("admin:newsletter_suppression_changelist"))

    assert response.status_code == 403
