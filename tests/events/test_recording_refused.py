"""A members' event's recording, on its page, for someone it no longer opens to: why not,
and what would open it (renewing, joining), as the slides' refusal page says."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Eligibility, EventStatus
from members.models import MemberType
from tests.events.factories import EventFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def finished_members_event(**fields):
    starts = timezone.now() - timedelta(days=7)
    defaults = {
        "status": EventStatus.FINISHED,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "eligibility": Eligibility.MEMBERS,
    }
    return EventFactory(**{**defaults, **fields})


def recording_section(page: str) -> str:
    return page.split('id="recording-heading"')[1].split("</section>")[0]


def test_a_lapsed_member_is_told_renewing_opens_the_recording_in_the_library(client, lapsed):
    resource = ResourceFactory(title="Recording: keeping siblings together")
    event = finished_members_event(resource=resource)
    client.force_login(lapsed)

    section = recording_section(client.get(event.get_absolute_url()).text)

    assert "The recording is for members." in section
    assert "Your membership has ended. Renew it to watch the recording" in section
    assert "Renew your membership" in section
    assert resource.title in section


def test_a_lapsed_member_is_told_why_a_recording_outside_the_library_is_not_shown(client, lapsed):
    event = finished_members_event(recording_url="https://video.example.org/recording-7")
    client.force_login(lapsed)

    section = recording_section(client.get(event.get_absolute_url()).text)

    assert "recording-7" not in section
    assert "Renew your membership" in section


def test_someone_never_a_member_is_offered_the_plans_for_the_recording(client, registered):
    event = finished_members_event(recording_url="https://video.example.org/recording-7")
    client.force_login(registered)

    section = recording_section(client.get(event.get_absolute_url()).text)

    assert "The recording is for members." in section
    assert "See membership plans" in section
    assert "Renew" not in section


def test_a_member_of_another_type_is_told_whom_the_recording_is_for(client, provider_member):
    event = finished_members_event(
        recording_url="https://video.example.org/recording-7",
        eligibility=Eligibility.MEMBER_TYPE,
        member_type=MemberType.COMMISSIONER,
    )
    client.force_login(provider_member)

    section = recording_section(client.get(event.get_absolute_url()).text)

    assert "The recording is for members who are commissioners." in section
    assert "Your membership is of another type" in section


def test_a_member_watches_the_recording_with_no_word_of_renewing(client, member):
    event = finished_members_event(recording_url="https://video.example.org/recording-7")
    client.force_login(member)

    section = recording_section(client.get(event.get_absolute_url()).text)

    assert "Watch the recording" in section
    assert "Renew" not in section
