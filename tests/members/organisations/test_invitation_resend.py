"""'Send again' on an invitation, by an admin other than the one who first sent it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from members.organisations import invitations
from tests.members.factories import InvitationFactory, SeatFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


def test_an_invitation_sent_again_names_and_answers_to_the_admin_who_sent_it(
    django_capture_on_commit_callbacks,
):
    organisation, first_admin = organisation_with_seats(seats=3)
    invitation = InvitationFactory(
        organisation=organisation,
        invited_by=first_admin,
        sent_at=timezone.now() - timedelta(days=10),
    )
    second_admin = SeatFactory(organisation=organisation, slot=2, is_admin=True).user

    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_resend(invitation=invitation, sent_by=second_admin)

    (email,) = mail.outbox
    assert email.body.startswith(f"{second_admin.name} has invited you")
    assert email.reply_to == [second_admin.email]
    invitation.refresh_from_db()
    assert invitation.invited_by == second_admin
