"""Taking a seat at a new organisation while still holding one at another."""

import pytest
from django.urls import reverse

from members.organisations import invitations
from tests.members.factories import (
    InvitationFactory,
    SeatFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


def test_accepting_an_invitation_links_to_leaving_the_seat_at_the_former_employer(client):
    former, _ = organisation_with_seats(name="Northmoor Council", slug="northmoor")
    new, _ = organisation_with_seats(name="Eastbridge Council", slug="eastbridge")
    person = SeatFactory(organisation=former, slot=2).user
    invitation = InvitationFactory(organisation=new, email=person.email)
    client.force_login(person)

    response = client.post(invitations.invitation_url(invitation), follow=True)

    html = response.content.decode()
    assert "You also hold a seat at Northmoor Council" in html
    assert f'<a href="{reverse("members:seat_leave", kwargs={"slug": "northmoor"})}">' in html


def test_someone_seated_nowhere_else_is_not_warned(client):
    new, _ = organisation_with_seats(name="Eastbridge Council", slug="eastbridge")
    person = UserFactory()
    invitation = InvitationFactory(organisation=new, email=person.email)
    client.force_login(person)

    response = client.post(invitations.invitation_url(invitation), follow=True)

    assert "You also hold a seat" not in response.content.decode()
