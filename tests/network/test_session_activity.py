"""A session's "last seen" is written at most once every USERSESSIONS_SEEN_EVERY_SECONDS,
not on every page (network.middleware.UserSessionActivityMiddleware)."""

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.urls import reverse
from django.utils import timezone

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
    settings.USERSESSIONS_SEEN_EVERY_SECONDS = 300
    client.force_login(registered)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get(reverse("about"))
        first = UserSession.objects.get(user=registered).last_seen_at
        traveller.shift(301)
        client.get(reverse("about"))
    assert UserSession.objects.get(user=registered).last_seen_at > first
