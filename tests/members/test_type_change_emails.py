"""The emails about a request to change member type go once, even when their task is
delivered a second time while the first delivery is still sending."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from members import tasks, type_changes
from members.models import MemberType, MemberTypeChangeRequest
from tests.redelivery import deliver_again_while_sending

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_request(client, policy_member):
    """A waiting request; its email to the membership team has not gone yet."""
    client.force_login(policy_member)
    client.post(
        reverse("members:type_change_request"),
        {"requested_type": MemberType.COMMISSIONER, "reason": "I moved to commissioning."},
    )
    return MemberTypeChangeRequest.objects.get()


def test_the_membership_team_is_emailed_a_request_once_when_its_task_is_delivered_again(
    change_request, monkeypatch
):
    deliver_again_while_sending(
        monkeypatch, lambda: tasks.type_change_request_notify_staff(change_request.pk)
    )

    tasks.type_change_request_notify_staff(change_request.pk)

    assert [m.to for m in mail.outbox] == [settings.STAFF_NOTIFICATION_EMAILS]


def test_the_member_is_emailed_the_decision_once_when_its_task_is_delivered_again(
    change_request, policy_member, staff, monkeypatch
):
    type_changes.type_change_request_approve(change_request=change_request, approved_by=staff)
    mail.outbox.clear()
    deliver_again_while_sending(
        monkeypatch, lambda: tasks.type_change_decision_send(change_request.pk)
    )

    tasks.type_change_decision_send(change_request.pk)

    assert [m.subject for m in mail.outbox] == ["Your member type has changed"]
    assert [m.to for m in mail.outbox] == [[policy_member.email]]
