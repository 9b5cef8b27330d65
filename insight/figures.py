"""The figures insight's pages show, charts drawn, kept in the cache (every web process
shares them) and kept warm by beat, so staff never wait for a dozen charts to be drawn.

The counts change with the hourly rollup; drawing the dashboard's charts costs more than
all of its queries (about a quarter of a second), so a page's figures are kept for
FIGURES_CACHE_SECONDS, and `dashboard_warm` (every few minutes) draws the views staff open
most (each period, compared with the one before) before they expire.
"""

from django.core.cache import cache

from insight import dashboard
from insight.charts import chart_svg
from insight.periods import PERIODS, period_from
from insight.tables import Table

FIGURES_CACHE_SECONDS = 10 * 60


def cached(key: str, build):
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, FIGURES_CACHE_SECONDS)
    return found


def _dashboard_key(period, compared) -> str:
    return f"insight:dashboard:{period.key}:{bool(compared)}:{period.last}"


def _draw_panels(period, compared) -> list:
    return [(title, drawn(tables)) for title, tables in dashboard.panels(period, compared)]


def dashboard_panels(period, compared) -> list:
    return cached(_dashboard_key(period, compared), lambda: _draw_panels(period, compared))


def dashboard_warm() -> int:
    """Draw each period's dashboard (compared with the period before) afresh into the
    cache; returns how many were drawn."""
    for key in PERIODS:
        _form, period, compared = period_from({"period": key, "compare": "previous"})
        cache.set(
            _dashboard_key(period, compared),
            _draw_panels(period, compared),
            FIGURES_CACHE_SECONDS,
        )
    return len(PERIODS)


def drawn(tables: list[Table]) -> list[Table]:
    for table in tables:
        if table.chart is not None:
            table.svg = chart_svg(table)
            table.svg_narrow = chart_svg(table, narrow=True)
    return tables
