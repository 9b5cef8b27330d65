"""Someone asks staff (by phone, by letter) never to be emailed by the newsletter again:
staff add the address by hand under Suppressed addresses. It is kept as a keyed hash,
with who added it, the subscriber is unsubscribed with the usual record, and from then
on the address is treated as one that complained."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from newsletter import services, suppressions, tokens
from newsletter.models import Consent, Subscriber, Suppression
from newsletter.tracking import subscriber_tracking_event
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

State = Subscriber.State
Reason = Suppression.Reason
ADDRESS = "caller@example.org"
ADD_URL = "admin:newsletter_suppression_add"


def add_by_hand(client, email: str = ADDRESS, asked: bool = True):
    data = {"email": email, **({"asked": "on"} if asked else {})}
    return client.post(reverse(ADD_URL), data, follow=True)


@pytest.fixture
def asked_by_hand(staff):
    """The address was suppressed by hand at its owner's request."""
    suppressions.suppression_add_by_staff(email=ADDRESS, added_by=staff)


# --- Staff add it in the admin ----------------------------------------------------------


def test_staff_add_an_address_by_hand_keeping_who_added_it_and_never_the_address(
    staff_client, staff
):
    response = add_by_hand(staff_client, email="Caller@Example.org")

    suppression = Suppression.objects.get()
    assert response.status_code == 200
    assert suppression.reason == Reason.ASKED
    assert suppression.added_by == staff
    assert suppression.address_hash == suppressions.address_hash(ADDRESS)
    stored = " ".join(str(value) for value in vars(suppression).values())
    assert "caller" not in stored.lower()


def test_adding_by_hand_unsubscribes_the_subscriber_with_the_record_of_who_did_it(
    staff_client, staff
):
    subscriber = SubscriberFactory(email=ADDRESS)

    response = add_by_hand(staff_client)

    subscriber.refresh_from_db()
    consent = subscriber.consents.get()
    assert subscriber.state == State.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert consent.action == Consent.Action.WITHDRAWN
    assert consent.added_by == staff
    assert "Their subscription is stopped too" in response.text


def test_adding_by_hand_an_address_that_bounced_makes_it_an_objection(staff_client):
    subscriber_tracking_event(email=ADDRESS, event_type="bounced")

    add_by_hand(staff_client)

    assert suppressions.reason_for(ADDRESS) == Reason.ASKED


def test_an_address_that_complained_cannot_be_added_again_and_the_form_says_why(staff_client):
    subscriber_tracking_event(email=ADDRESS, event_type="complained")

    response = staff_client.post(reverse(ADD_URL), {"email": ADDRESS, "asked": "on"})

    assert response.status_code == 200
    assert "already never email it" in response.text
    assert f'value="{ADDRESS}"' in response.text
    assert Suppression.objects.get().reason == Reason.COMPLAINED


def test_staff_must_say_the_person_asked(staff_client):
    response = staff_client.post(reverse(ADD_URL), {"email": ADDRESS})

    assert "Tick the box to say the person asked for this" in response.text
    assert not Suppression.objects.exists()


def test_editors_cannot_add_an_address_by_hand(client, editor):
    client.force_login(editor)

    response = client.post(reverse(ADD_URL), {"email": ADDRESS, "asked": "on"})

    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_staff_without_the_subscriber_permissions_cannot_add_by_hand(client, staff):
    staff.is_superuser = False
    staff.save()
    staff.user_permissions.set(Permission.objects.filter(codename__endswith="_suppression"))
    client.force_login(staff)

    response = client.get(reverse(ADD_URL))

    assert response.status_code == 403


def test_staff_cannot_add_as_a_subscriber_an_address_suppressed_by_hand(
    staff_client, newsletter, asked_by_hand
):
    response = staff_client.post(
        reverse("admin:newsletter_subscriber_add"),
        {"email": ADDRESS, "newsletters": [newsletter.pk], "asked": "on"},
    )

    assert response.status_code == 200
    assert "asked us never to email it, so it cannot be added" in response.text
    assert not Subscriber.objects.exists()


# --- Then it behaves as a complaint -----------------------------------------------------


def test_the_public_sign_up_of_an_address_suppressed_by_hand_answers_as_any_and_sends_nothing(
    client, newsletter, asked_by_hand, django_capture_on_commit_callbacks
):
    data = {"email": ADDRESS, "newsletters": [newsletter.pk], "consent": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("newsletter:index"), data)

    assert response["Location"] == reverse("newsletter:check_email")
    assert mail.outbox == []
    assert not Subscriber.objects.exists()


def test_an_edition_or_digest_is_not_sent_to_an_address_suppressed_by_hand(asked_by_hand):
    assert suppressions.suppressed_among([ADDRESS]) == {ADDRESS}


def test_the_preferences_link_cannot_subscribe_again_an_address_suppressed_by_hand(
    client, newsletter, staff
):
    subscriber = SubscriberFactory(email=ADDRESS)
    suppressions.suppression_add_by_staff(email=ADDRESS, added_by=staff)
    token = tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)

    client.post(reverse("newsletter:preferences", args=[token]), {"newsletters": [newsletter.pk]})

    subscriber.refresh_from_db()
    assert subscriber.state == State.UNSUBSCRIBED


def test_a_signed_in_owner_is_told_they_asked_us_with_a_way_to_contact_us(
    client, registered, staff
):
    suppressions.suppression_add_by_staff(email=registered.email, added_by=staff)
    client.force_login(registered)

    response = client.get(reverse("newsletter:index"))

    assert "You asked us never to email" in response.text
    assert "reported" not in response.text
    assert f'href="{reverse("contact")}"' in response.text
    assert "Save my choices" not in response.text


def test_a_signed_in_owner_cannot_subscribe_an_address_suppressed_by_hand(registered, staff):
    suppressions.suppression_add_by_staff(email=registered.email, added_by=staff)

    with pytest.raises(ValidationError, match="You asked us never to email"):
        services.subscriber_subscribe_account(
            user=registered,
            newsletters=[],
            weekly_digest=True,
            daily_digest=False,
            topics=[],
            form="test",
        )
