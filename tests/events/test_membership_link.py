"""The "About membership" link under a refusal: offered only where becoming (or being
again) a member would open the event to the person reading it."""

import pytest

from events.models import Eligibility
from members.models import MemberType
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

ABOUT_MEMBERSHIP = "About membership</a>"


def _commissioners_event():
    return EventFactory(eligibility=Eligibility.MEMBER_TYPE, member_type=MemberType.COMMISSIONER)


def test_a_member_of_another_type_refused_is_not_sent_to_read_about_membership(
    client, provider_member
):
    client.force_login(provider_member)

    page = client.get(_commissioners_event().get_absolute_url()).text

    assert "This event is for members who are commissioners only." in page
    assert ABOUT_MEMBERSHIP not in page


def test_someone_who_is_not_a_member_refused_a_member_type_event_is_told_about_membership(
    client, registered
):
    client.force_login(registered)

    page = client.get(_commissioners_event().get_absolute_url()).text

    assert "This event is for members who are commissioners only." in page
    assert ABOUT_MEMBERSHIP in page


def test_a_lapsed_member_refused_a_members_event_is_told_about_membership(client, lapsed):
    client.force_login(lapsed)

    page = client.get(EventFactory(eligibility=Eligibility.MEMBERS).get_absolute_url()).text

    assert "This event is for members only." in page
    assert ABOUT_MEMBERSHIP in page


def test_a_member_of_the_event_s_type_sees_no_refusal_and_no_membership_link(
    client, commissioner_member
):
    client.force_login(commissioner_member)

    page = client.get(_commissioners_event().get_absolute_url()).text

    assert ABOUT_MEMBERSHIP not in page
