"""Upcoming events in the newsletter: an edition section (picked events, or the next N
for the edition's audience) and the weekly digest's section, each with the UK time and
never the joining link."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import TestCase

from events.models import Eligibility, EventStatus
from members.models import MemberType
from newsletter.digests import periods
from newsletter.rendering import section_items
from newsletter.sending import editions
from tests.events.factories import EventFactory, in_person
from tests.newsletter.conftest import parse, parts
from tests.newsletter.factories import (
    EditionFactory,
    NewsletterFactory,
    SectionFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def newsletter():
    return NewsletterFactory(name="The network newsletter", slug="network-newsletter")


def send(edition) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        editions.edition_send(edition=edition)


def text_of(message) -> str:
    return parts(parse(message))["text/plain"]


def test_an_edition_shows_the_events_the_editor_picked_with_their_uk_time(newsletter):
    event = EventFactory(
        title="Preparing for inspection",
        starts_at=datetime(2030, 2, 4, 10, 0, tzinfo=LONDON),
        ends_at=datetime(2030, 2, 4, 11, 0, tzinfo=LONDON),
    )
    EventFactory(title="Not picked")
    edition = EditionFactory(newsletter=newsletter)
    section = SectionFactory(edition=edition, title="Upcoming events", kind="events", body="")
    section.events.set([event])
    SubscriberFactory(email="sam@example.org", newsletters=[newsletter])

    send(edition)

    text = text_of(mail.outbox[0])
    assert "Preparing for inspection" in text
    assert "Monday 4 February 2030, 10:00 to 11:00 GMT" in text
    assert f"/events/{event.slug}/" in text
    assert "Not picked" not in text
    assert event.online_link not in text


def test_an_edition_can_show_the_next_events_for_its_audience(newsletter):
    in_person(title="West Midlands meeting", region="west-midlands")
    in_person(title="London meeting", region="london")
    EventFactory(title="Online for everyone")
    EventFactory(title="For providers only", for_commissioners=False, for_policy=False)
    edition = EditionFactory(
        newsletter=newsletter,
        audience_member_type=MemberType.COMMISSIONER,
        audience_region="west-midlands",
    )
    SectionFactory(edition=edition, title="Coming up", kind="events", body="", events_count=5)
    items = [item["title"] for item in section_items(edition.sections.get())]

    assert items == ["West Midlands meeting", "Online for everyone"]


def test_the_weekly_digest_lists_upcoming_events_the_reader_may_register_for():
    now = datetime(2030, 3, 11, 6, 45, tzinfo=LONDON)  # a Monday morning
    EventFactory(
        title="Open webinar",
        eligibility=Eligibility.OPEN,
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=10, hours=1),
    )
    EventFactory(
        title="Commissioners' meeting",
        eligibility=Eligibility.MEMBER_TYPE,
        member_type=MemberType.COMMISSIONER,
        starts_at=now + timedelta(days=12),
        ends_at=now + timedelta(days=12, hours=2),
    )
    EventFactory(
        title="Draft idea",
        status=EventStatus.DRAFT,
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=1),
    )
    SubscriberFactory(email="reader@elsewhere.example.net", weekly_digest=True)

    with TestCase.captureOnCommitCallbacks(execute=True):
        periods.digest_start(kind="weekly", now=now)

    text = text_of(mail.outbox[0])
    assert "Upcoming events" in text
    assert "Open webinar" in text
    assert "Commissioners' meeting" not in text  # not for someone without a membership
    assert "Draft idea" not in text
