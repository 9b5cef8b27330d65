"""Atom feeds of new public resources (all, and per topic) and the sitemap."""

from datetime import timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from members.access import AccessLevel
from practice_library.models import ResourceStatus
from practice_library.sitemaps import ResourceSitemap
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entry_titles(response) -> list[str]:
    root = ElementTree.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


def test_site_feed_lists_public_resources_newest_first_as_atom(client):
    ResourceFactory(title="Older public", published_at=timezone.now() - timedelta(days=5))
    ResourceFactory(title="Newer public", published_at=timezone.now() - timedelta(days=1))

    response = client.get(reverse("practice_library:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert entry_titles(response) == ["Newer public", "Older public"]


def test_site_feed_leaves_out_gated_and_unpublished_resources(client):
    ResourceFactory(title="Public")
    ResourceFactory(title="Members", access_level=AccessLevel.MEMBERS)
    ResourceFactory(title="Registered", access_level=AccessLevel.REGISTERED)
    ResourceFactory(title="Draft", status=ResourceStatus.DRAFT)

    response = client.get(reverse("practice_library:feed"))

    assert entry_titles(response) == ["Public"]


def test_feed_entries_carry_the_summary_not_the_body(client):
    ResourceFactory(title="Public", summary="The teaser.", body="The long body text.")

    text = client.get(reverse("practice_library:feed")).content.decode()

    assert "The teaser." in text
    assert "The long body text." not in text


def test_topic_feed_lists_public_resources_of_that_topic_only(client, safeguarding, education):
    ResourceFactory(title="Safeguarding guide", topics=[safeguarding])
    ResourceFactory(title="Education guide", topics=[education])

    response = client.get(reverse("practice_library:topic_feed", args=["safeguarding"]))

    assert entry_titles(response) == ["Safeguarding guide"]
    assert "Safeguarding" in ElementTree.fromstring(response.content).find(f"{ATOM}title").text


def test_feed_links_use_the_site_address(client, settings):
    settings.SITE_URL = "https://network.example.org"
    resource = ResourceFactory(title="Public")

    text = client.get(reverse("practice_library:feed")).content.decode()

    assert f'href="https://network.example.org{resource.get_absolute_url()}"' in text
    assert 'href="https://network.example.org/library/feed/"' in text
    assert "example.com" not in text


def test_feed_of_an_unknown_topic_is_not_found(client):
    response = client.get(reverse("practice_library:topic_feed", args=["no-such-topic"]))

    assert response.status_code == 404


# --- Feed readers asking again ---------------------------------------------------------


def test_an_unchanged_feed_answers_not_modified_to_a_reader_with_its_etag(client):
    ResourceFactory(title="Public")
    first = client.get(reverse("practice_library:feed"))

    again = client.get(reverse("practice_library:feed"), headers={"if-none-match": first["ETag"]})

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_newly_published_resource_gives_the_feed_a_new_etag(client):
    ResourceFactory(title="Older public")
    first = client.get(reverse("practice_library:feed"))

    ResourceFactory(title="Newer public")
    again = client.get(reverse("practice_library:feed"), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert entry_titles(again)[0] == "Newer public"


def test_an_edited_resource_gives_the_feed_a_new_etag(client):
    resource = ResourceFactory(title="Reflective supervision")
    first = client.get(reverse("practice_library:feed"))

    resource.title = "Reflective supervision: a record template"
    resource.save()
    again = client.get(reverse("practice_library:feed"), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert entry_titles(again) == ["Reflective supervision: a record template"]


def test_a_resource_whose_publication_time_passes_gives_the_feed_a_new_etag(client):
    ResourceFactory(title="Already out", published_at=timezone.now() - timedelta(days=2))
    scheduled = ResourceFactory(title="Scheduled", published_at=timezone.now() + timedelta(hours=1))
    first = client.get(reverse("practice_library:feed"))
    assert entry_titles(first) == ["Already out"]

    # The clock passes its publication time: nothing is saved, no signal is sent.
    type(scheduled).objects.filter(pk=scheduled.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    again = client.get(reverse("practice_library:feed"), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert entry_titles(again) == ["Scheduled", "Already out"]


def test_each_topic_feed_has_an_etag_of_its_own(client, safeguarding, education):
    ResourceFactory(title="Safeguarding guide", topics=[safeguarding])
    ResourceFactory(title="Education guide", topics=[education])
    safeguarding_feed = client.get(reverse("practice_library:topic_feed", args=["safeguarding"]))

    education_feed = client.get(
        reverse("practice_library:topic_feed", args=["education"]),
        headers={"if-none-match": safeguarding_feed["ETag"]},
    )

    assert education_feed.status_code == 200
    assert entry_titles(education_feed) == ["Education guide"]


def test_library_page_announces_its_feed(client):
    text = client.get(reverse("practice_library:index")).content.decode()

    assert (
        f'type="application/atom+xml" title="New in the library" href="{reverse("practice_library:feed")}"'
        in text
    )


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(response) -> list[str]:
    return [loc.text for loc in ElementTree.fromstring(response.content).iter(f"{SITEMAP}loc")]


def library_sitemap(page: int = 1) -> str:
    path = reverse("sitemap_section", kwargs={"section": "library"})
    return path if page == 1 else f"{path}?p={page}"


def test_sitemap_lists_public_live_resources_only(client, settings):
    settings.SITE_URL = "https://network.example.org"
    public = ResourceFactory(title="Public guide")
    members = ResourceFactory(title="Members guide", access_level=AccessLevel.MEMBERS)
    draft = ResourceFactory(title="Draft guide", status=ResourceStatus.DRAFT)

    text = client.get(library_sitemap()).content.decode()

    assert f"<loc>https://network.example.org{public.get_absolute_url()}</loc>" in text
    assert members.get_absolute_url() not in text
    assert draft.get_absolute_url() not in text


def test_sitemap_index_names_every_page_of_the_library_sitemap(client, settings, monkeypatch):
    settings.SITE_URL = "https://network.example.org"
    monkeypatch.setattr(ResourceSitemap, "limit", 2)
    for number in range(5):
        ResourceFactory(title=f"Public guide {number}")

    response = client.get(reverse("sitemap"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    section = "https://network.example.org" + library_sitemap()
    assert locations(response) == [section, f"{section}?p=2", f"{section}?p=3"]
    assert "noindex" in response["X-Robots-Tag"]


def test_sitemap_index_dates_its_pages_by_the_newest_change(client):
    older = ResourceFactory(title="Older guide")
    newer = ResourceFactory(title="Newer guide")
    type(older).objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=9))

    root = ElementTree.fromstring(client.get(reverse("sitemap")).content)

    lastmod = root.find(f"{SITEMAP}sitemap/{SITEMAP}lastmod").text
    newer.refresh_from_db()
    assert lastmod == newer.updated_at.astimezone(timezone.get_current_timezone()).isoformat()


def test_a_later_page_of_the_library_sitemap_lists_the_resources_after_the_first(
    client, monkeypatch
):
    monkeypatch.setattr(ResourceSitemap, "limit", 2)
    resources = [ResourceFactory(title=f"Public guide {number}") for number in range(3)]

    last = client.get(library_sitemap(page=2))

    assert [urlsplit(location).path for location in locations(last)] == [
        resources[2].get_absolute_url()
    ]


def test_an_unchanged_sitemap_page_answers_not_modified_and_a_new_resource_changes_it(client):
    ResourceFactory(title="Public guide")
    first = client.get(library_sitemap())
    unchanged = client.get(library_sitemap(), headers={"if-none-match": first["ETag"]})

    ResourceFactory(title="Another public guide")
    changed = client.get(library_sitemap(), headers={"if-none-match": first["ETag"]})

    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert len(locations(changed)) == 2


def test_an_unchanged_sitemap_index_answers_not_modified(client):
    ResourceFactory(title="Public guide")
    first = client.get(reverse("sitemap"))

    again = client.get(reverse("sitemap"), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304


def test_a_sitemap_section_that_does_not_exist_is_not_found(client):
    response = client.get(reverse("sitemap_section", kwargs={"section": "forum"}))

    assert response.status_code == 404
