"""A chart's figures as CSV: exactly its table, with where they come from above it."""

import csv
import io

from django.utils import timezone

from members.exports import safe_cell
from sector_data.models import ILLUSTRATIVE_LABEL
from sector_data.selectors.chart_data import ChartData
from sector_data.selectors.places import Place


def chart_csv_text(data: ChartData, *, place: Place) -> str:
    """Title, source and place lines, a blank line, then the table (numbers as shown)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    lines = [data.chart.title, data.source_line()]
    if data.dataset.period_covered:
        lines.append(f"Period covered: {data.dataset.period_covered}")
    if data.dataset.method_notes:
        # One line, so the table still starts after the first blank one.
        lines.append(f"Method: {' '.join(data.dataset.method_notes.split())}")
    if data.version is not None:
        # The date says which figures these are once the file has left the site.
        updated = timezone.localdate(data.version.uploaded_at)
        lines.append(
            f"Dataset: {data.dataset.title}, version {data.version.number}, "
            f"figures updated {updated:%-d %B %Y}"
        )
    lines.append(f"Place: {place.name}")
    # What the page says beside the chart (whose figures, none for a council, how rates
    # are worked out) holds for the figures wherever they are read.
    lines.extend(f"Note: {note}" for note in data.notes)
    if data.illustrative:
        lines.append(ILLUSTRATIVE_LABEL)
    for line in lines:
        writer.writerow([safe_cell(line)])
    writer.writerow([])
    writer.writerow([safe_cell(data.category_heading), *[safe_cell(s.name) for s in data.series]])
    for category, values in data.rows():
        # Numbers are written as numbers (a negative one must stay negative); only text is
        # guarded against being run as a formula.
        numbers = ["" if value is None else _number(value) for value in values]
        writer.writerow([safe_cell(category), *numbers])
    return buffer.getvalue()


def _number(value: float) -> str:
    # As shown: one decimal place, or two for pence; no trailing zeros.
    return f"{value:.2f}".rstrip("0").removesuffix(".")
