"""The library resource an event links to (its recording, its slides), on the event's
page: named while the resource is in the library, not once it is withdrawn."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import EventStatus
from practice_library.models import Resource, ResourceStatus
from tests.events.factories import EventFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def finished_event(**fields):
    starts = timezone.now() - timedelta(days=7)
    return EventFactory(
        status=EventStatus.FINISHED, starts_at=starts, ends_at=starts + timedelta(hours=2), **fields
    )


def test_an_event_names_its_library_resource(client):
    resource = ResourceFactory(title="Recording: a panel on placements far from home")
    event = finished_event(resource=resource)

    page = client.get(event.get_absolute_url()).text

    assert resource.title in page
    assert resource.get_absolute_url() in page


@pytest.mark.parametrize("status", [ResourceStatus.ARCHIVED, ResourceStatus.DRAFT])
def test_an_event_does_not_name_its_library_resource_once_it_is_withdrawn(client, status):
    resource = ResourceFactory(title="Recording: a panel on placements far from home")
    event = finished_event(resource=resource)
    Resource.objects.filter(pk=resource.pk).update(status=status)

    page = client.get(event.get_absolute_url()).text

    assert resource.title not in page
    assert resource.get_absolute_url() not in page
