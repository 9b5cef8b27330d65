"""Admin change lists over tables that grow for years (forum posts, library resources,
newsletter deliveries): a page's work stays bounded however many rows there are.

Out of the box a change list counts every row its filters leave (for the paginator,
then again for the "N total" beside the search box), and a date hierarchy lists its
years with a DISTINCT over every row: at 2,000,000 posts each is a scan of the whole
table, every time the list is opened or filtered. Here:

- the paginator counts up to COUNT_UP_TO rows and then says "more than" (a filter, the
  year or a search narrows the list; nobody pages through ten thousand rows);
- the total beside the search box is not counted, nor the counts beside each filter's
  choices (Django's facets);
- a year filter takes the date hierarchy's place: its years run from the oldest row to
  the newest, two reads of the date's index, and picking one is a range on it.

Each such list is ordered by an index of its own, so a page is a read of that index.
"""

import re

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.functional import cached_property

# Rows a change list counts at most. A hundred pages of the admin's 100 rows.
COUNT_UP_TO = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_UP_TO rows; `capped` says there are more."""

    capped = False

    @cached_property
    def count(self) -> int:
        # In no order: the number is the same, and PostgreSQL need not sort to find it.
        counted = self.object_list.order_by()[: COUNT_UP_TO + 1].count()
        self.capped = counted > COUNT_UP_TO
        return min(counted, COUNT_UP_TO)


class LargeTableAdmin(admin.ModelAdmin):
    """A ModelAdmin for a table of millions of rows (see the module's docstring). Give it
    an `ordering` that an index serves, and a year_filter() instead of date_hierarchy."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    date_hierarchy = None
    # Counts beside each filter's choices would count every row for each of them.
    show_facets = admin.ShowFacets.NEVER


def year_filter(field_name: str, title: str) -> type[admin.SimpleListFilter]:
    """A list filter by the year (in the site's time zone) of a date or date-time field
    with an index: the years from the oldest value to the newest, newest first."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = f"{field_name}_year"

        def lookups(self, request, model_admin):
            # The whole table's range, not the filtered list's: MIN and MAX of an indexed
            # column are two reads of the index, whatever else is filtered.
            bounds = model_admin.model._default_manager.aggregate(
                first=Min(field_name), last=Max(field_name)
            )
            if bounds["first"] is None:
                return []
            first, last = (_year(bounds[end]) for end in ("first", "last"))
            return [(str(year), str(year)) for year in range(last, first - 1, -1)]

        def queryset(self, request, queryset):
            value = self.value()
            if value is None:
                return queryset
            if not re.fullmatch(r"[1-9][0-9]{3}", value):
                # From the address bar: no year, so no rows (and no date out of range).
                return queryset.none()
            # __year is a range on the column (the year's bounds in the time zone), so
            # the index finds the rows.
            return queryset.filter(**{f"{field_name}__year": int(value)})

    YearFilter.title = title
    YearFilter.__name__ = f"{field_name.title().replace('_', '')}YearFilter"
    return YearFilter


def _year(value) -> int:
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return value.year
