"""The membership team's email about a disputed payment goes once per dispute, however
often its event arrives or is re-applied, and a send that failed goes on the task's retry."""

import pytest

from members.billing import staff_notices
from members.models import Dispute, StripeEvent

pytestmark = pytest.mark.django_db


def dispute() -> dict:
    return {
        "id": "dp_1QdisputeHollinsend",
        "object": "dispute",
        "amount": 12000,
        "currency": "gbp",
        "charge": "ch_1QchargeHollinsend",
        "reason": "fraudulent",
        "status": "needs_response",
        "evidence_details": {"due_by": 1798761600},
    }


def test_a_dispute_event_applied_again_from_the_admin_tells_the_team_once(
    fake_stripe, deliver, reapply, mailoutbox
):
    deliver(fake_stripe.event("charge.dispute.created", dispute()))

    reapply()

    assert len(mailoutbox) == 1
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.APPLIED


def test_a_dispute_told_by_two_events_tells_the_team_once(fake_stripe, deliver, mailoutbox):
    deliver(fake_stripe.event("charge.dispute.created", dispute()))
    deliver(fake_stripe.event("charge.dispute.created", dispute()))

    assert StripeEvent.objects.count() == 2
    assert len(mailoutbox) == 1


def test_two_disputes_each_tell_the_team(fake_stripe, deliver, mailoutbox):
    deliver(fake_stripe.event("charge.dispute.created", dispute()))
    deliver(fake_stripe.event("charge.dispute.created", {**dispute(), "id": "dp_1Qsecond"}))

    assert len(mailoutbox) == 2


def test_a_dispute_email_that_failed_to_send_is_sent_once_by_the_retry(mail_fails_once, mailoutbox):
    with pytest.raises(OSError):
        staff_notices.dispute_staff_notice_send(dispute=dispute())
    assert Dispute.objects.get().staff_notified_at is None

    assert staff_notices.dispute_staff_notice_send(dispute=dispute()) is True
    assert staff_notices.dispute_staff_notice_send(dispute=dispute()) is False

    assert len(mailoutbox) == 1
    assert Dispute.objects.get().staff_notified_at is not None
