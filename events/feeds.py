"""The Atom feed of upcoming events (links absolute from SITE_URL, as the library's)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from events.models import Event, EventStatus
from events.templatetags.events import uk_when

FEED_LENGTH = 30


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
        return Event.objects.filter(status=EventStatus.PUBLISHED).upcoming()[:FEED_LENGTH]

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
