"""Two people taking the last place at the same moment: one gets it (PostgreSQL, with
threads and two connections, as the seats test does)."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from events import services
from events.models import Registration
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="the row lock and the race need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_place_at_once_only_one_gets_it():
    event = EventFactory(capacity=2)
    services.registration_create(event=event, user=UserFactory())
    racers = [UserFactory(email=f"racer{n}@example.org") for n in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(person):
        try:
            barrier.wait(timeout=5)
            result = services.registration_create(event=event, user=person)
            outcomes.append(result.registration.status)
        except ValidationError as error:
            outcomes.append(f"refused: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(person,)) for person in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["confirmed", "waiting"]
    places = Registration.objects.filter(event=event, place__isnull=False)
    assert sorted(places.values_list("place", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_the_database_refuses_a_second_holder_of_the_same_place():
    from django.db import IntegrityError, transaction

    event = EventFactory(capacity=1)
    first = services.registration_create(event=event, user=UserFactory()).registration

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            event=event, user=UserFactory(), status="confirmed", place=first.place, name="X"
        )
