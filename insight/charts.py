"""Insight's charts: SVG drawn on the server by pygal, with sector_data's style and
cleaning (no script, no inline style, one <title> and <desc> for screen readers), so
they pass the strict CSP like the data pages' charts. Styles: static/sector_data/charts.css.
"""

from __future__ import annotations

from types import SimpleNamespace

import pygal
from django.utils.safestring import SafeString, mark_safe

from insight.tables import Table
from sector_data.charts import STYLE, _clean_svg

WIDTH, HEIGHT = 640, 360
NARROW_WIDTH, NARROW_HEIGHT = 340, 380
# The narrow line chart's plotting width (what its axis and margins leave of
# NARROW_WIDTH), and the distance its date labels need between their centres.
NARROW_PLOT_WIDTH, NARROW_LABEL_GAP = 280, 100


def chart_svg(table: Table, *, narrow: bool = False) -> SafeString:
    chart = table.chart
    many = len(chart.categories) > 12
    config = {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": NARROW_WIDTH if narrow else WIDTH,
        "height": NARROW_HEIGHT if narrow else HEIGHT,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1 if narrow else min(3, max(1, len(chart.series))),
        "show_legend": len(chart.series) > 1,
        "truncate_legend": -1,
        "truncate_label": 18 if narrow else 30,
        "print_values": False,
        "allow_interruptions": True,
        "include_x_axis": True,
        "margin": 12,
        "dots_size": 2 if many else 4,
        "show_dots": not many,
        "no_data_text": "No figures",
        "x_label_rotation": 0,
        "value_formatter": lambda value: f"{value:,.0f}" if value is not None else "",
    }
    # A date label ("12 Nov 2026") is about 70 px wide: on a phone's narrow chart more
    # than 4 of them ran into each other, so only every so many is written there. A
    # third of the categories apart was still too close there for 30 days (labels 96 px
    # apart read "18 Nov 202628 Nov 2026"): they are kept NARROW_LABEL_GAP apart.
    count = len(chart.categories)
    if count > (4 if narrow else 12):
        every = -(-count // (3 if narrow else 6))  # rounded up
        if narrow:
            every = max(every, -(-NARROW_LABEL_GAP * (count - 1) // NARROW_PLOT_WIDTH))
        config["x_labels_major_every"] = every
        config["show_minor_x_labels"] = False
    # Counts written as whole numbers: with a small largest count pygal puts its ticks at
    # 0.2, 0.4… and the axis read "0 0 0 1 1 1 1 1 2 2 2". Ticks at each whole number.
    values = [value for _, series in chart.series for value in series if value is not None]
    if values and all(float(value).is_integer() for value in values) and max(values) < 10:
        config["y_labels"] = list(range(int(max(max(values), 1)) + 1))
    kind = pygal.Line if chart.kind == "line" else pygal.HorizontalBar
    drawing = kind(**config)
    element_id = f"chart-{table.slug}{'-narrow' if narrow else ''}"
    # _clean_svg reads the title and the summary from sector_data's ChartData shape.
    described = SimpleNamespace(
        chart=SimpleNamespace(title=table.title), summary=lambda: table.summary
    )
    drawing.add_xml_filter(lambda root: _clean_svg(root, data=described, element_id=element_id))
    order = slice(None, None, -1) if chart.kind == "bar" else slice(None)
    drawing.x_labels = chart.categories[order]
    for name, values in chart.series:
        drawing.add(name, values[order])
    return mark_safe(drawing.render(is_unicode=True))  # lxml escaped every name and number
