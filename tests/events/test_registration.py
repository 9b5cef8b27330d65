"""Registering, the waiting list, cancelling and offers: the rules of places."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.models import Eligibility, EventStatus, Notice, Registration
from members.models import MemberType
from tests.events.conftest import people, sent_to
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what services queue on commit (the emails), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def register(event, user, commit, **kwargs):
    with commit():
        return services.registration_create(event=event, user=user, **kwargs).registration


def test_registering_takes_a_place_with_name_and_organisation_from_the_profile(person, commit):
    event = EventFactory(capacity=5)

    registration = register(event, person, commit, needs="Step-free access, please")

    assert registration.status == "confirmed"
    assert registration.place == 1
    assert registration.name == "Ruth Kaye"
    assert registration.organisation_name == "Larchwood Homes"
    assert registration.needs == "Step-free access, please"


def test_registering_emails_a_confirmation(person, commit):
    event = EventFactory(title="Preparing for inspection")

    register(event, person, commit)

    (message,) = sent_to(person.email)
    assert message.subject == "Your place is booked: Preparing for inspection"
    assert Notice.objects.get(kind="confirmed").state == "sent"


def test_registering_twice_is_harmless(person, commit):
    event = EventFactory()
    first = register(event, person, commit)

    with commit():
        again = services.registration_create(event=event, user=person)

    assert again.changed is False
    assert again.registration.pk == first.pk
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_full_event_puts_the_next_person_on_the_waiting_list(person, commit):
    event = EventFactory(capacity=1)
    register(event, people(1)[0], commit)

    registration = register(event, person, commit)

    assert registration.status == "waiting"
    assert registration.place is None
    assert sent_to(person.email)[0].subject.startswith("You are on the waiting list")


def test_registration_after_the_window_closes_is_refused_and_records_nothing(person, commit):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))

    with pytest.raises(ValidationError, match="Registration has closed"):
        register(event, person, commit)

    assert not Registration.objects.exists()
    assert not Notice.objects.exists()
    assert not mail.outbox


def test_registration_before_the_window_opens_is_refused(person, commit):
    event = EventFactory(registration_opens_at=timezone.now() + timedelta(days=1))

    with pytest.raises(ValidationError, match="Registration opens on"):
        register(event, person, commit)


def test_registration_for_a_cancelled_event_is_refused(person, commit):
    event = EventFactory(status=EventStatus.CANCELLED)

    with pytest.raises(ValidationError, match="cancelled"):
        register(event, person, commit)

    assert not Registration.objects.exists()


def test_a_members_only_event_refuses_a_registered_non_member(registered, commit):
    event = EventFactory(eligibility=Eligibility.MEMBERS)

    with pytest.raises(ValidationError, match="members only"):
        register(event, registered, commit)


def test_a_members_only_event_takes_a_member_through_a_seat(commissioner_member, commit):
    event = EventFactory(eligibility=Eligibility.MEMBERS)

    assert register(event, commissioner_member, commit).status == "confirmed"


def test_an_event_for_commissioners_refuses_a_provider_member(provider_member, commit):
    event = EventFactory(eligibility=Eligibility.MEMBER_TYPE, member_type=MemberType.COMMISSIONER)

    with pytest.raises(ValidationError, match="commissioners only"):
        register(event, provider_member, commit)


def test_an_event_for_commissioners_takes_a_commissioner(commissioner_member, commit):
    event = EventFactory(eligibility=Eligibility.MEMBER_TYPE, member_type=MemberType.COMMISSIONER)

    assert register(event, commissioner_member, commit).status == "confirmed"


def test_cancelling_offers_the_freed_place_to_the_first_on_the_waiting_list(
    person, commit, settings
):
    settings.EVENTS_OFFER_HOURS = 24
    event = EventFactory(capacity=1)
    holder, second = people(2)
    held = register(event, holder, commit)
    first_waiting = register(event, person, commit)
    register(event, second, commit)
    mail.outbox.clear()

    with commit():
        services.registration_cancel(registration=held)

    first_waiting.refresh_from_db()
    assert first_waiting.status == "offered"
    assert first_waiting.place == 1
    expected = timezone.now() + timedelta(hours=24)
    assert abs(first_waiting.offer_expires_at - expected) < timedelta(minutes=1)
    (offer,) = sent_to(person.email)
    assert offer.subject.startswith("A place is free for you")
    assert "/events/r/" in offer.body and "/confirm/" in offer.body
    assert Registration.objects.get(user=second).status == "waiting"


def test_confirming_an_offer_in_time_books_the_place(person, commit):
    event = EventFactory(capacity=1)
    held = register(event, people(1)[0], commit)
    waiting = register(event, person, commit)
    with commit():
        services.registration_cancel(registration=held)

    with commit():
        services.offer_confirm(registration=waiting)

    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert waiting.place == 1


def test_an_expired_offer_passes_to_the_next_person_and_nobody_is_double_booked(person, commit):
    event = EventFactory(capacity=1)
    holder, second = people(2)
    held = register(event, holder, commit)
    first_waiting = register(event, person, commit)
    register(event, second, commit)
    with commit():
        services.registration_cancel(registration=held)
    first_waiting.refresh_from_db()

    with commit():
        expired = services.offers_expire(now=first_waiting.offer_expires_at + timedelta(seconds=1))

    assert expired == 1
    first_waiting.refresh_from_db()
    assert first_waiting.status == "offer-expired"
    assert first_waiting.place is None
    assert Registration.objects.get(user=second).status == "offered"
    assert Registration.objects.filter(event=event, place__isnull=False).count() == 1
    with pytest.raises(ValidationError, match="no place waiting"):
        services.offer_confirm(registration=first_waiting)


def test_an_offer_confirmed_after_its_deadline_is_refused(person, commit):
    event = EventFactory(capacity=1)
    held = register(event, people(1)[0], commit)
    waiting = register(event, person, commit)
    with commit():
        services.registration_cancel(registration=held)
    waiting.refresh_from_db()

    with pytest.raises(ValidationError, match="time to confirm this place has passed"):
        services.offer_confirm(
            registration=waiting, now=waiting.offer_expires_at + timedelta(minutes=1)
        )


def test_someone_who_cancelled_can_register_again(person, commit):
    event = EventFactory(capacity=2)
    registration = register(event, person, commit)
    with commit():
        services.registration_cancel(registration=registration)

    again = register(event, person, commit)

    assert again.pk == registration.pk
    assert again.status == "confirmed"
    assert Notice.objects.filter(registration=again, kind="confirmed").count() == 2


def test_newcomers_join_the_back_of_the_queue_while_someone_holds_an_offer(person, commit):
    event = EventFactory(capacity=1)
    holder, waiting = people(2)
    held = register(event, holder, commit)
    register(event, waiting, commit)
    with commit():
        services.registration_cancel(registration=held)

    assert register(event, person, commit).status == "waiting"


def test_a_larger_capacity_offers_the_new_places_to_the_waiting_list(person, commit):
    event = EventFactory(capacity=1)
    register(event, people(1)[0], commit)
    waiting = register(event, person, commit)
    event.capacity = 2
    event.save()

    with commit():
        services.event_update_after_capacity_change(event=event)

    waiting.refresh_from_db()
    assert waiting.status == "offered"


def test_a_place_given_up_above_a_lowered_capacity_is_not_offered_on(person, commit):
    event = EventFactory(capacity=2)
    first, second = people(2)
    held = register(event, first, commit)
    register(event, second, commit)
    waiting = register(event, person, commit)
    event.capacity = 1  # a smaller room: both keep their places
    event.save()

    with commit():
        services.registration_cancel(registration=held)

    waiting.refresh_from_db()
    assert waiting.status == "waiting"
    assert Registration.objects.filter(event=event, place__isnull=False).count() == 1


def test_an_offer_of_a_members_event_is_refused_once_the_membership_has_ended(person, commit):
    # `person` holds no membership: as someone whose membership ended after they joined
    # the waiting list.
    event = EventFactory(capacity=1, eligibility=Eligibility.MEMBERS)
    offered = Registration.objects.create(
        event=event,
        user=person,
        status="offered",
        place=1,
        offer_expires_at=timezone.now() + timedelta(days=1),
    )

    with pytest.raises(ValidationError, match="Renew your membership to take the place"):
        services.offer_confirm(registration=offered)

    offered.refresh_from_db()
    assert offered.status == "offered"


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("confirmed", "Your place is cancelled. It becomes free for someone else to book."),
        ("offered", "You turned down the place. It becomes free for someone else to book."),
        ("waiting", "You have left the waiting list."),
    ],
)
def test_giving_up_says_what_was_given_up(client, person, commit, status, said):
    event = EventFactory(capacity=1)
    holds_place = status != "waiting"
    Registration.objects.create(
        event=event, user=person, status=status, name="R", place=1 if holds_place else None,
        waiting_since=None if holds_place else timezone.now(),
        offer_expires_at=timezone.now() + timedelta(hours=48) if status == "offered" else None,
    )  # fmt: skip
    client.force_login(person)

    with commit():
        response = client.post(f"/events/{event.slug}/cancel/", follow=True)

    assert said in response.text
    assert Registration.objects.get(user=person).status == "cancelled"
