"""The sitemap for search engines: an index (/sitemap.xml) naming every page of every
section, and the sections' pages of at most `limit` addresses each.

Search engines find the pages past a section's first only through the index
(https://www.sitemaps.org/protocol.html#index). Django's index view writes the
addresses from the sites framework's Site row, which nothing keeps in step with the real
address: sitemap_index writes them from SITE_URL, as the sections do their own.

Crawlers ask again and send back the ETag of what they have: an unchanged index or page
answers 304 Not Modified before anything is rendered (selectors.public_listing_etag).
Every section is the library's; a section from another app would need its own part in
those ETags.
"""

import math
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Count, Max
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import condition, require_GET

from practice_library.models import Resource
from practice_library.selectors import public_listing_etag


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

    def pages_and_newest(self) -> tuple[int, datetime | None]:
        """The number of pages and the newest change, in one pass over the items (Django's
        index counts them for its paginator and reads every one for the newest)."""
        found = self.items().aggregate(count=Count("pk"), newest=Max("updated_at"))
        # As the paginator counts: one page even when there is nothing.
        return max(1, math.ceil(found["count"] / self.limit)), found["newest"]


SITEMAPS = {"library": ResourceSitemap}


def index_etag(request: HttpRequest) -> str:
    return public_listing_etag("sitemap index")


def section_etag(request: HttpRequest, section: str, **view_kwargs) -> str:
    return public_listing_etag("sitemap", section, request.GET.get("p", "1"))


@login_not_required
@require_GET
@condition(etag_func=index_etag)
@x_robots_tag
def sitemap_index(request: HttpRequest) -> TemplateResponse:
    """Every page of every section, under the site's own address."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = settings.SITE_URL + reverse("sitemap_section", kwargs={"section": section})
        pages, lastmod = sitemap.pages_and_newest()
        entries.append(SitemapIndexItem(location, lastmod))
        entries += [
            SitemapIndexItem(f"{location}?p={page}", lastmod) for page in range(2, pages + 1)
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
