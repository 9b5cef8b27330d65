"""Who gets no optional email: a person who has asked for their account to be deleted,
until the erasure or until they stop it."""

import pytest
from django.core import mail

from members import data_rights, email_pause
from members.models import DataRequest
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_who_asked_to_be_deleted_gets_no_optional_email():
    person = UserFactory()
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    assert email_pause.optional_email_paused(person)
    assert list(email_pause.optional_email_paused_users()) == [{"user_id": person.pk}]


def test_someone_else_still_gets_optional_email():
    data_rights.account_deletion_request(user=UserFactory(), keep_post_text=True)
    assert not email_pause.optional_email_paused(UserFactory())


def test_optional_email_resumes_when_they_stop_the_deletion_by_signing_in():
    person = UserFactory()
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    data_rights.account_deletion_cancel(user=person)
    assert not email_pause.optional_email_paused(person)


def test_a_request_staff_recorded_from_a_letter_pauses_optional_email_until_refused():
    person = UserFactory()
    request = DataRequest.objects.create(
        user=person, kind=DataRequest.Kind.ERASURE, source=DataRequest.Source.POST
    )
    assert email_pause.optional_email_paused(person)
    DataRequest.objects.filter(pk=request.pk).update(state=DataRequest.State.REFUSED)
    assert not email_pause.optional_email_paused(person)


def test_a_request_for_a_copy_of_their_data_pauses_nothing():
    person = UserFactory()
    data_rights.data_export_request(user=person)
    assert not email_pause.optional_email_paused(person)


def test_their_address_is_matched_whatever_its_case():
    person = UserFactory(email="Jo.Hartley@Example.org")
    data_rights.account_deletion_request(user=person, keep_post_text=True)
    assert list(email_pause.optional_email_paused_addresses()) == [
        {"address": "jo.hartley@example.org"}
    ]


def test_the_deletion_email_tells_them_which_emails_stop(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        data_rights.account_deletion_request(user=person, keep_post_text=True)
    assert "we send you no newsletter, digests, forum emails or event reminders" in (
        mail.outbox[-1].body
    )
