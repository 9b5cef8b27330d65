from django.contrib.sitemaps import Sitemap

from practice_library.models import Resource


class ResourceSitemap(Sitemap):
    """Public resources only: pages a search engine can read in full."""

    changefreq = "monthly"
    priority = 0.6
    limit = 5000

    def items(self):
        return Resource.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item: Resource):
        return item.updated_at
