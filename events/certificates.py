"""Certificates of attendance: a one-page PDF (fpdf2) naming the person, the event, its
date and its length in CPD hours, made when downloaded (nothing stored to leak or go
stale: the registration and the event are the record).

The PDF uses the standard Helvetica font, which holds Latin-1 only; any other letter in a
name or title is written as its closest Latin-1 form (Ł as L), never dropped silently.
"""

import unicodedata
from decimal import Decimal

from django.conf import settings
from fpdf import FPDF

from events.models import Registration
from events.templatetags.events import hours_figure, uk_date


def _latin1(text: str) -> str:
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            out.append(base.encode("latin-1", "replace").decode("latin-1") or "?")
    return "".join(out)


def hours_text(hours: Decimal) -> str:
    """'1.5 hours of continuing professional development (CPD)', as CPD logs record it."""
    unit = "hour" if hours == 1 else "hours"
    return f"{hours_figure(hours)} {unit} of continuing professional development (CPD)"


def certificate_filename(registration: Registration) -> str:
    return f"certificate-{registration.event.slug}.pdf"


def certificate_pdf(registration: Registration) -> bytes:
    event = registration.event
    name = registration.name or registration.user.name or registration.user.email
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(f"Certificate of attendance: {event.title}"))
    pdf.set_author(_latin1(settings.SITE_NAME))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(11, 79, 92)
    pdf.set_line_width(1.5)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    width = pdf.w - 40

    def line(text: str, *, size: int, style: str = "", space: float = 4) -> None:
        pdf.set_x(20)
        pdf.set_font("helvetica", style=style, size=size)
        pdf.multi_cell(width, size * 0.5, _latin1(text), align="C")
        pdf.ln(space)

    pdf.set_y(32)
    pdf.set_text_color(11, 79, 92)
    line(settings.SITE_NAME, size=16, style="B", space=10)
    pdf.set_text_color(29, 35, 41)
    line("Certificate of attendance", size=30, style="B", space=12)
    line("This certifies that", size=14)
    line(name, size=24, style="B", space=8)
    line("attended", size=14)
    line(event.title, size=18, style="B", space=8)
    line(f"on {uk_date(event.starts_at)}", size=14)
    line(f"{event.get_format_display()}: {hours_text(event.hours)}", size=14)
    return bytes(pdf.output())
