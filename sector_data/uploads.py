"""Reading an uploaded dataset file (CSV or Excel) and checking every row of it.

`parse_upload` reads the whole file against the dataset's column mapping and returns the
observations it would load, or every problem found, each with its line number (the line
of the CSV, the row of the spreadsheet) and the reason. Nothing is written here:
sector_data/services.py loads a file only when it has no problem at all.
"""

import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from django.core.files.uploadedfile import UploadedFile
from django.utils.text import slugify

from members.models import Region
from sector_data.models import Council, DatasetColumn, Dimension, Level, Rating

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# More problems than this and the rest are counted, not listed: a file with a wrong
# column breaks every row the same way.
MAX_PROBLEMS_LISTED = 200
# How far down a file to look for headings that are not on its first line.
HEADER_SEARCH_LINES = 10
# How statistical releases mark a cell with no figure (DfE and ONS conventions): these
# are skipped, not refused. x: suppressed, c: confidential, z: not applicable, ..: none.
NO_FIGURE = {"", "x", "c", "z", "..", ":", "-", "n/a", "na"}
# "2023", "2023-24", "2023/2024", or "202324" (the time_period of the Department for
# Education's statistics files, for an academic or financial year): read as 2023.
_YEAR = re.compile(r"^(?P<year>(19|20)\d\d)(?:\s*[-/]\s*\d{2,4}|(?P<next>\d\d))?$")
_RATINGS = {
    "outstanding": Rating.OUTSTANDING,
    "good": Rating.GOOD,
    "requires improvement": Rating.REQUIRES_IMPROVEMENT,
    "requires improvement to be good": Rating.REQUIRES_IMPROVEMENT,
    "inadequate": Rating.INADEQUATE,
}
_ENGLAND = {"england", "england total", "total", "all"}


class UploadError(Exception):
    """The file cannot be read at all (wrong type, empty, too large)."""


@dataclass(frozen=True)
class Problem:
    line: int  # 1 is the header line; 0 when the problem is the file or its columns
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Row:
    """One observation to load: the measure's column header and where/when/what."""

    line: int
    measure_header: str
    level: str
    region: str
    council_id: int | None
    year: int
    rating: str
    age_band: str
    placement_type: str
    value: float


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    data_lines: int = 0

    def problem(self, line: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(Problem(line, message))


# --- Reading the file ------------------------------------------------------------------


def _is_xlsx(head: bytes, name: str) -> bool:
    return head.startswith(b"PK\x03\x04") and name.lower().endswith((".xlsx", ".xlsm"))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(uploaded: UploadedFile) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the data lines (line number, cells as text) of a CSV or .xlsx file."""
    if uploaded.size is not None and uploaded.size > MAX_UPLOAD_BYTES:
        raise UploadError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    uploaded.seek(0)
    data = uploaded.read()
    if not data.strip():
        raise UploadError("The file is empty.")
    if _is_xlsx(data[:4], uploaded.name or ""):
        lines = _xlsx_lines(data)
    elif data[:4] == b"PK\x03\x04" or b"\x00" in data[:1024]:
        raise UploadError("This is not a CSV or an Excel (.xlsx) file.")
    else:
        lines = _csv_lines(data)
    try:
        _, header = next(lines)
    except StopIteration:
        raise UploadError("The file has no header line.") from None
    header = [cell.strip() for cell in header]
    # Read ahead a little to tell a misplaced header from a wrong one, and put it back.
    ahead = list(islice(lines, HEADER_SEARCH_LINES))
    _check_header_placed(header, ahead)
    lines = chain(ahead, lines)
    # Columns are found by their heading: of two with one heading, one would be read
    # and the other dropped unseen.
    seen: set[str] = set()
    for name in header:
        if name and name.lower() in seen:
            raise UploadError(
                f"The heading “{name}” is used for more than one column: give each column "
                "its own heading."
            )
        seen.add(name.lower())
    return header, lines


def _check_header_placed(header: list[str], ahead: list[tuple[int, list[str]]]) -> None:
    """Refuse, saying what to do, the two files whose every column would be "missing":
    one saved with semicolons between its cells (as Excel does in much of Europe), and
    one with a title or notes above its headings. Every dataset has at least a year and
    a measure column, so a first line with one cell in it is not a header."""
    filled = [cell for cell in header if cell]
    if len(filled) == 1 and ";" in filled[0]:
        raise UploadError(
            "The cells of this file are separated by semicolons, not commas. Save it again "
            "as “CSV (comma delimited)” (or as an Excel .xlsx file) and upload that."
        )
    if len(filled) > 1:
        return
    for line, cells in ahead:
        if sum(1 for cell in cells if cell) > 1:
            above = f"“{filled[0]}”" if filled else "nothing"
            raise UploadError(
                f"The column headings must be on the first line, but it holds {above} and "
                f"they seem to start on line {line}. Delete the lines above the headings (a "
                "title or notes) and upload the file again."
            )


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows still save "CSV" in their own code page.
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    for row in reader:
        yield reader.line_num, [cell.strip() for cell in row]


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a bad file
        raise UploadError("This Excel file cannot be read.") from error
    sheet = workbook.worksheets[0]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_cell_text(value) for value in row]
    workbook.close()


# --- Checking rows ---------------------------------------------------------------------


def guess_role(header: str) -> str:
    """A first mapping for a column from its heading, for an editor to review."""
    words = header.strip().lower()
    if words in ("region", "region name", "government office region"):
        return Dimension.REGION
    if words in ("council", "local authority", "la", "la name", "local authority name"):
        return Dimension.COUNCIL
    if words in ("year", "time period", "time_period", "financial year", "year ending"):
        return Dimension.YEAR
    if "rating" in words or words in ("outcome", "judgement", "overall effectiveness"):
        return Dimension.RATING
    if "age" in words.split():
        return Dimension.AGE_BAND
    if "placement" in words:
        return Dimension.PLACEMENT_TYPE
    return Dimension.MEASURE


def guess_unit(header: str) -> str:
    words = header.lower()
    if "%" in words or "percent" in words or "share" in words or "proportion" in words:
        return "percent"
    if "days" in words:
        return "days"
    if "£" in words or "cost" in words or "spend" in words:
        return "pounds"
    return "count"


def measure_slug(column: DatasetColumn) -> str:
    return slugify(column.header)[:100] or f"column-{column.pk}"


class _Places:
    """Regions and councils by every name a file may use for them, read once per upload."""

    def __init__(self) -> None:
        self.regions = {}
        for value, label in Region.choices:
            self.regions[value] = value
            self.regions[label.lower()] = value
        self.regions["yorkshire and humber"] = Region.YORKSHIRE
        self.regions["east"] = Region.EAST
        self.regions["east of england"] = Region.EAST
        self.councils: dict[str, Council] = {}
        for council in Council.objects.only("pk", "name", "slug", "region", "aliases"):
            names = [council.name, council.slug, *council.aliases.splitlines()]
            for name in names:
                if name.strip():
                    self.councils[name.strip().lower()] = council


def _number(text: str) -> float:
    cleaned = text.replace(",", "").replace("£", "").removesuffix("%").strip()
    # float() also reads "nan", "inf" and "1_000": none is a figure, and NaN or infinity
    # stored would break every chart and total drawn from the column.
    if "_" in cleaned:
        raise ValueError(text)
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def parse_upload(uploaded: UploadedFile, columns: list[DatasetColumn]) -> Parsed:
    """Check the whole file against the mapping; collect every problem, load nothing."""
    parsed = Parsed()
    try:
        header, lines = read_table(uploaded)
    except UploadError as error:
        parsed.problem(0, str(error))
        return parsed
    positions = _header_positions(header, columns, parsed)
    if parsed.problems:
        return parsed
    places = _Places()
    seen: dict[tuple, int] = {}
    for line, cells in lines:
        if not any(cells):
            continue
        parsed.data_lines += 1
        if any(cells[len(header) :]):
            # Read by position, the extra cells would be dropped unseen: "6,100" unquoted
            # in a CSV is the figure 6 and a stray 100.
            parsed.problem(
                line,
                f"This line has {len(cells)} cells but the header has {len(header)} columns. "
                'Put a figure written with a comma in quotes ("6,100"), or remove the '
                "extra cells.",
            )
            continue
        _parse_line(line, cells, positions, places, seen, parsed)
    if parsed.data_lines == 0:
        parsed.problem(0, "The file has a header but no data lines.")
    return parsed


def _header_positions(
    header: list[str], columns: list[DatasetColumn], parsed: Parsed
) -> dict[str, tuple[int, DatasetColumn]]:
    by_name = {name.lower(): index for index, name in enumerate(header) if name}
    mapped = {column.header.lower() for column in columns}
    positions: dict[str, tuple[int, DatasetColumn]] = {}
    for column in columns:
        index = by_name.get(column.header.lower())
        if index is None:
            if column.role != Dimension.IGNORE:
                parsed.problem(1, f"The column “{column.header}” is missing.")
            continue
        positions[column.header] = (index, column)
    for name in header:
        if name and name.lower() not in mapped:
            parsed.problem(
                1,
                f"The column “{name}” is not in this dataset's column mapping "
                "(map it, or mark it “Ignore this column”).",
            )
    roles = [column.role for column in columns]
    if Dimension.YEAR not in roles:
        parsed.problem(0, "The column mapping has no year column.")
    if Dimension.MEASURE not in roles:
        parsed.problem(0, "The column mapping has no measure column.")
    return positions


def _parse_line(
    line: int,
    cells: list[str],
    positions: dict[str, tuple[int, DatasetColumn]],
    places: _Places,
    seen: dict[tuple, int],
    parsed: Parsed,
) -> None:
    def cell(index: int) -> str:
        return cells[index].strip() if index < len(cells) else ""

    found: dict[str, str] = {}
    measures: list[tuple[DatasetColumn, str]] = []
    for index, column in positions.values():
        if column.role == Dimension.MEASURE:
            measures.append((column, cell(index)))
        elif column.role != Dimension.IGNORE:
            found[column.role] = cell(index)
    problems_before = parsed.problem_count

    year_match = _YEAR.match(found.get(Dimension.YEAR, ""))
    if (
        year_match
        and year_match["next"]
        and int(year_match["next"]) != (int(year_match["year"]) + 1) % 100
    ):
        year_match = None  # six digits that are not a year and the next ("201999")
    if not year_match and all(text.lower() in NO_FIGURE for _, text in measures):
        # Statistical releases put their notes under the table ("Source: …", "x =
        # suppressed"): saying the note is not a year, or not a region, left editors
        # searching the figures for a fault.
        words = next((text for text in cells if text), "")
        parsed.problem(
            line,
            f"This line has no year and no figures (“{words}”). If it is a note or a "
            "footnote, delete it from the file.",
        )
        return
    if not year_match:
        parsed.problem(line, f"“{found.get(Dimension.YEAR, '')}” is not a year.")
    region = ""
    region_text = found.get(Dimension.REGION, "")
    if region_text and region_text.lower() not in _ENGLAND:
        region = places.regions.get(region_text.lower(), "")
        if not region:
            parsed.problem(line, f"“{region_text}” is not one of England's nine regions.")
    council = None
    council_text = found.get(Dimension.COUNCIL, "")
    if council_text and council_text.lower() not in _ENGLAND:
        council = places.councils.get(council_text.lower())
        if council is None:
            parsed.problem(line, f"“{council_text}” is not a council we know.")
        elif region and council.region != region:
            parsed.problem(
                line,
                f"{council.name} is in {council.get_region_display()}, not {region_text}.",
            )
    rating = ""
    rating_text = found.get(Dimension.RATING, "")
    if rating_text:
        rating = _RATINGS.get(rating_text.lower(), "")
        if not rating:
            parsed.problem(line, f"“{rating_text}” is not an Ofsted rating.")
    values: list[tuple[DatasetColumn, float]] = []
    for column, text in measures:
        if text.lower() in NO_FIGURE:
            continue
        try:
            values.append((column, _number(text)))
        except ValueError:
            parsed.problem(line, f"“{text}” in the column “{column.header}” is not a number.")
    if parsed.problem_count > problems_before:
        return

    if council is not None:
        level, region = Level.COUNCIL, council.region
    elif region:
        level = Level.REGION
    else:
        level = Level.ENGLAND
    for column, value in values:
        row = Row(
            line=line,
            measure_header=column.header,
            level=level,
            region=region,
            council_id=council.pk if council else None,
            year=int(year_match.group("year")),
            rating=rating,
            age_band=found.get(Dimension.AGE_BAND, ""),
            placement_type=found.get(Dimension.PLACEMENT_TYPE, ""),
            value=value,
        )
        key = (row.measure_header, level, region, row.council_id, row.year, rating)
        key += (row.age_band.lower(), row.placement_type.lower())
        if key in seen:
            parsed.problem(
                line,
                f"“{column.header}” for the same place, year and categories is already on "
                f"line {seen[key]}.",
            )
            continue
        seen[key] = line
        parsed.rows.append(row)
