"""A chart's figures, for the reader's place: `chart_data` builds the ChartData from one
grouped query per chart (two when a council is chosen), whatever the number of councils
and years.

Where figures come from, for a place and a year:
    council   its own rows
    region    the region's own rows if the file has any; else, for counts, the sum of its
              councils' rows
    England   England's rows if the file has any; else, for counts, the sum of the
              regions' rows, else of every council's
Rates per 10,000 children are always worked out from council rows whose council has a
known child population: the region's (or England's) rate is their total over their
children, so a region is compared with its councils on the same footing.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Sum

from sector_data.models import (
    Chart,
    ChartDimension,
    ChartKind,
    Council,
    DatasetVersion,
    Level,
    Measure,
    Observation,
    Rating,
)
from sector_data.selectors.chart_data import ChartData, Series
from sector_data.selectors.places import ENGLAND_ONLY, REGION_LABELS, Place, places_compared

RATING_ORDER = [value for value, _ in Rating.choices]
RATING_LABELS = dict(Rating.choices)


def current_versions(datasets: Iterable[int]) -> dict[int, DatasetVersion]:
    """The current version of each dataset, in one query."""
    versions = DatasetVersion.objects.filter(dataset_id__in=set(datasets), is_current=True)
    return {version.dataset_id: version for version in versions}


def _dimension_field(chart: Chart) -> str:
    if chart.dimension:
        return chart.dimension
    if chart.kind == ChartKind.STACKED:
        return ChartDimension.RATING
    return ""


def _dimension_values(field_name: str, found: set[str]) -> list[str]:
    if field_name == ChartDimension.RATING:
        # Rows without a rating (a file without that column) are one "Not stated" part.
        return [value for value in [*RATING_ORDER, ""] if value in found]
    return sorted(found, key=_natural_key)


def _natural_key(text: str) -> tuple:
    """Age bands sort by their first number ("under 10" before "10 to 13")."""
    digits = "".join(ch if ch.isdigit() else " " for ch in text).split()
    first = int(digits[0]) if digits else 0
    return (0 if text.lower().startswith("under") else 1, first, text)


def _dimension_label(field_name: str, value: str) -> str:
    if field_name == ChartDimension.RATING and value:
        return RATING_LABELS.get(value, value)
    return value or "Not stated"


class _Figures:
    """Figures of one measure, by place, year and dimension value, from grouped rows."""

    def __init__(self, measure: Measure) -> None:
        self.measure = measure
        self.england: dict[tuple, float] = {}
        self.regions: dict[tuple, float] = {}
        self.region_sums: dict[tuple, float] = {}
        self.council: dict[tuple, float] = {}
        self.years: set[int] = set()
        self.dim_values: set[str] = set()

    def add(self, level: str, region: str, year: int, dim: str, total: float) -> None:
        self.years.add(year)
        self.dim_values.add(dim)
        if level == Level.ENGLAND:
            self.england[(year, dim)] = total
        elif level == Level.REGION:
            self.regions[(region, year, dim)] = total
        else:
            self.region_sums[(region, year, dim)] = total

    def england_value(self, year: int, dim: str) -> float | None:
        if self.england:
            return self.england.get((year, dim))
        if not self.measure.additive:
            return None
        source = self.regions or self.region_sums
        values = [v for (_, y, d), v in source.items() if y == year and d == dim]
        return sum(values) if values else None

    def region_value(self, region: str, year: int, dim: str) -> float | None:
        if self.regions:
            return self.regions.get((region, year, dim))
        if not self.measure.additive:
            return None
        return self.region_sums.get((region, year, dim))

    def value(self, place_kind: str, region: str, year: int, dim: str) -> float | None:
        if place_kind == "england":
            return self.england_value(year, dim)
        if place_kind == "region":
            return self.region_value(region, year, dim)
        return self.council.get((year, dim))


class _Rates(_Figures):
    """Rates per 10,000 children, from council rows with a known child population."""

    def __init__(self, measure: Measure) -> None:
        super().__init__(measure)
        self.totals: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
        self.council_rates: dict[tuple, float] = {}
        # Which councils the rates come from (by "england" and by region), the years of
        # their child populations, and how many councils each place has in all.
        self.councils_used: dict[str, set[int]] = defaultdict(set)
        self.population_years: set[int] = set()
        self.councils_in_all: dict[str, int] = {}

    def add_council(
        self,
        region: str,
        council_id: int,
        year: int,
        dim: str,
        total: float,
        population: int,
        population_year: int | None = None,
    ) -> None:
        self.years.add(year)
        self.dim_values.add(dim)
        self.councils_used["england"].add(council_id)
        self.councils_used[region].add(council_id)
        if population_year:
            self.population_years.add(population_year)
        for key in (("england", "", year, dim), ("region", region, year, dim)):
            self.totals[key][0] += total
            self.totals[key][1] += population
        self.council_rates[(council_id, year, dim)] = total / population * 10_000

    def value(self, place_kind: str, region: str, year: int, dim: str) -> float | None:
        if place_kind == "council":
            return self.council.get((year, dim))
        total, population = self.totals.get((place_kind, region, year, dim), (0.0, 0.0))
        return total / population * 10_000 if population else None


def _figures(
    chart: Chart, version: DatasetVersion | None, place: Place, dim_field: str
) -> _Figures:
    measure = chart.measure
    per_10k = chart.per_10k_children and measure.additive
    if version is None:
        return _Rates(measure) if per_10k else _Figures(measure)
    rows = Observation.objects.filter(version=version, measure=measure)
    dim_columns = [dim_field] if dim_field else []
    if per_10k:
        figures = _Rates(measure)
        grouped = (
            rows.filter(level=Level.COUNCIL, council__child_population__gt=0)
            .values(
                "region",
                "council_id",
                "council__child_population",
                "council__population_year",
                "year",
                *dim_columns,
            )
            .annotate(total=Sum("value"))
            .order_by()
        )
        for row in grouped:
            figures.add_council(
                row["region"],
                row["council_id"],
                row["year"],
                row[dim_field] if dim_field else "",
                row["total"],
                row["council__child_population"],
                row["council__population_year"],
            )
        by_region = Council.objects.values_list("region").annotate(n=Count("pk")).order_by()
        figures.councils_in_all = dict(by_region)
        figures.councils_in_all["england"] = sum(figures.councils_in_all.values())
        if place.council is not None:
            figures.council = {
                (year, dim): rate
                for (council_id, year, dim), rate in figures.council_rates.items()
                if council_id == place.council.pk
            }
        return figures
    figures = _Figures(measure)
    grouped = (
        rows.values("level", "region", "year", *dim_columns).annotate(total=Sum("value")).order_by()
    )
    for row in grouped:
        figures.add(
            row["level"],
            row["region"],
            row["year"],
            row[dim_field] if dim_field else "",
            row["total"],
        )
    if place.council is not None:
        own = (
            rows.filter(council=place.council)
            .values("year", *dim_columns)
            .annotate(total=Sum("value"))
            .order_by()
        )
        figures.council = {
            (row["year"], row[dim_field] if dim_field else ""): row["total"] for row in own
        }
    return figures


def chart_data(
    chart: Chart, *, version: DatasetVersion | None, place: Place = ENGLAND_ONLY
) -> ChartData:
    """Everything one chart shows, for one place."""
    measure = chart.measure
    dim_field = _dimension_field(chart)
    figures = _figures(chart, version, place, dim_field)
    per_10k = isinstance(figures, _Rates)
    years = sorted(figures.years)
    data = ChartData(
        chart=chart,
        measure=measure,
        dataset=measure.dataset,
        version=version,
        categories=[str(year) for year in years],
        category_heading="Year",
        series=[],
        per_10k=per_10k,
        place_name=place.name,
    )
    if chart.per_10k_children and not measure.additive:
        data.notes.append("Rates per 10,000 children need a count; this measure is not one.")
    comparisons = places_compared(place)
    if per_10k and years:
        data.notes.extend(_rate_notes(figures, comparisons))
    kind, region, name = comparisons[-1]
    if chart.kind == ChartKind.REGION_BARS:
        _region_bars(data, figures, years, comparisons)
    elif chart.kind == ChartKind.STACKED or dim_field:
        data.stacked = chart.kind == ChartKind.STACKED
        for dim in _dimension_values(dim_field, figures.dim_values):
            values = [figures.value(kind, region, year, dim) for year in years]
            data.series.append(Series(_dimension_label(dim_field, dim), values))
        data.notes.append(f"Figures for {name}.")
    else:
        for kind, region, name in comparisons:
            values = [figures.value(kind, region, year, "") for year in years]
            data.series.append(Series(name, values))
    # Figures of 0 are figures: a council with no inadequate home has a row saying so.
    if place.council is not None and not figures.council:
        data.notes.append(f"This dataset has no figures for {place.council.name}.")
    return data


def _rate_notes(figures: _Rates, comparisons) -> list[str]:
    """Which child populations the rates use and, for England and the region, from how
    many of their councils: a rate from 3 councils otherwise read as a national one."""
    years = sorted(figures.population_years)
    if not years:
        used = "the child population held for each council"
    elif len(years) == 1:
        used = f"each council's child population in {years[0]}"
    else:
        used = f"each council's latest child population, from {years[0]} to {years[-1]}"
    notes = [f"Rates per 10,000 children use {used}, for every year shown."]
    for kind, region, name in comparisons:
        if kind == "council":
            continue
        key = "england" if kind == "england" else region
        used_here, in_all = len(figures.councils_used[key]), figures.councils_in_all.get(key, 0)
        if used_here < in_all:
            others = "the other has" if in_all - used_here == 1 else "the others have"
            notes.append(
                f"The rate for {name} comes from {used_here} of its {in_all} councils: "
                f"{others} no figures in this dataset or no child population on record."
            )
    return notes


def _region_bars(data: ChartData, figures: _Figures, years: list[int], comparisons) -> None:
    data.horizontal = True
    data.category_heading = "Region"
    latest = next(
        (
            year
            for year in reversed(years)
            if any(figures.value("region", r, year, "") is not None for r in REGION_LABELS)
        ),
        years[-1] if years else None,
    )
    categories, values = [], []
    # Counts of a region and of England differ by an order of magnitude; comparing them
    # in one bar chart only makes sense for rates and percentages.
    comparable = data.per_10k or not data.measure.additive
    for kind, region, name in comparisons:
        if kind == "region" or not comparable:
            continue
        categories.append(name)
        values.append(figures.value(kind, region, latest, "") if latest else None)
    for region, label in REGION_LABELS.items():
        categories.append(label)
        values.append(figures.value("region", region, latest, "") if latest else None)
    data.categories = categories
    data.series = [Series(str(latest) if latest else "No figures", values)]
