"""A figure as insight shows it: a table (always), a chart drawn from the same numbers
(sometimes), a sentence for people who cannot see the chart, and a CSV download."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.http import HttpResponse


@dataclass
class Chart:
    """What pygal draws: one value per category in each series."""

    kind: str  # "line" or "bar"
    categories: list[str]
    series: list[tuple[str, list[float | None]]]


@dataclass
class Table:
    slug: str  # names its CSV download and its elements' ids
    title: str
    headings: list[str]
    rows: list[list]
    summary: str
    chart: Chart | None = None
    note: str = ""
    # Rows shown on the page when there are many (the CSV has every row).
    shown: int = 25
    # When `rows` are the first of a longer list (the most frequent, the most overdue):
    # how long the list is, so that neither the page nor the download claims all of it.
    listed_of: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def rows_are_a_selection(self) -> bool:
        return self.listed_of > len(self.rows)

    @property
    def rows_shown(self) -> list[list]:
        return self.rows[: self.shown]

    @property
    def more_rows(self) -> int:
        return max(0, len(self.rows) - self.shown)

    def csv_response(self, filename: str) -> HttpResponse:
        buffer = io.StringIO()
        # The byte order mark tells Excel the file is UTF-8: without it, "£" and "−"
        # opened as "Â£" and "âˆ’".
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(self.headings)
        for row in self.rows:
            writer.writerow([_plain(value) for value in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response


def _plain(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet programs run cells that start like a formula (CSV injection).
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def pounds(pence: int | float) -> str:
    pounds_, pence_ = divmod(round(pence), 100)
    return f"£{pounds_:,}.{pence_:02d}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def change(now: float, before: float | None) -> str:
    """ "+12 (+20.0%)" against the compared period, or "" without one."""
    if before is None:
        return ""
    difference = now - before
    sign = "+" if difference >= 0 else "−"
    text = f"{sign}{abs(difference):,.0f}"
    if before:
        text += f" ({sign}{abs(difference) / before * 100:.1f}%)"
    return text
