"""Charts as SVG, drawn on the server by pygal, inlined in the page under the strict CSP.

pygal writes a <style> element, tooltip scripts and per-point <desc> notes into each SVG.
The site's Content-Security-Policy (style-src 'self', scripts only with a nonce) would
block the first two inline, and the notes would be read out one by one. So:
- `js=[]` turns off pygal's tooltip script, and `_clean_svg` (a pygal xml filter) removes
  the configuration <script> pygal still writes, the hidden tooltip group (the one
  element with a style attribute) and every <style>;
- the CSS pygal would inline comes instead from static/sector_data/charts.css, which
  `chart_stylesheet()` generates from the same Style (`manage.py sector_data_chart_css`
  rewrites it; a test fails when they differ), scoped to `.pygal-chart`;
- each point's <desc class="value"> note becomes `data-value`/`data-label` attributes
  (what the tests compare with the table and the CSV), and the SVG gets one <title> and
  one <desc> (the text summary) named by aria-labelledby on role="img".
Colours pass 3:1 against the white plot; lines differ by dash pattern too, and every chart
has its table beside it, so nothing depends on colour alone.
"""

import re
from pathlib import Path

import pygal
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from lxml import etree
from pygal.style import Style

from sector_data.selectors.chart_data import ChartData

WIDTH, HEIGHT = 640, 420
# Phones get their own drawing, so that its words stay readable at 320 px: the same font
# sizes in a smaller view box, every other year labelled.
NARROW_WIDTH, NARROW_HEIGHT = 340, 380
STYLESHEET_PATH = Path(settings.BASE_DIR) / "static" / "sector_data" / "charts.css"
_STYLE_SCOPE = "pygal-style-scope"

# Dark enough for 3:1 (most for 4.5:1) on white, and apart from one another. In this
# order the four Ofsted ratings read from teal and green (outstanding, good) to orange and
# red (requires improvement, inadequate).
COLOURS = ("#0b4f5c", "#3d7a2a", "#b34700", "#a1002b", "#5b3f8c", "#4a5560", "#1f5fa8")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2329",
    foreground_strong="#1d2329",
    foreground_subtle="#4a5560",
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    label_font_size=15,
    major_label_font_size=15,
    legend_font_size=15,
    value_font_size=14,
    value_label_font_size=14,
    tooltip_font_size=14,
    title_font_size=18,
    no_data_font_size=20,
    opacity="1",
    opacity_hover="1",
    stroke_opacity="1",
    stroke_opacity_hover="1",
    guide_stroke_color="#8a949e",
    major_guide_stroke_color="#8a949e",
    colors=COLOURS,
)

# Lines differ by their dash as well as their colour (WCAG 1.4.1); pygal draws a legend
# swatch as a square, so the table and the summary carry the names too.
EXTRA_CSS = """
.pygal-chart .serie-1 .line{stroke-dasharray:10 5}
.pygal-chart .serie-2 .line{stroke-dasharray:3 4}
.pygal-chart .serie-3 .line{stroke-dasharray:14 4 3 4}
.pygal-chart .line{stroke-width:3}
.pygal-chart .axis text{fill:#1d2329}
.pygal-chart .axis .guide.line{stroke-dasharray:2 4}
"""

_CLASSES = {
    "line": pygal.Line,
    "stacked": pygal.StackedBar,
    "region_bars": pygal.HorizontalBar,
}


def _config(data: ChartData | None, *, narrow: bool = False, drawn: int = 0) -> dict:
    """pygal's settings; `drawn` is how many categories the axis writes (a line over
    2009 and 2019 only writes every year between, see _to_scale)."""
    config = {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": WIDTH,
        "height": HEIGHT,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "truncate_legend": -1,
        "truncate_label": -1,
        "show_legend": True,
        "print_values": False,
        "allow_interruptions": True,
        "include_x_axis": True,
        "margin": 12,
        "dots_size": 4,
        "no_data_text": "No figures",
    }
    if narrow:
        config["width"], config["height"] = NARROW_WIDTH, NARROW_HEIGHT
        config["legend_at_bottom_columns"] = 1
        # The last year is written centred on the right edge of the plot: at the phone's
        # 340 units, half of "2019" is wider than the usual margin and was cut to "201".
        config["margin_right"] = 24
        if data is not None and not data.horizontal and drawn > 6:
            config["x_labels_major_every"] = 2
            config["show_minor_x_labels"] = False
        if data is not None and data.horizontal:
            # Region names take half the width: three value labels fit beneath the bars.
            config["x_labels_major_count"] = 3
            config["show_minor_x_labels"] = False
    if data is not None:
        config["value_formatter"] = data.format
        config["show_legend"] = len(data.series) > 1 or data.stacked
        if not narrow and len(data.series) <= 3:
            config["legend_at_bottom_columns"] = len(data.series)
        if data.horizontal:
            config["show_legend"] = False
    return config


def _kind(data: ChartData) -> str:
    if data.horizontal:
        return "region_bars"
    return "stacked" if data.stacked else "line"


def chart_svg(data: ChartData, *, element_id: str, narrow: bool = False) -> SafeString:
    """The chart as inline SVG markup (safe: built from our own numbers and names)."""
    categories, rows = _to_scale(data)
    chart = _CLASSES[_kind(data)](**_config(data, narrow=narrow, drawn=len(categories)))
    chart.add_xml_filter(lambda root: _clean_svg(root, data=data, element_id=element_id))
    # pygal draws a horizontal chart's first bar at the bottom: reversed, the bars read
    # from the top in the order of the table.
    order = slice(None, None, -1) if data.horizontal else slice(None)
    chart.x_labels = categories[order]
    for series, values in zip(data.series, rows, strict=True):
        chart.add(series.name, values[order])
    return mark_safe(chart.render(is_unicode=True))  # lxml escaped every name and number


def _to_scale(data: ChartData) -> tuple[list[str], list[list[float | None]]]:
    """Categories and values as drawn. A line over years with years missing (2009 and
    2019 only, say) gets the missing years as gaps, so the axis keeps to scale and no
    line is drawn through years that have no figure; the table lists only known years."""
    values = [[data.rounded(value) for value in series.values] for series in data.series]
    if data.horizontal or data.stacked or not data.categories:
        return data.categories, values
    try:
        years = [int(category) for category in data.categories]
    except ValueError:
        return data.categories, values
    every_year = list(range(years[0], years[-1] + 1))
    if every_year == years:
        return data.categories, values
    position = {year: index for index, year in enumerate(years)}
    filled = [
        [row[position[year]] if year in position else None for year in every_year] for row in values
    ]
    return [str(year) for year in every_year], filled


def _clean_svg(root, *, data: ChartData, element_id: str):
    """Strip what the CSP blocks and screen readers stumble on; name the chart."""
    # pygal builds its tree with plain tag names (the namespace is only declared on <svg>).
    for element in list(root.iter("script", "style", "title")):
        element.getparent().remove(element)
    for element in list(root.iter(etree.Comment)):
        element.getparent().remove(element)
    for group in list(root.iter("g")):
        if "tooltip-overlay" in (group.get("class") or "").split():
            group.getparent().remove(group)
    for element in root.iter():
        if isinstance(element.tag, str):
            # pygal's ids (activate-serie-0...) repeat in every chart of a page.
            element.attrib.pop("style", None)
            element.attrib.pop("id", None)
    for desc in list(root.iter("desc")):
        parent = desc.getparent()
        kind = (desc.get("class") or "").split()
        if "value" in kind:
            parent.set("data-value", desc.text or "")
        elif "x_label" in kind:
            parent.set("data-label", desc.text or "")
        parent.remove(desc)
    for defs in list(root.iter("defs")):
        if len(defs) == 0:
            defs.getparent().remove(defs)
    root.set("id", element_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{element_id}-title {element_id}-desc")
    root.set("focusable", "false")
    title = etree.Element("title", id=f"{element_id}-title")
    title.text = data.chart.title
    desc = etree.Element("desc", id=f"{element_id}-desc")
    desc.text = data.summary()
    root.insert(0, desc)
    root.insert(0, title)
    return root


def chart_stylesheet() -> str:
    """The CSS pygal inlines for STYLE, scoped to every pygal chart rather than one id."""
    config = _config(None)
    chart = pygal.Line(**config)
    chart.x_labels = ["a"]
    for index in range(len(COLOURS)):
        chart.add(str(index), [index])
    chart.uuid = _STYLE_SCOPE
    svg = chart.render(is_unicode=True)
    css = re.search(r"<style[^>]*>(.*?)</style>", svg, re.DOTALL).group(1)
    css = css.replace("&gt;", ">").replace(f"#chart-{_STYLE_SCOPE}", ".pygal-chart")
    header = (
        "/* Generated by `python manage.py sector_data_chart_css` from sector_data/charts.py:\n"
        "   the CSS pygal would inline in each chart, served from here for the CSP. */\n"
    )
    return header + css.strip() + "\n" + EXTRA_CSS.lstrip()
