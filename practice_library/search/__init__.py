"""Finding resources: the query string in, one page of results and facet counts out.

The one entry point is Library (views build one per request); the rest of the package:

- params:    the query string read and bounded (SearchParams, clean_query, SORTS)
- sqlite:    the engine of the embedded default (ORM filters and counts)
- postgres:  the engine on PostgreSQL (search entries, relevance tiers, snippets)
- facets:    the facets' options and counts, exact or estimated from a sample
- cache:     counts, page ids, phrase pairs and the rendered results cached under the
             library's version
- highlight: the <mark>ed extracts both engines show
"""

from django.conf import settings
from django.core.paginator import Page
from django.http import QueryDict
from django.urls import reverse

from members.models import MemberType
from network import search_text
from network.models import Topic
from practice_library.models import ResourceType
from practice_library.search.cache import library_changed, search_body_cached
from practice_library.search.facets import Facet, facets_build
from practice_library.search.params import SORTS, parse_params
from practice_library.search.postgres import PostgresEngine
from practice_library.search.sqlite import SqliteEngine

# Stands for a slug in the detail page's address; a slug is letters, digits and hyphens.
_SLUG_MARK = "0-slug-mark-0"

__all__ = ["SORTS", "Library", "library_changed", "library_warm", "search_body_cached"]


class Library:
    """One search over the library, built from the query string."""

    def __init__(self, data: QueryDict):
        self.resource_types = list(ResourceType.objects.all())
        self.topics = list(Topic.objects.all())
        type_ids = {t.slug: t.pk for t in self.resource_types}
        topic_ids = {t.slug: t.pk for t in self.topics}
        self.params = parse_params(data, type_slugs=set(type_ids), topic_slugs=set(topic_ids))
        engine = PostgresEngine if settings.USING_POSTGRES else SqliteEngine
        self._engine = engine(self.params, type_ids=type_ids, topic_ids=topic_ids)

    @property
    def sort(self) -> str:
        return self.params.effective_sort

    def page(self) -> Page:
        """One page of results; each resource with its address (`url`)."""
        page = self._engine.page()
        # One reverse() for the page rather than one a result (a tenth of rendering it).
        link = reverse("practice_library:detail", kwargs={"slug": _SLUG_MARK})
        for resource in page.object_list:
            resource.url = link.replace(_SLUG_MARK, resource.slug)
        return page

    def facets(self) -> list[Facet]:
        return facets_build(
            self.params,
            self._engine.counts(),
            resource_types=self.resource_types,
            topics=self.topics,
        )

    @property
    def approximate(self) -> bool:
        """Whether the facets' counts are estimates (a search with very many matches)."""
        return self._engine.approximate

    @property
    def total_estimated(self) -> bool:
        """Whether the number of results is an estimate."""
        return self._engine.total_estimated

    def only_common_words(self) -> bool:
        """Whether the search text holds only words too common to search on ("the and
        of"), which find nothing: asked only when a search found nothing, to say why."""
        return search_text.only_common_words(self.params.text)

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, query string without that filter) for every active filter."""
        params = self.params
        names = {t.slug: t.name for t in self.resource_types}
        topics = {t.slug: t.name for t in self.topics}
        audiences = dict(MemberType.choices)
        active = []
        for slug in params.types:
            rest = [s for s in params.types if s != slug]
            active.append((f"Type: {names[slug]}", params.querystring(type=rest)))
        for slug in params.topics:
            rest = [s for s in params.topics if s != slug]
            active.append((f"Topic: {topics[slug]}", params.querystring(topic=rest)))
        for value in params.audiences:
            rest = [s for s in params.audiences if s != value]
            active.append((f"Audience: {audiences[value]}", params.querystring(audience=rest)))
        for year in params.years:
            rest = [str(y) for y in params.years if y != year]
            active.append((f"Year: {year}", params.querystring(year=rest)))
        return active


def library_warm() -> None:
    """Count the library's front page (no search, no filter) into the cache, so that
    the first visitor after a change does not wait for the pass over every entry."""
    if settings.USING_POSTGRES:
        Library(QueryDict()).page()
