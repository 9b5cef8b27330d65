"""Read queries of the library for other pages (the members' home page)."""

from datetime import datetime, timedelta

from django.utils import timezone

from practice_library import access
from practice_library.models import Resource

NEW_RESOURCE_DAYS = 90


def new_resources_in_topics(user, *, limit: int = 5, now: datetime | None = None) -> list[Resource]:
    """Resources published in the last NEW_RESOURCE_DAYS in the person's topics of
    interest that they may read in full, newest first (none without topics)."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    in_topics = Resource.topics.through.objects.filter(
        topic__in=user.topics.through.objects.filter(user=user).values("topic")
    ).values("resource")
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
