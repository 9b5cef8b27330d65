"""A person whom staff erase from the admin is told, at the address they had, that it
was done, what went and what was kept and why."""

import pytest
from django.core import mail
from django.urls import reverse

from members import data_rights, tasks
from members.models import DataRequest
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def erase_from_the_admin(staff_client, data_request) -> None:
    staff_client.post(
        reverse("admin:members_datarequest_changelist"),
        {"action": "run_erasure", "_selected_action": [data_request.pk], "confirmed": "yes"},
    )


def erasure_request(person, **fields) -> DataRequest:
    fields.setdefault("source", DataRequest.Source.EMAIL)
    return DataRequest.objects.create(user=person, kind=DataRequest.Kind.ERASURE, **fields)


def test_a_person_erased_by_staff_is_emailed_at_the_address_they_had(
    staff_client, django_capture_on_commit_callbacks
):
    person = UserFactory(email="jo.hartley@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        erase_from_the_admin(staff_client, erasure_request(person))
    sent = [message for message in mail.outbox if message.to == ["jo.hartley@example.org"]]
    assert len(sent) == 1
    assert sent[0].subject == "Your account has been deleted"
    assert "As you asked, we have deleted your" in sent[0].body


def test_the_email_says_what_was_removed_and_what_is_kept_and_why(
    staff_client, django_capture_on_commit_callbacks
):
    person = UserFactory()
    address = person.email
    with django_capture_on_commit_callbacks(execute=True):
        erase_from_the_admin(staff_client, erasure_request(person, keep_post_text=False))
    body = next(message for message in mail.outbox if message.to == [address]).body
    assert "Your name, email addresses, profile and sign-in details" in body
    assert "The text and attached files of your forum posts" in body
    assert "Invoices and subscription records, for six years" in body
    assert "Companies Act 2006, HMRC" in body
    assert "Safeguarding records" in body


def test_an_erasure_staff_decided_on_says_the_team_did_it(
    staff_client, django_capture_on_commit_callbacks
):
    person = UserFactory()
    address = person.email
    with django_capture_on_commit_callbacks(execute=True):
        erase_from_the_admin(staff_client, erasure_request(person, source="other"))
    body = next(message for message in mail.outbox if message.to == [address]).body
    assert "team has deleted your account" in body
    assert "As you asked" not in body


def test_the_email_goes_once_however_often_its_task_runs(
    staff_client, django_capture_on_commit_callbacks
):
    person = UserFactory()
    address = person.email
    data_request = erasure_request(person)
    with django_capture_on_commit_callbacks(execute=True):
        erase_from_the_admin(staff_client, data_request)
    tasks.account_erasure_confirm(data_request.pk, address)
    assert len([message for message in mail.outbox if message.to == [address]]) == 1


def test_an_erasure_at_the_end_of_the_grace_period_sends_no_second_email(
    django_capture_on_commit_callbacks,
):
    # They were told the date when they asked (account_deletion_scheduled).
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        data_request = data_rights.account_deletion_request(user=person, keep_post_text=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        data_rights.account_erase(data_request=data_request)
    assert mail.outbox == []


def test_the_request_records_that_staff_erased_them_and_the_person_was_told(
    staff_client, django_capture_on_commit_callbacks
):
    data_request = erasure_request(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        erase_from_the_admin(staff_client, data_request)
    data_request.refresh_from_db()
    assert "Erased by staff from the admin" in data_request.outcome
    assert data_request.erasure_notified_at is not None
