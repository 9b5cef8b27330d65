"""The signed-in devices in the admin: a record of where people are signed in, read only.
Deleting one signs that device out."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(member):
    """The member signed in on a browser of their own: its client and its session."""
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64)")
    browser.force_login(member)
    browser.get(reverse("members:account"))
    return browser, UserSession.objects.get(user=member)


def _signed_in(browser) -> bool:
    return browser.get(reverse("members:account")).status_code == 200


def test_a_signed_in_device_cannot_be_changed_in_the_admin(staff_client, device):
    _browser, session = device

    response = staff_client.post(
        reverse("admin:usersessions_usersession_change", args=[session.pk]),
        {"user": session.user_id, "ip": "198.51.100.7", "user_agent": "Changed"},
    )

    session.refresh_from_db()
    assert response.status_code == 403
    assert session.user_agent == "Mozilla/5.0 (X11; Linux x86_64)"


def test_no_signed_in_device_is_added_by_hand_in_the_admin(staff_client):
    response = staff_client.get(reverse("admin:usersessions_usersession_add"))

    assert response.status_code == 403


def test_a_device_s_page_does_not_show_its_session_key(staff_client, device):
    # Whoever holds the key is signed in as the person.
    _browser, session = device

    page = staff_client.get(
        reverse("admin:usersessions_usersession_change", args=[session.pk])
    ).content.decode()

    assert "Mozilla/5.0 (X11; Linux x86_64)" in page
    assert session.session_key not in page


def test_deleting_a_device_in_the_admin_signs_it_out(staff_client, device):
    browser, session = device
    assert _signed_in(browser)

    staff_client.post(
        reverse("admin:usersessions_usersession_delete", args=[session.pk]), {"post": "yes"}
    )

    assert not _signed_in(browser)
    assert not UserSession.objects.filter(session_key=session.session_key).exists()


def test_deleting_devices_from_the_list_signs_them_out(staff_client, device):
    browser, session = device

    staff_client.post(
        reverse("admin:usersessions_usersession_changelist"),
        {"action": "delete_selected", "_selected_action": [session.pk], "post": "yes"},
    )

    assert not _signed_in(browser)
    assert not UserSession.objects.filter(session_key=session.session_key).exists()
