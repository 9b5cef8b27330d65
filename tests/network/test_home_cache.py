"""The home page's sections that every visitor sees are rendered once and kept in the
cache; signed-in people never get them, and a change of content shows at once."""

import re
import time
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from members.access import AccessLevel
from network import home_cache
from practice_library import services
from practice_library.models import Resource
from tests.events.factories import EventFactory
from tests.forum.factories import CategoryFactory, thread_with_posts
from tests.newsletter.factories import NewsletterFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_a_second_visitor_gets_the_sections_without_a_query(client, django_assert_num_queries):
    ResourceFactory(title="Staying close in practice", access_level=AccessLevel.PUBLIC)
    EventFactory(title="Preparing for inspection")
    client.get(reverse("home"))

    with django_assert_num_queries(0):
        response = client.get(reverse("home"))

    page = response.content.decode()
    assert "Staying close in practice" in page
    assert "Preparing for inspection" in page
    assert "See membership plans" in page


def test_each_visitor_still_gets_a_nonce_and_a_csrf_token_of_their_own(client, settings):
    NewsletterFactory(name="Practice notes")
    first = client.get(reverse("home"))
    client.cookies.clear()

    second = client.get(reverse("home"))

    assert _nonce(first) != _nonce(second)
    assert f'nonce="{_nonce(second)}"' in second.content.decode()
    assert 'name="csrfmiddlewaretoken"' in second.content.decode()
    assert "Practice notes" in second.content.decode()


def test_a_member_never_gets_the_visitors_page(client, member):
    client.get(reverse("home"))
    client.force_login(member)

    response = client.get(reverse("home"))

    assert [t.name for t in response.templates][0] == "network/home_member.html"
    assert "See membership plans" not in response.content.decode()


def test_a_registered_person_gets_their_own_sections_not_the_visitors(client, registered):
    thread_with_posts(
        category=CategoryFactory(name="Open room", registered_may_read=True),
        title="Welcome, everyone",
    )
    visitor_page = client.get(reverse("home")).content.decode()
    client.force_login(registered)

    page = client.get(reverse("home")).content.decode()

    assert "Welcome, everyone" not in visitor_page
    assert "Welcome, everyone" in page
    assert "Join the network" in page


def test_a_published_resource_shows_to_visitors_at_once(client):
    client.get(reverse("home"))

    ResourceFactory(title="Commissioning for sufficiency", access_level=AccessLevel.PUBLIC)

    assert "Commissioning for sufficiency" in client.get(reverse("home")).content.decode()


def test_a_resource_archived_by_the_admin_action_leaves_the_visitors_page_at_once(
    client, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(title="Staying close after eighteen")
    assert "Staying close after eighteen" in client.get(reverse("home")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.resources_archive(resource_ids=[resource.pk])

    assert "Staying close after eighteen" not in client.get(reverse("home")).content.decode()


def test_a_resource_published_on_schedule_shows_to_visitors_at_once(client):
    resource = ResourceFactory(
        title="Planning the move home", publish_at=timezone.now() + timedelta(hours=1)
    )
    Resource.objects.filter(pk=resource.pk).update(publish_at=timezone.now())
    assert "Planning the move home" not in client.get(reverse("home")).content.decode()

    services.resources_publish_scheduled()

    assert "Planning the move home" in client.get(reverse("home")).content.decode()


def test_a_withdrawn_event_leaves_the_visitors_page_at_once(client):
    event = EventFactory(title="Regional meeting in Leeds")
    assert "Regional meeting in Leeds" in client.get(reverse("home")).content.decode()

    event.delete()

    assert "Regional meeting in Leeds" not in client.get(reverse("home")).content.decode()


def test_the_sections_are_kept_no_longer_than_the_setting(client, settings):
    settings.HOME_PUBLIC_CACHE_SECONDS = 45
    with mock.patch.object(cache, "set", wraps=cache.set) as kept:
        client.get(reverse("home"))

    (call,) = [c for c in kept.call_args_list if c.args[0] == home_cache.cache_key()]
    assert call.kwargs["timeout"] == 45


def test_forum_numbers_wait_for_the_cache_to_expire(client):
    client.get(reverse("home"))
    thread_with_posts(category=CategoryFactory(), posts=2)

    assert "1 new thread" not in client.get(reverse("home")).content.decode()
    cache.delete(home_cache.cache_key())
    home_cache.drop_held_copy()
    assert "1 new thread" in client.get(reverse("home")).content.decode()


def _seconds_later(seconds: float):
    """This process's clock, as home_cache reads it, `seconds` ahead."""
    later = time.monotonic() + seconds
    return mock.patch.object(home_cache, "time", SimpleNamespace(monotonic=lambda: later))


def test_a_web_process_reads_the_kept_page_from_the_shared_cache_once_per_hold(client):
    client.get(reverse("home"))
    client.cookies.clear()

    with mock.patch.object(cache, "get", wraps=cache.get) as read:
        for _ in range(3):
            client.get(reverse("home"))
        with _seconds_later(home_cache.HELD_SECONDS + 1):
            client.get(reverse("home"))

    assert [c.args[0] for c in read.call_args_list].count(home_cache.cache_key()) == 1


def test_a_change_made_in_another_process_reaches_visitors_once_the_hold_lapses(client):
    resource = ResourceFactory(title="Staying close", access_level=AccessLevel.PUBLIC)
    client.get(reverse("home"))
    # Another process renames it: its signal empties the shared cache, not this
    # process's copy.
    Resource.objects.filter(pk=resource.pk).update(title="Staying close, revised")
    cache.delete(home_cache.cache_key())

    assert "Staying close, revised" not in client.get(reverse("home")).content.decode()
    with _seconds_later(home_cache.HELD_SECONDS + 0.1):
        assert "Staying close, revised" in client.get(reverse("home")).content.decode()


def test_the_sign_up_form_of_a_kept_page_posts_with_the_visitors_own_token():
    from django.test import Client

    NewsletterFactory(name="Practice notes")
    Client().get(reverse("home"))  # the first visitor's page is kept
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get(reverse("home")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = visitor.post(
        reverse("newsletter:index"),
        {"csrfmiddlewaretoken": token, "email": "jo.bright@example.org", "consent": "on"},
    )

    assert response.status_code != 403


def test_a_visitor_with_a_message_waiting_sees_it_on_the_home_page(client, registered):
    client.get(reverse("home"))
    client.force_login(registered)

    response = client.post(reverse("account_logout"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "You have signed out" in response.content.decode()
    assert "You have signed out" not in client.get(reverse("home")).content.decode()


# --- Served before the session and user middleware --------------------------------------


def test_a_kept_page_reaches_a_visitor_without_loading_a_session_or_a_user(client):
    client.get(reverse("home"))
    client.cookies.clear()

    response = client.get(reverse("home"))

    assert "See membership plans" in response.content.decode()
    assert not hasattr(response.wsgi_request, "session")
    assert not hasattr(response.wsgi_request, "user")


def test_a_kept_page_carries_the_headers_and_csrf_cookie_of_any_page(client, settings):
    NewsletterFactory(name="Practice notes")  # its sign-up form needs the CSRF cookie
    client.get(reverse("home"))
    client.cookies.clear()

    response = client.get(reverse("home"))

    assert response["X-Frame-Options"] == settings.X_FRAME_OPTIONS
    assert "Cookie" in response["Vary"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f'nonce="{_nonce(response)}"' in response.content.decode()
    assert response.cookies[settings.CSRF_COOKIE_NAME].value


def test_a_visitor_keeps_the_csrf_cookie_they_already_have(client, settings):
    NewsletterFactory(name="Practice notes")
    client.get(reverse("home"))
    first = client.get(reverse("home"))
    cookie = client.cookies[settings.CSRF_COOKIE_NAME].value

    again = client.get(reverse("home"))

    # Django sends it again to renew its age, with the same secret.
    assert again.cookies[settings.CSRF_COOKIE_NAME].value == cookie
    assert first.status_code == again.status_code == 200


def test_someone_signed_in_is_never_served_the_kept_page(client, registered):
    client.get(reverse("home"))
    client.force_login(registered)

    response = client.get(reverse("home"))

    assert response.wsgi_request.user == registered
    assert "Join the network" in response.content.decode()
