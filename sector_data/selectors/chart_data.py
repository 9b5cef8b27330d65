"""ChartData: what one chart shows, as shown: its categories and series, each number
rounded and written out ("2,900", "82%", "£1,200"), a summary for people who cannot see
the chart, and the figure a page leads with."""

from dataclasses import dataclass, field

from sector_data.models import (
    ILLUSTRATIVE_LABEL,
    Chart,
    Dataset,
    DatasetVersion,
    Measure,
    Unit,
)
from sector_data.selectors.places import ENGLAND


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class ChartData:
    chart: Chart
    measure: Measure
    dataset: Dataset
    version: DatasetVersion | None
    categories: list[str]
    category_heading: str
    series: list[Series]
    per_10k: bool
    place_name: str = ENGLAND
    stacked: bool = False
    horizontal: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def illustrative(self) -> bool:
        return self.dataset.is_illustrative

    @property
    def unit(self) -> str:
        return "rate" if self.per_10k else self.measure.unit

    @property
    def value_heading(self) -> str:
        if self.per_10k:
            return f"{self.measure.label} per 10,000 children"
        if self.measure.unit == Unit.PERCENT:
            return f"{self.measure.label} (%)"
        return self.measure.label

    @property
    def is_empty(self) -> bool:
        return not any(value is not None for series in self.series for value in series.values)

    def rounded(self, value: float | None) -> float | None:
        """The number as shown: one decimal place at most (rates, percentages), or
        pounds and pence."""
        if value is None:
            return None
        return round(value, 2 if self.unit == Unit.POUNDS else 1)

    def format(self, value: float | None) -> str:
        return format_value(self.rounded(value), self.unit)

    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The table: one row per category, one column per series, as shown."""
        return [
            (category, [self.rounded(series.values[index]) for series in self.series])
            for index, category in enumerate(self.categories)
        ]

    def table_rows(self) -> list[tuple[str, list[tuple[float | None, str]]]]:
        """The table as shown: each number with its text ("2,900", "82%", "£1,200")."""
        return [
            (category, [(value, format_value(value, self.unit)) for value in values])
            for category, values in self.rows()
        ]

    def source_line(self) -> str:
        source = f"Source: {self.dataset.source_organisation}"
        if self.dataset.published_on:
            source += f", published {self.dataset.published_on:%-d %B %Y}"
        return f"{source}. Licence: {self.dataset.get_licence_display()}"

    def summary(self) -> str:
        """A sentence or three saying what the chart shows, for people who cannot see it."""
        if self.is_empty:
            return f"No figures for {self.value_heading.lower()} here yet."
        lead = f"{self.chart.get_kind_display()} of {self.value_heading.lower()}"
        if self.horizontal:
            points = [
                (category, value)
                for category, value in zip(self.categories, self.series[0].values, strict=True)
                if value is not None
            ]
            high = max(points, key=lambda point: point[1])
            low = min(points, key=lambda point: point[1])
            text = (
                f"{lead}, {self.series[0].name}. Highest: {high[0]}, "
                f"{self.format(high[1])}. Lowest: {low[0]}, {self.format(low[1])}."
            )
        elif self.stacked:
            last = _last_index(self.series)
            parts = [
                f"{series.name} {self.format(series.values[last])}"
                for series in self.series
                if series.values[last] is not None
            ]
            text = f"{lead}, {self.place_name}, {self.categories[0]} to {self.categories[-1]}. "
            text += f"In {self.categories[last]}: " + ", ".join(parts) + "."
        else:
            sentences = []
            for series in self.series:
                known = [
                    (category, value)
                    for category, value in zip(self.categories, series.values, strict=True)
                    if value is not None
                ]
                if not known:
                    sentences.append(f"{series.name}: no figures.")
                    continue
                (first_year, first), (last_year, last) = known[0], known[-1]
                if first_year == last_year:
                    sentences.append(f"{series.name}: {self.format(last)} in {last_year}.")
                else:
                    sentences.append(
                        f"{series.name}: {self.format(first)} in {first_year}, "
                        f"{self.format(last)} in {last_year}."
                    )
            text = f"{lead}, {self.categories[0]} to {self.categories[-1]}. " + " ".join(sentences)
        if self.illustrative:
            text += f" {ILLUSTRATIVE_LABEL}."
        return text

    def headline(self) -> tuple[str, str] | None:
        """The figure a page leads with: the latest value of the first series (the
        total of the latest bar when stacked)."""
        if self.is_empty:
            return None
        if self.stacked:
            last = _last_index(self.series)
            total = sum(s.values[last] for s in self.series if s.values[last] is not None)
            return (
                self.format(total),
                f"{self.value_heading}, {self.place_name}, {self.categories[last]}",
            )
        if self.horizontal:
            values = [v for v in self.series[0].values if v is not None]
            if self.measure.additive and not self.per_10k:
                return (
                    self.format(sum(values)),
                    f"{self.value_heading}, all regions, {self.series[0].name}",
                )
            return None
        first = self.series[0]
        for category, value in reversed(list(zip(self.categories, first.values, strict=True))):
            if value is not None:
                return self.format(value), f"{self.value_heading}, {first.name}, {category}"
        return None


def _last_index(series: list[Series]) -> int:
    """The last category with any figure."""
    length = len(series[0].values) if series else 0
    for index in range(length - 1, -1, -1):
        if any(s.values[index] is not None for s in series):
            return index
    return length - 1


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == Unit.POUNDS:
        # Whole pounds, or pounds and pence: never "£4,523.5".
        return f"£{value:,.0f}" if value == round(value) else f"£{value:,.2f}"
    text = f"{value:,.1f}".removesuffix(".0")
    if unit == Unit.PERCENT:
        return f"{text}%"
    return text
