"""Cached search results: the counts and page ids of a search, and the search page's
rendered results, for CACHE_SECONDS, under a version that every change to the library
replaces (library_changed: after a reindex, and on saving or deleting a resource, a
resource type or a topic), so repeated and paged searches skip the scans; and a
phrase's word pairs, which never change."""

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import QueryDict

from network.celery import on_commit_once
from practice_library.search.params import SearchParams

CACHE_SECONDS = 300
PHRASE_PAIRS_SECONDS = 24 * 60 * 60
_VERSION_KEY = "library:search:version"

T = TypeVar("T")


def library_version() -> str:
    """The library's current version: replaced by every change to what search and the
    feeds show (library_changed), so anything kept under it is current."""
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(_VERSION_KEY, version, None):
            version = cache.get(_VERSION_KEY, version)
    return version


def library_changed() -> None:
    """Forget every cached search: called after any change to what search reads."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


def _shown_changed(**kwargs) -> None:
    # Now, for this transaction's own later reads, and after commit, since another
    # process may cache what it saw before the commit (as search_entries_refresh does).
    library_changed()
    on_commit_once(library_changed)


# What the rendered results show besides the search entries: titles, addresses, dates
# and access of resources, the names of types and topics in the facets.
SHOWN_IN_RESULTS = ["practice_library.Resource", "practice_library.ResourceType", "network.Topic"]


def connect_signals() -> None:
    """Called from PracticeLibraryConfig.ready()."""
    for label in SHOWN_IN_RESULTS:
        post_save.connect(_shown_changed, sender=label, dispatch_uid=f"library-save-{label}")
        post_delete.connect(_shown_changed, sender=label, dispatch_uid=f"library-delete-{label}")


def _versioned_key(kind: str, state) -> str:
    """A key for `state` (anything JSON takes) under the library's current version."""
    digest = hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]
    return f"library:{kind}:{library_version()}:{digest}"


def _search_key(params: SearchParams, *parts) -> str:
    p = params
    return _versioned_key("search", [p.q, p.types, p.topics, p.audiences, p.years, *parts])


def _cached(key: str, compute: Callable[[], T], seconds: int) -> T:
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


def counts_cached(params: SearchParams, compute: Callable[[], T]) -> T:
    """The hits and facet counts of a search (whatever its sort and page)."""
    return _cached(_search_key(params, "counts"), compute, CACHE_SECONDS)


def page_ids_cached(
    params: SearchParams, *, offset: int, limit: int, compute: Callable[[], list[int]]
) -> list[int]:
    """The ids of one page of hits, in order."""
    key = _search_key(params, "page", params.effective_sort, offset, limit)
    return _cached(key, compute, CACHE_SECONDS)


def phrase_pairs_cached(phrases: list[str], compute: Callable[[], T]) -> T:
    """The word pairs of quoted phrases (a phrase's pairs never change)."""
    key = "library:search:pairs:" + hashlib.sha256(json.dumps(phrases).encode()).hexdigest()
    return _cached(key, compute, PHRASE_PAIRS_SECONDS)


def search_body_cached(data: QueryDict, compute: Callable[[], T]) -> T:
    """What the search page shows below its heading for this query string: the same for
    every reader, so rendered once per version and query string (any order of the
    parameters counts as another string; they are few in practice)."""
    return _cached(_versioned_key("body", sorted(data.lists())), compute, CACHE_SECONDS)
