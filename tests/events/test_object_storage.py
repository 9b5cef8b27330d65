"""Event slides in S3-compatible object storage (moto's S3 here): served from the bucket
to the people allowed to see the recording, and copied from it into the library."""

import pytest
from django.core.files.base import ContentFile

from events.models import Eligibility
from tests.events.test_views import past_event

pytestmark = pytest.mark.django_db

SLIDES = b"%PDF-1.4 slides on routines"


@pytest.fixture
def event_with_slides(object_storage):
    event = past_event(
        eligibility=Eligibility.MEMBERS,
        recording_url="https://video.example.org/recording-42",
        slides_filename="routines.pdf",
        slides_extension="pdf",
        slides_content_type="application/pdf",
    )
    event.slides.save("slides.pdf", ContentFile(SLIDES), save=True)
    return event


def test_slides_are_stored_in_the_bucket_and_streamed_to_members(
    client, member, object_storage, event_with_slides
):
    client.force_login(member)

    response = client.get(f"/events/{event_with_slides.slug}/slides/")

    assert object_storage.keys() == [f"protected/{event_with_slides.slides.name}"]
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SLIDES
    assert 'filename="routines.pdf"' in response["Content-Disposition"]


def test_slides_are_refused_to_people_without_membership(
    client, registered, object_storage, event_with_slides
):
    client.force_login(registered)

    response = client.get(f"/events/{event_with_slides.slug}/slides/")

    assert response.status_code == 403
