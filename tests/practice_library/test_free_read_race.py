"""A registered non-member opening several members-only resources at the same moment
spends no more free reads than the month allows (PostgreSQL, with threads and a
connection each, as the events' capacity test does)."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from members.access import AccessLevel
from practice_library import services
from practice_library.models import FreeRead
from tests.members.factories import UserFactory
from tests.practice_library.factories import ResourceFactory


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="the row lock and the race need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_resources_opened_at_once_spend_no_more_than_the_months_free_reads(settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 2
    person = UserFactory()
    resources = [ResourceFactory(access_level=AccessLevel.MEMBERS) for _ in range(6)]
    barrier = threading.Barrier(len(resources))
    allowed: list[bool] = []

    def open_one(resource):
        try:
            barrier.wait(timeout=5)
            allowed.append(services.resource_open(user=person, resource=resource).allowed)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(resource,)) for resource in resources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert allowed.count(True) == 2
    assert FreeRead.objects.filter(user=person).count() == 2
