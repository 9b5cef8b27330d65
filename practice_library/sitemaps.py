from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from practice_library.models import Resource


class ResourceSitemap(Sitemap):
    """Public resources only: pages a search engine can read in full."""

    changefreq = "monthly"
    priority = 0.6
    limit = 5000

    # The address comes from SITE_URL, not from the sites framework's Site row (which
    # nothing keeps in step with the real address).
    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def items(self):
        return Resource.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item: Resource):
        return item.updated_at
