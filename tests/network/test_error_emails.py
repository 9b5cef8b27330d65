"""Server errors reach the team (ADMINS) by email once for each kind of error in a few
minutes, not once per failed request: an outage fails every request the same way."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import include, path

from network import error_emails

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls(__name__),
]


@login_not_required
def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


@login_not_required
def template_broken(request):
    raise ValueError("Missing staticfiles manifest entry for 'css/site.css'")


urlpatterns = [
    path("library/", database_down),
    path("forum/", database_down),
    path("events/", template_broken),
    path("", include("network.urls")),  # the error page links to the site's pages
]


@pytest.fixture(autouse=True)
def nothing_emailed_yet(monkeypatch, settings):
    monkeypatch.setattr(error_emails, "_last_emailed", {})
    settings.ADMINS = [("Network team", "team@network.example.org")]


@pytest.fixture
def failing_client() -> Client:
    return Client(raise_request_exception=False)


def test_the_first_server_error_is_emailed_to_the_team(failing_client, mailoutbox):
    response = failing_client.get("/library/")

    assert response.status_code == 500
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["team@network.example.org"]
    assert "/library/" in mailoutbox[0].subject


def test_the_same_error_on_other_pages_soon_after_is_not_emailed_again(failing_client, mailoutbox):
    for page in ["/library/", "/forum/", "/library/", "/forum/"]:
        assert failing_client.get(page).status_code == 500

    assert len(mailoutbox) == 1


def test_a_different_error_is_emailed_as_well(failing_client, mailoutbox):
    failing_client.get("/library/")
    failing_client.get("/events/")

    assert len(mailoutbox) == 2


@override_settings(ADMIN_ERROR_EMAIL_SECONDS=0)
def test_the_same_error_is_emailed_again_once_the_interval_has_passed(failing_client, mailoutbox):
    failing_client.get("/library/")
    failing_client.get("/forum/")

    assert len(mailoutbox) == 2


def test_every_server_error_is_still_written_to_the_log(failing_client, caplog):
    failing_client.get("/library/")
    failing_client.get("/forum/")

    errors = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in errors] == [
        "Internal Server Error: /library/",
        "Internal Server Error: /forum/",
    ]
