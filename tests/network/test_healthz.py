"""Two checks: /healthz (liveness) asks nothing but the process; /readyz (readiness)
asks the database, the cache, the file storage and, in service mode, the broker."""

from unittest import mock

import pytest
from django.conf import settings

from tests.members.factories import UserFactory


@pytest.mark.django_db
def test_liveness_check_answers_ok_without_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_liveness_check_reads_no_session_and_no_user_even_when_signed_in(
    client, django_assert_num_queries
):
    client.force_login(UserFactory())
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_liveness_check_stays_ok_when_the_database_and_cache_are_down(client):
    with (
        mock.patch("network.views._check_database", side_effect=OSError("refused")),
        mock.patch("network.views._check_cache", side_effect=OSError("refused")),
    ):
        response = client.get("/healthz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_liveness_check_needs_no_login_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_readiness_check_answers_ok_when_every_part_answers(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["storage"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["database", "cache", "storage"])
def test_readiness_check_names_the_part_that_does_not_answer(client, part):
    with mock.patch(f"network.views._check_{part}", side_effect=OSError("refused")):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == [part]
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
def test_readiness_check_asks_the_broker_only_in_service_mode(client):
    body = client.get("/readyz").json()

    assert ("broker" in body["checks"]) is (not settings.CELERY_TASK_ALWAYS_EAGER)


@pytest.mark.django_db
def test_readiness_check_names_the_broker_when_it_does_not_answer(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("network.views._check_broker", side_effect=OSError("refused")):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_readiness_check_asks_the_object_storage_when_uploads_live_there(client, object_storage):
    assert client.get("/readyz").json()["checks"]["storage"] == "ok"

    object_storage.client.delete_bucket(Bucket=object_storage.bucket)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


@pytest.mark.django_db
def test_readiness_check_needs_no_login_and_is_never_cached(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_an_unready_part_does_not_email_the_team_on_every_probe(client, mailoutbox):
    # The load balancer asks every few seconds on every node: an outage must not become
    # an email to the team (ADMINS) per probe. The failing part is logged instead.
    with mock.patch("network.views._check_storage", side_effect=OSError("refused")):
        for _ in range(3):
            assert client.get("/readyz").status_code == 503

    assert mailoutbox == []
