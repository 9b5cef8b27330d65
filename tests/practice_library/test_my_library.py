"""My library: bookmarks (add, list, remove) and recently read resources."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.access import AccessLevel
from practice_library.models import Bookmark, RecentRead, ResourceStatus
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db

MY_LIBRARY = reverse("practice_library:my_library")


def bookmark(client, resource, **data):
    return client.post(reverse("practice_library:bookmark_add", args=[resource.slug]), data)


def unbookmark(client, resource, **data):
    return client.post(reverse("practice_library:bookmark_remove", args=[resource.slug]), data)


def test_signed_in_user_bookmarks_a_resource_and_returns_to_it(client, registered):
    resource = ResourceFactory(title="Staying Close explained")
    client.force_login(registered)

    response = bookmark(client, resource)

    assert response.status_code == 302
    assert response["Location"] == resource.get_absolute_url()
    assert Bookmark.objects.filter(user=registered, resource=resource).exists()


def test_bookmarking_twice_keeps_one_bookmark(client, registered):
    resource = ResourceFactory()
    client.force_login(registered)

    bookmark(client, resource)
    bookmark(client, resource)

    assert Bookmark.objects.count() == 1


def test_bookmarked_resource_offers_to_remove_the_bookmark(client, registered):
    resource = ResourceFactory()
    client.force_login(registered)
    bookmark(client, resource)

    response = client.get(resource.get_absolute_url())

    assert "Remove bookmark" in response.content.decode()


def test_my_library_lists_my_bookmarks_newest_first(client, member):
    older, newer = ResourceFactory(title="Older bookmark"), ResourceFactory(title="Newer bookmark")
    Bookmark.objects.create(user=member, resource=older)
    Bookmark.objects.filter(resource=older).update(created_at=timezone.now() - timedelta(days=2))
    Bookmark.objects.create(user=member, resource=newer)
    client.force_login(member)

    response = client.get(MY_LIBRARY)

    bookmarks = [b.resource.title for b in response.context["bookmarks"]]
    assert bookmarks == ["Newer bookmark", "Older bookmark"]


def test_my_library_shows_only_my_own_bookmarks(client, member, registered):
    Bookmark.objects.create(user=registered, resource=ResourceFactory(title="Someone else's"))
    client.force_login(member)

    response = client.get(MY_LIBRARY)

    assert "Someone else's" not in response.content.decode()
    assert "You have no bookmarks yet" in response.content.decode()


def test_my_library_leaves_out_bookmarks_of_resources_no_longer_live(client, member):
    archived = ResourceFactory(title="Archived guide", status=ResourceStatus.ARCHIVED)
    Bookmark.objects.create(user=member, resource=archived)
    client.force_login(member)

    response = client.get(MY_LIBRARY)

    assert "Archived guide" not in response.content.decode()


def test_removing_a_bookmark_from_my_library_returns_to_my_library(client, member):
    resource = ResourceFactory(title="Kept for later")
    Bookmark.objects.create(user=member, resource=resource)
    client.force_login(member)

    response = unbookmark(client, resource, next=MY_LIBRARY)

    assert response["Location"] == MY_LIBRARY
    assert not Bookmark.objects.exists()
    assert "Kept for later" not in client.get(MY_LIBRARY).content.decode()


def test_bookmark_redirect_never_leaves_the_site(client, member):
    resource = ResourceFactory()
    client.force_login(member)

    response = bookmark(client, resource, next="https://evil.example.com/")

    assert response["Location"] == resource.get_absolute_url()


def test_bookmarking_needs_a_post(client, member):
    resource = ResourceFactory()
    client.force_login(member)

    response = client.get(reverse("practice_library:bookmark_add", args=[resource.slug]))

    assert response.status_code == 405
    assert not Bookmark.objects.exists()


def test_visitor_is_asked_to_sign_in_for_my_library(client):
    response = client.get(MY_LIBRARY)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_library_lists_recently_read_resources_newest_first(client, member):
    first = ResourceFactory(title="Read first", access_level=AccessLevel.MEMBERS)
    second = ResourceFactory(title="Read second", access_level=AccessLevel.MEMBERS)
    client.force_login(member)
    client.get(first.get_absolute_url())
    RecentRead.objects.filter(resource=first).update(read_at=timezone.now() - timedelta(hours=1))
    client.get(second.get_absolute_url())

    response = client.get(MY_LIBRARY)

    assert [r.resource.title for r in response.context["recent"]] == ["Read second", "Read first"]


def test_reading_again_moves_a_resource_to_the_top_without_a_second_row(client, member):
    first, second = ResourceFactory(title="First"), ResourceFactory(title="Second")
    client.force_login(member)
    client.get(first.get_absolute_url())
    client.get(second.get_absolute_url())
    RecentRead.objects.update(read_at=timezone.now() - timedelta(hours=1))

    client.get(first.get_absolute_url())

    response = client.get(MY_LIBRARY)
    assert [r.resource.title for r in response.context["recent"]] == ["First", "Second"]
    assert RecentRead.objects.count() == 2


def test_a_refused_resource_is_not_recently_read(client, registered, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 0
    resource = ResourceFactory(access_level=AccessLevel.MEMBERS)
    client.force_login(registered)

    client.get(resource.get_absolute_url())

    assert not RecentRead.objects.exists()


def test_members_are_not_told_about_free_reads_in_my_library(client, member):
    client.force_login(member)

    assert "free read" not in client.get(MY_LIBRARY).content.decode()
