"""A seat holder whose organisation's membership ended is sent to ask for it to be
renewed, not to buy a membership of their own (which would pay twice)."""

import pytest
from django.urls import reverse

from members.models import SubscriptionStatus
from practice_library.models import AccessLevel
from tests.members.factories import SeatFactory, organisation_with_seats
from tests.practice_library.factories import ResourceFactory, attach

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat_holder():
    organisation, _admin = organisation_with_seats(name="Northmoor Council")
    person = SeatFactory(organisation=organisation, slot=2).user
    organisation.subscriptions.update(status=SubscriptionStatus.CANCELED)
    return person


def test_a_lapsed_seat_holder_s_account_page_says_to_ask_their_organisation(client, seat_holder):
    client.force_login(seat_holder)

    html = client.get(reverse("members:account")).content.decode()

    assert "Your membership through Northmoor Council has ended" in html
    assert "Ask the colleague who manages it to renew it" in html
    assert "Renew your membership" not in html


def test_a_lapsed_seat_holder_refused_a_file_is_sent_to_their_account_page(
    client, seat_holder, settings
):
    settings.LIBRARY_FREE_READS_PER_MONTH = 0
    attachment = attach(ResourceFactory(access_level=AccessLevel.MEMBERS))
    client.force_login(seat_holder)

    response = client.get(
        reverse(
            "practice_library:download",
            kwargs={"slug": attachment.resource.slug, "attachment_id": attachment.pk},
        )
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "How to renew through Northmoor Council" in html
    assert f'href="{reverse("members:account")}#membership-heading"' in html


def test_the_plans_tell_a_lapsed_seat_holder_to_ask_their_organisation(client, seat_holder):
    client.force_login(seat_holder)

    html = client.get(reverse("membership")).content.decode()

    assert "Your membership came through Northmoor Council" in html
    assert "Ask the colleague who manages it to renew it" in html


def test_a_lapsed_seat_holder_is_not_told_to_renew_it_themselves(client, seat_holder):
    client.force_login(seat_holder)

    html = client.get("/").content.decode()

    assert "Your membership through Northmoor Council has ended" in html
    assert (
        "Once the colleague who manages it renews it, you can read the whole library again" in html
    )
    assert "Renew it to" not in html
