"""The Atom feed of upcoming events (links absolute from SITE_URL, as the library's)."""

import hashlib
import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from events.models import Event
from events.selectors import calendar_feed_events, published_upcoming
from events.templatetags.events import uk_when

FEED_LENGTH = 30


def _etag(listing: str, events) -> str:
    """What a feed's content depends on: which events it lists, each one's last change
    (every save sets updated_at, as do the finishing job and admin action), and the
    site's address its links start with."""
    rows = [(pk, updated.isoformat()) for pk, updated in events.values_list("pk", "updated_at")]
    state = [listing, settings.SITE_URL, settings.SITE_NAME, rows]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


def atom_feed_etag(request: HttpRequest) -> str:
    return _etag("atom", published_upcoming()[:FEED_LENGTH])


def calendar_feed_etag(request: HttpRequest) -> str:
    # Weak: each response stamps the time it was made (DTSTAMP), so two answers with the
    # same tag differ in that line alone and mean the same calendar.
    return f'W/"{_etag("ics", calendar_feed_events())}"'


class UpcomingEventsFeed(Feed):
    feed_type = Atom1Feed
    # Public: feed readers never sign in.
    login_required = False
    title = "English Residential Network: upcoming events"
    subtitle = "Sessions, webinars, regional meetings and conferences for the sector."

    def link(self) -> str:
        return settings.SITE_URL + reverse("events:index")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("events:feed")

    def item_link(self, item: Event) -> str:
        return settings.SITE_URL + item.get_absolute_url()

    def items(self):
        return published_upcoming()[:FEED_LENGTH]

    def item_title(self, item: Event) -> str:
        return item.title

    def item_description(self, item: Event) -> str:
        return f"{uk_when(item)}. {item.get_region_display()}. {item.summary}"

    def item_pubdate(self, item: Event):
        return item.published_at or item.created_at

    def item_updateddate(self, item: Event):
        return item.updated_at

    def item_categories(self, item: Event) -> list[str]:
        return [item.get_format_display()]
