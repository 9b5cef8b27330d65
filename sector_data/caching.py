"""Drawn charts are kept in the cache until anything they are made from changes.

Drawing a chart (its grouped query, two SVGs and its table) costs tens of milliseconds;
the figures change only when an editor uploads a version or edits a page, a chart, a
dataset or a council. Every such save or delete moves the cache to a new generation (one
key read per page view), so a stale chart is never shown and no key needs deleting:
old generations simply expire.
"""

import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

GENERATION_KEY = "sector_data:generation"
CHART_TIMEOUT = 24 * 60 * 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY, 0)
    return value


def generation_bump(**kwargs) -> None:
    cache.set(GENERATION_KEY, time.time_ns(), None)


def connect() -> None:
    """Called from the app's ready(): every model a drawn chart depends on."""
    from sector_data.models import (
        Chart,
        Council,
        DataPage,
        Dataset,
        DatasetColumn,
        DatasetVersion,
        Measure,
    )

    for model in (Chart, Council, DataPage, Dataset, DatasetColumn, DatasetVersion, Measure):
        for signal in (post_save, post_delete):
            signal.connect(generation_bump, sender=model, dispatch_uid=f"sector_data_{model}")


# The councils of the current generation, kept in this process too: unpickling 150 model
# instances from the shared cache on every page view cost several milliseconds.
_process_councils: dict[int, list] = {}


def filter_councils() -> list:
    """Every council (name, slug, region) for the filter, read once per generation."""
    from sector_data.models import Council

    current = generation()
    councils = _process_councils.get(current)
    if councils is not None:
        return councils
    key = f"sector_data:councils:{current}"
    councils = cache.get(key)
    if councils is None:
        councils = list(Council.objects.only("name", "slug", "region").order_by("region", "name"))
        cache.set(key, councils, CHART_TIMEOUT)
    _process_councils.clear()
    _process_councils[current] = councils
    return councils
