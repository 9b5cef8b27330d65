"""A session's "last seen" is written at most once every USERSESSIONS_SEEN_EVERY_SECONDS,
not on every page (network.middleware.UserSessionActivityMiddleware)."""

import time
from unittest.mock import patch

import pytest
from allauth.usersessions.models import UserSession
from django.urls import reverse

from network import middleware

pytestmark = pytest.mark.django_db


def test_a_session_is_recorded_on_the_first_page_after_signing_in(client, registered):
    client.force_login(registered)
    client.get(reverse("about"))
    assert UserSession.objects.filter(user=registered).count() == 1


def test_pages_soon_after_do_not_write_the_session_again(client, registered):
    client.force_login(registered)
    client.get(reverse("about"))
    seen = UserSession.objects.get(user=registered).last_seen_at

    client.get(reverse("about"))

    assert UserSession.objects.get(user=registered).last_seen_at == seen


def test_after_the_interval_the_session_is_seen_again(client, registered, settings):
    # A real second: in service mode the interval is a key's lifetime in Redis, which no
    # clock in this process can move.
    settings.USERSESSIONS_SEEN_EVERY_SECONDS = 1
    client.force_login(registered)
    client.get(reverse("about"))
    first = UserSession.objects.get(user=registered).last_seen_at

    time.sleep(1.2)
    client.get(reverse("about"))

    assert UserSession.objects.get(user=registered).last_seen_at > first


def test_a_process_asks_the_cache_about_a_session_once_an_interval(client, registered):
    client.force_login(registered)
    with patch.object(middleware.cache, "add", wraps=middleware.cache.add) as add:
        for _ in range(3):
            client.get(reverse("about"))

    assert add.call_count == 1
