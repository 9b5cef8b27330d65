"""The data-rights pages: asking for a download, opening its link, deleting an account."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import DataRequest
from tests.members.factories import UserFactory, organisation_with_seats

pytestmark = pytest.mark.django_db


def _download_link() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+/account/data/download/\S+/", body).group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


@pytest.fixture
def prepared(sign_in, client, django_capture_on_commit_callbacks):
    user = UserFactory(name="Dana Whitfield")
    sign_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:data_export"))
    assert response.status_code == 302
    return user, _path(_download_link())


def test_the_account_page_links_to_the_data_rights_page(client, registered):
    client.force_login(registered)
    response = client.get(reverse("members:account"))
    assert reverse("members:data_rights") in response.content.decode()


def test_asking_for_a_download_needs_the_password_again(client, registered):
    client.force_login(registered)
    response = client.post(reverse("members:data_export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not DataRequest.objects.exists()


def test_the_download_is_emailed_to_its_owner_as_a_link(prepared):
    user, _ = prepared
    assert mail.outbox[-1].to == [user.email]
    assert DataRequest.objects.get(user=user).state == DataRequest.State.DONE


def test_the_download_link_is_emailed_once_however_often_its_task_runs(prepared):
    from members import tasks

    user, _ = prepared
    data_request = DataRequest.objects.get(user=user)

    tasks.data_export_notify(data_request.pk)

    assert len([m for m in mail.outbox if m.to == [user.email]]) == 1
    data_request.refresh_from_db()
    assert data_request.notified_at is not None


def test_a_download_email_that_fails_is_sent_by_the_retry(prepared, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    from members import tasks

    user, _ = prepared
    data_request = DataRequest.objects.get(user=user)
    DataRequest.objects.filter(pk=data_request.pk).update(notified_at=None)
    mail.outbox.clear()

    def refuse(message, fail_silently=False):
        raise OSError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", refuse)
        with pytest.raises(OSError):
            tasks.data_export_notify(data_request.pk)
    assert DataRequest.objects.get(pk=data_request.pk).notified_at is None

    tasks.data_export_notify(data_request.pk)

    assert [m.to for m in mail.outbox] == [[user.email]]


def test_the_link_gives_the_zip_to_its_owner(prepared, client):
    user, path = prepared
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    profile = json.loads(archive.read("profile.json"))
    assert profile[0]["name"] == "Dana Whitfield"
    assert "index.html" in archive.namelist()


def test_the_link_works_once(prepared, client):
    _, path = prepared
    assert client.get(path).status_code == 200
    response = client.get(path)
    assert response.status_code == 403
    assert "used already" in response.content.decode()


def test_the_link_works_only_for_its_owner(prepared, client):
    _, path = prepared
    client.force_login(UserFactory())
    response = client.get(path)
    assert response.status_code == 403
    assert "someone else" in response.content.decode()


def test_the_link_stops_working_after_its_time(prepared, client, settings):
    _, path = prepared
    with time_machine.travel(timezone.now() + timedelta(hours=settings.DATA_EXPORT_LINK_HOURS + 1)):
        response = client.get(path)
    assert response.status_code == 403
    assert "expired" in response.content.decode()


def test_the_delete_page_needs_the_password_again(client, registered):
    client.force_login(registered)
    response = client.get(reverse("members:account_delete"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_the_delete_page_says_what_is_kept_and_why(sign_in, client):
    sign_in(UserFactory())
    page = client.get(reverse("members:account_delete")).content.decode()
    assert "six years" in page
    assert "former member #" in page
    assert "Signing in before then cancels the deletion" in page


def test_the_delete_page_says_which_emails_stop_until_the_deletion(sign_in, client):
    sign_in(UserFactory())
    page = client.get(reverse("members:account_delete")).content.decode()
    assert "Until then we send you no newsletter, digests, forum emails or event reminders" in page


def test_deleting_schedules_the_erasure_and_signs_out(sign_in, client):
    user = UserFactory()
    sign_in(user)
    response = client.post(reverse("members:account_delete"), {"posts": "remove", "confirm": "on"})
    assert response.status_code == 302
    data_request = DataRequest.objects.get(user=user, kind=DataRequest.Kind.ERASURE)
    assert data_request.state == DataRequest.State.SCHEDULED
    assert data_request.keep_post_text is False
    assert data_request.erase_after > timezone.now() + timedelta(days=13)
    assert "_auth_user_id" not in client.session


def test_deleting_without_confirming_keeps_the_choice_and_says_why(sign_in, client):
    sign_in(UserFactory())
    response = client.post(reverse("members:account_delete"), {"posts": "remove"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick the box to confirm" in page
    assert re.search(r'value="remove"[^>]*checked', page)
    assert not DataRequest.objects.exists()


def test_the_last_admin_of_an_organisation_is_told_to_hand_over_first(sign_in, client):
    organisation, admin = organisation_with_seats(seats=2)
    sign_in(admin)
    response = client.post(reverse("members:account_delete"), {"posts": "keep", "confirm": "on"})
    assert response.status_code == 200
    assert "only admin of" in response.content.decode()
    assert not DataRequest.objects.exists()


def test_the_data_rights_page_reads_a_fixed_number_of_rows(
    client, registered, django_assert_max_num_queries
):
    for _ in range(3):
        DataRequest.objects.create(
            user=registered, kind=DataRequest.Kind.ACCESS, state=DataRequest.State.DONE
        )
    client.force_login(registered)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("members:data_rights"))
    assert response.status_code == 200
    assert "Prepare my download" in response.content.decode()


def test_the_data_rights_page_shows_a_scheduled_deletion(client, registered):
    from members import data_rights

    data_request = data_rights.account_deletion_request(user=registered, keep_post_text=True)
    client.force_login(registered)
    page = client.get(reverse("members:data_rights")).content.decode()
    assert f"Your account will be deleted on {data_request.erase_after:%-d %B %Y}" in page


def test_asking_again_restarts_a_download_whose_worker_died(
    sign_in, client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    stuck = DataRequest.objects.create(
        user=user,
        kind=DataRequest.Kind.ACCESS,
        state=DataRequest.State.PREPARING,
        received_at=timezone.now() - timedelta(hours=2),
    )
    sign_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:data_export"))
    stuck.refresh_from_db()
    assert stuck.state == DataRequest.State.DONE
    assert mail.outbox[-1].to == [user.email]
