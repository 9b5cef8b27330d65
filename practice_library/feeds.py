"""Atom feeds of newly published public resources: all of them, and one per topic.

Links are absolute from SITE_URL: Django's feeds would otherwise take the domain of the
sites framework's Site row, which nothing keeps in step with the real address.

Feed readers ask again every few minutes, each reader for itself, and send back the
ETag of what they have: a feed that has not changed since answers 304 Not Modified
before anything is rendered (feed_etag, applied in urls.py).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from network.models import Topic
from practice_library.models import Resource
from practice_library.selectors import public_listing_etag

FEED_LENGTH = 30


def feed_etag(request: HttpRequest, slug: str | None = None) -> str:
    """The feed's ETag: the site's, or a topic's (selectors.public_listing_etag)."""
    return public_listing_etag("feed", slug or "")


class LatestResourcesFeed(Feed):
    feed_type = Atom1Feed
    # Public: feeds are read by feed readers, which never sign in.
    login_required = False
    title = "English Residential Network: new in the library"
    subtitle = "Newly published public resources from the best-practice library."

    def link(self) -> str:
        return settings.SITE_URL + reverse("practice_library:index")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("practice_library:feed")

    def item_link(self, item: Resource) -> str:
        return settings.SITE_URL + item.get_absolute_url()

    def items(self):
        return (
            Resource.objects.public().for_listing().order_by("-published_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: Resource) -> str:
        return item.title

    def item_description(self, item: Resource) -> str:
        return item.summary

    def item_pubdate(self, item: Resource):
        return item.published_at

    def item_updateddate(self, item: Resource):
        return item.updated_at

    def item_author_name(self, item: Resource) -> str:
        return item.source

    def item_categories(self, item: Resource) -> list[str]:
        return [item.resource_type.name]


class TopicResourcesFeed(LatestResourcesFeed):
    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic: Topic) -> str:
        return f"English Residential Network: new in the library on {topic.name}"

    def subtitle(self, topic: Topic) -> str:
        return f"Newly published public resources about {topic.name.lower()}."

    def link(self, topic: Topic) -> str:
        return f"{settings.SITE_URL}{reverse('practice_library:index')}?topic={topic.slug}"

    def feed_url(self, topic: Topic) -> str:
        return settings.SITE_URL + reverse("practice_library:topic_feed", args=[topic.slug])

    def items(self, topic: Topic):
        return (
            Resource.objects.public()
            .filter(topics=topic)
            .for_listing()
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )
