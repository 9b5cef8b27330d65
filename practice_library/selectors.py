"""Read queries of the library for other pages (the members' home page) and for the
public listings read by machines (the feeds, the sitemap)."""

import hashlib
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from practice_library import access
from practice_library.models import Resource
from practice_library.search.cache import library_version

NEW_RESOURCE_DAYS = 90


def new_resources_in_topics(
    user, *, topic_ids: list[int] | None = None, limit: int = 5, now: datetime | None = None
) -> list[Resource]:
    """Resources published in the last NEW_RESOURCE_DAYS in the person's topics of
    interest (`topic_ids` when the caller has them) that they may read in full, newest
    first (none without topics)."""
    if not user.is_authenticated:
        return []
    if topic_ids is None:
        topic_ids = list(user.topics.values_list("pk", flat=True))
    if not topic_ids:
        # Without topics nothing can match; the query would walk every recent resource.
        return []
    now = now or timezone.now()
    in_topics = Resource.topics.through.objects.filter(topic__in=topic_ids).values("resource")
    return list(
        Resource.objects.live(now=now)
        .filter(
            pk__in=in_topics,
            access_level__in=access.readable_levels(user),
            published_at__gte=now - timedelta(days=NEW_RESOURCE_DAYS),
        )
        .for_listing()
        .order_by("-published_at", "-pk")[:limit]
    )


def public_listing_etag(*parts: object) -> str:
    """An ETag for a public listing of resources (a feed, a page of the sitemap), from
    what its content depends on: the library's version (replaced by every save or delete
    of a resource, type or topic, and by every reindex), the newest publication time
    passed (a resource scheduled for later joins the listings by the clock alone), the
    site's address, and `parts` (which listing: its topic, its page)."""
    newest = Resource.objects.public().aggregate(newest=Max("published_at"))["newest"]
    state = [library_version(), newest.isoformat() if newest else "", settings.SITE_URL]
    state += [str(part) for part in parts]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]
