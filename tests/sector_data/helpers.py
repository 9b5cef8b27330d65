"""Reading a data page back: each chart's SVG, its table and its CSV, as numbers."""

import csv
import io

from lxml import etree, html


def number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").replace("£", ""))


def page_tree(response):
    return html.fromstring(response.content.decode())


def chart_ids(tree) -> list[str]:
    sections = tree.xpath("//section[contains(@class, 'data-chart')]")
    return [section.get("aria-labelledby").removesuffix("-heading") for section in sections]


def svg_element(tree, element_id: str):
    """The chart's SVG as an XML element (serialised from the page and parsed as SVG)."""
    found = tree.xpath(f"//svg[@id='{element_id}']")
    assert len(found) == 1, f"one <svg id={element_id}> expected"
    return etree.fromstring(html.tostring(found[0]))


def has_legend(tree, element_id: str) -> bool:
    return bool(tree.xpath(f"//svg[@id='{element_id}']//g[@class='legends']/g"))


def svg_numbers(tree, element_id: str) -> dict[tuple[str, str], float]:
    """(series name, category) -> value, from the points pygal drew."""
    svg = tree.xpath(f"//svg[@id='{element_id}']")[0]
    legend = [
        text.text_content()
        for text in svg.xpath(".//g[contains(concat(' ', @class, ' '), ' legend ')]/text")
    ]
    numbers = {}
    for group in svg.xpath(".//g[contains(concat(' ', @class, ' '), ' series ')]"):
        index = int(next(c for c in group.get("class").split() if c.startswith("serie-"))[6:])
        name = legend[index] if legend else ""
        for point in group.xpath(".//*[@data-value]"):
            numbers[(name, point.get("data-label"))] = number(point.get("data-value"))
    return numbers


def table_numbers(
    tree, element_id: str, *, with_names: bool = True
) -> dict[tuple[str, str], float]:
    section = tree.xpath(f"//section[@aria-labelledby='{element_id}-heading']")[0]
    table = section.xpath(".//table")[0]
    names = [th.text_content() for th in table.xpath("./thead//th")][1:]
    numbers = {}
    for row in table.xpath("./tbody/tr"):
        category = row.xpath("./th")[0].text_content()
        for name, cell in zip(names, row.xpath("./td"), strict=True):
            if cell.get("data-value"):
                numbers[(name if with_names else "", category)] = number(cell.text_content())
    return numbers


def csv_numbers(text: str, *, with_names: bool = True) -> dict[tuple[str, str], float]:
    lines = text.split("\r\n\r\n", 1)[1]
    rows = list(csv.reader(io.StringIO(lines)))
    names = rows[0][1:]
    return {
        (name if with_names else "", row[0]): float(value)
        for row in rows[1:]
        for name, value in zip(names, row[1:], strict=True)
        if value != ""
    }
