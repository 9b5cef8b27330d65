"""CSV export of members for staff, safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable, Iterator

from members import access
from members.models import User

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google
# Sheets (OWASP "CSV injection"); such cells are prefixed with a quote to stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

COLUMNS = [
    "email",
    "name",
    "job title",
    "organisation (as written)",
    "work",
    "region",
    "status",
    "access through",
    "member type",
    "organisation (seat)",
    "access ends",
    "joined",
]


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object that hands back what is written (for streaming responses)."""

    def write(self, value: str) -> str:
        return value


def _row(user: User) -> list[str]:
    current = access.membership(user)
    if current is not None:
        status = "member"
    elif access.is_lapsed(user):
        status = "lapsed"
    else:
        status = "registered"
    return [
        user.email,
        user.name,
        user.job_title,
        user.organisation_name,
        user.get_member_type_display(),
        user.get_region_display(),
        status,
        current.source.value if current else "",
        current.member_type if current else "",
        current.organisation.name if current and current.organisation else "",
        f"{current.ends_at:%Y-%m-%d}" if current and current.ends_at else "",
        f"{user.date_joined:%Y-%m-%d}",
    ]


def members_csv_lines(users: Iterable[User]) -> Iterator[str]:
    """The CSV, line by line, so a large export streams instead of building in memory.

    Each person's access is asked of members/access/ (a few queries per person, the
    same rule the site applies, never a second copy of it).
    """
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for user in users:
        yield writer.writerow([safe_cell(value) for value in _row(user)])
