from unittest import mock

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_health_check_answers_ok_when_every_part_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_health_check_names_the_database_when_it_does_not_answer(client):
    with mock.patch("network.views._check_database", side_effect=OSError("refused")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


@pytest.mark.django_db
def test_health_check_names_the_cache_when_it_does_not_answer(client):
    with mock.patch("network.views._check_cache", side_effect=OSError("refused")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


@pytest.mark.django_db
def test_health_check_asks_the_broker_only_in_service_mode(client):
    body = client.get("/healthz").json()

    assert ("broker" in body["checks"]) is (not settings.CELERY_TASK_ALWAYS_EAGER)


@pytest.mark.django_db
def test_health_check_names_the_broker_when_it_does_not_answer(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("network.views._check_broker", side_effect=OSError("refused")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_health_check_needs_no_login_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
