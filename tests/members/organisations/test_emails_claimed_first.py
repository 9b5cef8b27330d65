"""An invitation or a seat's removal is marked as emailed before its email goes, so two
deliveries of the task running side by side cannot both send it; a failed send gives
the mark back for the retry."""

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from members.models import Invitation, SeatRemoval
from members.organisations import seats
from members.organisations.tasks import invitation_send, seat_removal_send
from tests.members.factories import SeatFactory, organisation_with_seats
from tests.members.organisations.test_seats_and_invitations import invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def marks_seen_while_sending(monkeypatch):
    """What each row's "emailed" mark was at the moment its email was sent."""
    seen = []
    send = EmailMultiAlternatives.send

    def sending(message, *args, **kwargs):
        seen.append(
            (
                Invitation.objects.values_list("emailed_at", flat=True).first(),
                SeatRemoval.objects.values_list("emailed_at", flat=True).first(),
            )
        )
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", sending)
    return seen


def test_an_invitation_is_marked_emailed_before_its_email_goes(
    marks_seen_while_sending, django_capture_on_commit_callbacks
):
    organisation, admin = organisation_with_seats()
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invite(organisation, admin, "kim@example.org")

    invitation_send(invitation.pk)

    [(invitation_mark, _)] = marks_seen_while_sending
    assert invitation_mark is not None
    assert len(mail.outbox) == 1


def test_a_seat_removal_is_marked_emailed_before_its_email_goes(
    marks_seen_while_sending, django_capture_on_commit_callbacks
):
    organisation, admin = organisation_with_seats(seats=2)
    seat = SeatFactory(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=False):
        seats.seat_remove(seat=seat, removed_by=admin)

    seat_removal_send(SeatRemoval.objects.get().pk)

    [(_, removal_mark)] = marks_seen_while_sending
    assert removal_mark is not None
    assert len(mail.outbox) == 1


def test_an_invitation_whose_email_failed_is_sent_by_the_retry(
    monkeypatch, django_capture_on_commit_callbacks
):
    organisation, admin = organisation_with_seats()
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invite(organisation, admin, "kim@example.org")
    send = EmailMultiAlternatives.send

    def failing(message, *args, **kwargs):
        raise ConnectionError("the email service did not answer")

    monkeypatch.setattr(EmailMultiAlternatives, "send", failing)
    with pytest.raises(ConnectionError):
        invitation_send(invitation.pk)
    monkeypatch.setattr(EmailMultiAlternatives, "send", send)

    invitation_send(invitation.pk)

    assert len(mail.outbox) == 1
