"""CSV export of registrations for staff, safe to open in a spreadsheet (the same rule
as the members export: a cell that would run as a formula is kept as text)."""

import csv
from collections.abc import Iterable, Iterator

from events.models import Registration
from events.templatetags.events import uk_datetime
from members.exports import safe_cell

COLUMNS = [
    "event",
    "starts (UK time)",
    "name",
    "email",
    "organisation",
    "status",
    "place",
    "attended",
    "accessibility or dietary needs",
    "registered",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _row(registration: Registration) -> list:
    return [
        registration.event.title,
        uk_datetime(registration.event.starts_at),
        registration.name,
        registration.user.email,
        registration.organisation_name,
        registration.get_status_display(),
        registration.place or "",
        "yes" if registration.attended else "no",
        registration.needs,
        f"{registration.created_at:%Y-%m-%d %H:%M} UTC",
    ]


def registrations_csv_lines(registrations: Iterable[Registration]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for registration in registrations:
        yield writer.writerow([safe_cell(value) for value in _row(registration)])
