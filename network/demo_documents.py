"""Demo content kept as text files, and the PDF and Word documents made from them.

Each app's demo content lives in Markdown files under `<app>/demo_content/` (not a
`demo/` folder, which would sit beside the `demo.py` module that reads it): a short
front matter of `key: value` lines between `---` lines, then the text. A resource's
attachments follow its body, each after a marker line

    <!-- file: name.pdf | Title shown in the library -->

and are written with fpdf2 (PDF) or python-docx (Word), both already used to read
uploads, so the demo's files are real documents that search and text extraction read
as they read an upload. Shared helper: imports no app of ours.
"""

import functools
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

_FILE_MARKER = re.compile(r"^<!-- file: (?P<name>[^|]+?) \| (?P<title>.+?) -->$", re.MULTILINE)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
FOOTER = (
    "English Residential Network. Demo content: every organisation and person named is fictional."
)
# Real documents embed their fonts: Liberation Sans (metrically Arial) where the system
# has it (Debian's fonts-liberation), else the PDF core font Helvetica, which needs
# nothing embedded. Liberation loads in milliseconds; DejaVu took a second a file.
FONTS = Path("/usr/share/fonts/truetype/liberation")


@dataclass
class DemoFile:
    name: str
    title: str
    text: str


@dataclass
class DemoText:
    slug: str
    meta: dict[str, str]
    body: str
    files: list[DemoFile] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        """A comma-separated front-matter value as a list."""
        return [part.strip() for part in self.meta.get(key, "").split(",") if part.strip()]


def demo_texts(folder: Path) -> list[DemoText]:
    """Every Markdown file in the folder, in name order, parsed."""
    return [demo_text(path) for path in sorted(folder.glob("*.md"))]


def demo_text(path: Path) -> DemoText:
    text = path.read_text(encoding="utf-8")
    _, front, rest = text.split("---\n", 2)
    meta = {}
    for line in front.splitlines():
        if line.strip():
            key, value = line.split(":", 1)
            meta[key.strip()] = value.strip()
    pieces = _FILE_MARKER.split(rest)
    body, files = pieces[0], []
    for index in range(1, len(pieces), 3):
        name, title, content = pieces[index : index + 3]
        files.append(DemoFile(name.strip(), title.strip(), content.strip()))
    slug = meta.get("slug") or re.sub(r"^\d+-", "", path.stem)
    return DemoText(slug=slug, meta=meta, body=body.strip() + "\n", files=files)


def _blocks(text: str) -> list[tuple[str, object]]:
    """The Markdown subset demo files use: headings, paragraphs, bullets and tables."""
    blocks: list[tuple[str, object]] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            blocks.append((f"h{min(level, 3)}", first.lstrip("#").strip()))
            if lines[1:]:
                blocks.extend(_blocks("\n".join(lines[1:])))
        elif first.startswith("|"):
            rows = [
                [cell.strip() for cell in line.strip().strip("|").split("|")]
                for line in lines
                if not re.fullmatch(r"\|[\s:|-]+\|", line.strip())
            ]
            blocks.append(("table", rows))
        elif first.startswith("- "):
            blocks.append(("bullets", [line[2:].strip() for line in lines]))
        else:
            blocks.append(("p", " ".join(line.strip() for line in lines)))
    return blocks


def _plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)


# The same text makes the same file: loading the demo again in one process (the tests do,
# several times) writes each document once.
@functools.lru_cache(maxsize=128)
def pdf_bytes(title: str, text: str, *, subtitle: str = "") -> bytes:
    """A real, multi-page PDF: a title page, then the text with headings, bullets and
    tables, page numbers and a footer. Streams are left uncompressed, as many office
    tools write them, which also gives the files a believable size."""
    from fpdf import FPDF, FontFace

    class Document(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font(self.family_name, "I", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 10, f"{FOOTER}   Page {self.page_no()}", align="C")
            self.set_text_color(0, 0, 0)

    pdf = Document(format="A4")
    family = _pdf_fonts(pdf)
    bullet = "\u2022" if family == "Liberation" else "-"
    clean = _latin if family == "helvetica" else str
    pdf.set_compression(False)
    pdf.set_title(title)
    pdf.set_author("English Residential Network")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_fill_color(22, 62, 92)
    pdf.rect(0, 0, 210, 60, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(20, 18)
    pdf.set_font(family, "B", 11)
    pdf.cell(0, 8, "ENGLISH RESIDENTIAL NETWORK", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(20, 80)
    pdf.set_font(family, "B", 24)
    pdf.multi_cell(170, 11, clean(title), new_x="LMARGIN", new_y="NEXT", align="L")
    if subtitle:
        pdf.set_x(20)
        pdf.set_font(family, "", 13)
        pdf.multi_cell(170, 7, clean(subtitle), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.add_page()
    pdf.set_fill_color(255, 255, 255)  # tables fill their cells with the current colour
    for kind, value in _blocks(text):
        if kind in ("h1", "h2", "h3"):
            size = {"h1": 17, "h2": 14, "h3": 12}[kind]
            pdf.ln(3)
            pdf.set_font(family, "B", size)
            pdf.multi_cell(0, size * 0.5, clean(value), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(2)
        elif kind == "p":
            pdf.set_font(family, "", 11)
            pdf.multi_cell(
                0, 6, clean(value), markdown=True, new_x="LMARGIN", new_y="NEXT", align="L"
            )
            pdf.ln(2)
        elif kind == "bullets":
            pdf.set_font(family, "", 11)
            for item in value:
                pdf.set_x(pdf.l_margin + 4)
                pdf.multi_cell(
                    0,
                    6,
                    clean(f"{bullet}  {item}"),
                    markdown=True,
                    new_x="LMARGIN",
                    new_y="NEXT",
                    align="L",
                )
            pdf.ln(2)
        elif kind == "table":
            pdf.set_font(family, "", 9)
            headings = FontFace(emphasis="BOLD", fill_color=(226, 234, 240))
            with pdf.table(text_align="LEFT", line_height=5, headings_style=headings) as table:
                for row in value:
                    cells = table.row()
                    for cell in row:
                        cells.cell(clean(_plain(cell)))
            pdf.ln(3)
    return bytes(pdf.output())


def _pdf_fonts(pdf) -> str:
    # fontTools logs every table it prunes when fpdf2 subsets a font, at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    regular = FONTS / "LiberationSans-Regular.ttf"
    if not regular.exists():
        pdf.family_name = "helvetica"
        return "helvetica"
    pdf.add_font("Liberation", "", str(regular))
    pdf.add_font("Liberation", "B", str(FONTS / "LiberationSans-Bold.ttf"))
    pdf.add_font("Liberation", "I", str(FONTS / "LiberationSans-Italic.ttf"))
    pdf.family_name = "Liberation"
    return "Liberation"


@functools.lru_cache(maxsize=128)
def docx_bytes(title: str, text: str, *, subtitle: str = "") -> bytes:
    """A real Word document: the same text as headings, paragraphs, bullets and tables,
    in python-docx's default template (styles that Word and LibreOffice both know)."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "English Residential Network"
    document.add_heading(title, level=0)
    if subtitle:
        document.add_paragraph(subtitle, style="Subtitle")
    for kind, value in _blocks(text):
        if kind in ("h1", "h2", "h3"):
            document.add_heading(value, level=int(kind[1]))
        elif kind == "p":
            _docx_paragraph(document.add_paragraph(), value)
        elif kind == "bullets":
            for item in value:
                _docx_paragraph(document.add_paragraph(style="List Bullet"), item)
        elif kind == "table":
            table = document.add_table(rows=0, cols=max(len(row) for row in value))
            table.style = "Table Grid"
            for number, row in enumerate(value):
                cells = table.add_row().cells
                for cell, content in zip(cells, row, strict=False):
                    cell.text = _plain(content)
                    if number == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = FOOTER
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_paragraph(paragraph, text: str) -> None:
    for index, part in enumerate(_BOLD.split(text)):
        if part:
            paragraph.add_run(part).bold = index % 2 == 1


def _latin(text: str) -> str:
    """fpdf2's core fonts cover Latin-1: typographic punctuation becomes plain."""
    table = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
             "\u2014": "-", "\u2026": "..."}  # fmt: skip
    for char, plain in table.items():
        text = text.replace(char, plain)
    return text.encode("latin-1", "replace").decode("latin-1")


def document_bytes(demo_file: DemoFile, *, subtitle: str = "") -> bytes:
    if demo_file.name.endswith(".docx"):
        return docx_bytes(demo_file.title, demo_file.text, subtitle=subtitle)
    return pdf_bytes(demo_file.title, demo_file.text, subtitle=subtitle)


@functools.lru_cache(maxsize=128)
def slides_pdf_bytes(title: str, text: str) -> bytes:
    """A landscape slide deck: each `## heading` and the bullets under it is a slide."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format="A4")
    family = _pdf_fonts(pdf)
    bullet = "\u2022" if family == "Liberation" else "-"
    clean = _latin if family == "helvetica" else str
    pdf.set_compression(False)
    pdf.set_title(title)
    pdf.set_author("English Residential Network")
    pdf.set_auto_page_break(auto=False)
    slides: list[tuple[str, list[str]]] = []
    for kind, value in _blocks(text):
        if kind in ("h1", "h2", "h3"):
            slides.append((value, []))
        elif slides and kind == "bullets":
            slides[-1][1].extend(value)
        elif slides and kind == "p":
            slides[-1][1].append(value)
    for number, (heading, points) in enumerate(slides, start=1):
        pdf.add_page()
        pdf.set_fill_color(22, 62, 92)
        pdf.rect(0, 0, 297, 14 if number > 1 else 210, style="F")
        if number == 1:  # the title slide: white on the network's blue
            pdf.set_text_color(255, 255, 255)
        pdf.set_xy(20, 70 if number == 1 else 28)
        pdf.set_font(family, "B", 30 if number == 1 else 26)
        pdf.multi_cell(257, 14, clean(heading), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(6)
        pdf.set_font(family, "", 20 if number > 1 else 16)
        for point in points:
            pdf.set_x(28 if number > 1 else 20)
            text_line = point if number == 1 else f"{bullet}  {point}"
            pdf.multi_cell(240, 11, clean(text_line), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(3)
        pdf.set_text_color(90, 90, 90)
        pdf.set_font(family, "I", 9)
        pdf.set_xy(20, 195)
        pdf.cell(0, 8, f"{FOOTER}   {number} / {len(slides)}")
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())
