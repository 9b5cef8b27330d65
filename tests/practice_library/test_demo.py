"""The demo library reads like the real thing: its own text for every resource, real
files that search reads, recorded webinars with their recording and slides."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventStatus
from members.models import MemberType
from practice_library.models import Attachment, Resource, ResourceStatus
from tests.practice_library.conftest import postgres_only

pytestmark = pytest.mark.django_db


def seed(*apps: str) -> None:
    from importlib import import_module

    for app in ("network", "members", "practice_library", *apps):
        import_module(f"{app}.demo").seed()


def test_every_demo_resource_has_its_own_text_and_each_audience_has_plenty():
    seed()

    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    bodies = list(published.values_list("body", flat=True))
    assert len(set(bodies)) == len(bodies)
    assert not any("## In short" in body for body in bodies)
    for audience in MemberType.values:
        assert published.filter(audiences__audience=audience).count() >= 15


def test_the_demo_has_recent_resources_in_several_topics():
    seed()

    recent = Resource.objects.filter(
        status=ResourceStatus.PUBLISHED, published_at__gte=timezone.now() - timedelta(days=30)
    )
    assert recent.count() >= 8
    assert recent.values("topics").distinct().count() >= 6


def test_demo_attachments_are_real_pdf_and_word_files_whose_text_is_extracted():
    seed()

    attachments = Attachment.objects.all()
    for extension in ("pdf", "docx"):
        files = attachments.filter(extension=extension)
        assert files.count() >= 4
        for attachment in files:
            assert attachment.size_bytes > 20_000  # several pages, fonts embedded
            assert attachment.title.split(":")[0] in " ".join(attachment.extracted_text.split())


@postgres_only
def test_search_finds_words_that_are_only_in_a_demo_attachment(client):
    seed()

    assert not Resource.objects.filter(body__icontains="designated officer").exists()
    response = client.get(reverse("practice_library:index"), {"q": "designated officer"})
    assert "Safeguarding policy: template for children" in response.content.decode()


def test_demo_webinars_have_their_recording_and_slides_in_the_library():
    seed("events")

    finished = Event.objects.filter(status=EventStatus.FINISHED)
    assert finished.count() >= 5
    for event in finished:
        assert event.recording_url and event.slides
        assert event.resource.resource_type.slug == "webinar-or-recording"
        assert event.resource.attachments.filter(extension="pdf").exists()
        assert event.recording_url in event.resource.body


def test_loading_the_demo_again_days_later_keeps_each_resources_dates():
    seed()
    dates = dict(Resource.objects.values_list("slug", "publish_at"))
    reviews = dict(Resource.objects.values_list("slug", "review_due"))

    with time_machine.travel(timezone.now() + timedelta(days=40)):
        seed()

    assert dict(Resource.objects.values_list("slug", "publish_at")) == dates
    assert dict(Resource.objects.values_list("slug", "review_due")) == reviews
