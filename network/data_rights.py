"""The shape every app's `personal_data.py` follows, and the registry that finds them.

Each app owns the personal data it stores. Its `<app>/personal_data.py` may define:

``RETENTION: list[Retention]``
    How long each of its tables keeps personal data, and why. The privacy notice lists
    these (so the notice and the code cannot drift) and the nightly retention task
    (`retention_enforce`) deletes what is past its period, in batches. A rule needs only
    `model`, `field`, `period`, `what` and `why`::

        RETENTION = [
            Retention(
                model="insight.PageView",
                field="viewed_at",
                period=timedelta(days=90),
                what="Pages viewed by members",
                why="To count what is read; no longer needed once counted.",
            ),
        ]

    `condition` narrows the rule to some rows (e.g. unconfirmed sign-ups only), `purge`
    replaces deletion (e.g. blanking an address but keeping the row), and
    `starts="after leaving"` (free text) says in the notice when the period starts.

``export(user, archive: ExportArchive) -> None``
    Add this app's parts of one person's data to their download: one
    `archive.add_part(...)` per kind of data, with its columns as (field, heading)
    pairs (the heading in plain English, as the person reads it) and a sentence saying
    what the part is. A column of stored codes (a status, a region) takes its model
    field's choices as a third item, `choices_of(Model, "status")`, so the CSV and the
    index show "Active" where the JSON keeps `active`. Rows come from a callable returning a
    fresh iterator (use `.values(...).iterator()`), so a large account is streamed and
    never held in memory. Only that person's rows, never anyone else's. Files the
    person uploaded go in too, with `archive.add_file(...)` after the part listing them.

``erase(user, choices: ErasureChoices) -> None``
    Erase or pseudonymise what this app holds about the person, inside the caller's
    transaction. Safeguarding records are kept: the person's account row itself stays
    as a pseudonymous "former member #N" (members does that last), so foreign keys to
    it keep pointing at something that holds no personal data.

The network app's own data (contact messages) is declared in `network/personal_data.py`
like any other app's. Members' data-rights pages, the retention task and the privacy
notice find these modules with Django's `autodiscover_modules`, as the admin finds
`admin.py`. This module imports no app of ours.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import IO, Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import autodiscover_modules

# A batch of the retention task: small enough that no delete holds locks for long.
RETENTION_BATCH_SIZE = 500


@dataclass(frozen=True)
class Retention:
    """How long one table keeps one kind of personal data, and why.

    `model` is "app_label.ModelName"; rows whose `field` (a date or datetime) is older
    than `period` (and that match `condition`, when given) are past their time. `years`
    gives the period in calendar years instead, for records the law asks to be kept for
    years: six 365-day years end a day or two before six years have passed.
    `purge(queryset)`, when given, removes or pseudonymises those rows and returns how
    many it changed; otherwise the retention task deletes them in batches. `what`,
    `why` and `starts` are the privacy notice's words.
    """

    model: str
    field: str
    what: str
    why: str
    period: timedelta = timedelta(0)
    years: int = 0
    condition: Q | None = None
    purge: Callable[[QuerySet], int] | None = None
    starts: str = ""

    def model_class(self):
        return apps.get_model(self.model)

    def past(self, *, now: datetime | None = None) -> QuerySet:
        """The rows of the table that are past their period."""
        now = now or timezone.now()
        rows = self.model_class()._default_manager.filter(**{f"{self.field}__lt": self.cutoff(now)})
        if self.condition is not None:
            rows = rows.filter(self.condition)
        return rows

    def cutoff(self, now: datetime) -> datetime:
        """The moment before which a row is past its time."""
        if self.years:
            return years_before(now, self.years)
        return now - self.period

    @property
    def runs_until_expiry(self) -> bool:
        """Kept only until the moment `field` names (a download's link expiring)."""
        return not self.years and not self.period

    @property
    def period_label(self) -> str:
        """The period in the notice's words ("2 years", "90 days")."""
        if self.years:
            return "1 year" if self.years == 1 else f"{self.years} years"
        days = self.period.days
        if days >= 365 and days % 365 == 0:
            years = days // 365
            return f"{years} year" if years == 1 else f"{years} years"
        if days >= 30 and days % 30 == 0:
            months = days // 30
            return f"{months} month" if months == 1 else f"{months} months"
        if days == 1:
            return "1 day"
        return f"{days} days"


def years_before(moment: datetime, years: int) -> datetime:
    """The same date and time `years` calendar years earlier (29 February: the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@dataclass(frozen=True)
class ErasureChoices:
    """What the person chose when asking to be erased."""

    keep_post_text: bool = True


def modules() -> list[ModuleType]:
    """Every installed app's `personal_data` module, in INSTALLED_APPS order."""
    autodiscover_modules("personal_data")
    found = []
    for config in apps.get_app_configs():
        module = sys.modules.get(f"{config.name}.personal_data")
        if module is not None:
            found.append(module)
    return found


def retention_rules() -> list[Retention]:
    """Every table's stated period, as the privacy notice lists them."""
    return [rule for module in modules() for rule in getattr(module, "RETENTION", ())]


def retention_enforce(
    *, now: datetime | None = None, batch_size: int = RETENTION_BATCH_SIZE
) -> dict[str, int]:
    """Delete (or purge) every row past its period, table by table, in batches: a first
    run on years of data neither holds a long lock nor loads the rows into memory.
    Returns how many rows each rule changed, by "model.field"."""
    now = now or timezone.now()
    changed: dict[str, int] = {}
    for rule in retention_rules():
        past = rule.past(now=now)
        if rule.purge is not None:
            count = rule.purge(past)
        else:
            count = delete_in_batches(past, batch_size=batch_size)
        key = f"{rule.model}.{rule.field}"
        changed[key] = changed.get(key, 0) + count
    return changed


def delete_in_batches(rows: QuerySet, *, batch_size: int = RETENTION_BATCH_SIZE) -> int:
    """Delete `rows` a batch of primary keys at a time; returns how many were deleted."""
    model = rows.model
    deleted = 0
    while True:
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        model._default_manager.filter(pk__in=batch).delete()
        deleted += len(batch)


# --- The download -------------------------------------------------------------------

# A cell starting with one of these is run as a formula by spreadsheets (OWASP "CSV
# injection"); such cells are prefixed with a quote to stay text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

# A part with this many rows or fewer is shown in full on the download's index page, so
# a person reads their posts and bookings without a spreadsheet; a larger part is
# counted there and read in its CSV (which also keeps memory small: only these rows are
# held until the index is written).
INDEX_ROWS = 50


def _cell(value: Any) -> str:
    """A value as a CSV cell: times in UK time, to the second; yes or no; a list or
    mapping (the choices a consent recorded) as JSON, as the index shows it, rather
    than Python's own spelling of it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, bool):
        value = "Yes" if value else "No"
    elif isinstance(value, (list, dict)):
        value = json.dumps(value, cls=DjangoJSONEncoder)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _readable(value: Any) -> str:
    """A value as the index page shows it: dates in words, in UK time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, date):
        return date_format(value, "j F Y")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, dict)):
        return json.dumps(value, cls=DjangoJSONEncoder)
    return str(value)


# A column of a part: (field, heading), or (field, heading, shown) where `shown` is how the
# CSV and the index write its values: the model field's choices (each stored code shown
# as its label) or a function of the value (pence as pounds). The JSON keeps the value.
Column = tuple[str, str] | tuple[str, str, Sequence[tuple[Any, Any]] | Callable[[Any], str]]


def choices_of(
    model: type[Model], name: str, *, to_the_person: dict[Any, str] | None = None
) -> list[tuple[Any, Any]]:
    """The choices of `model`'s field `name`, as a column's third item: taken from the
    field itself, so the download's labels are always the site's. The few labels written
    for staff about the person ("their account page") are reworded `to_the_person`, who
    reads the download."""
    reworded = to_the_person or {}
    return [
        (value, reworded.get(value, label))
        for value, label in model._meta.get_field(name).flatchoices
    ]


def _shown(column: Column) -> Callable[[Any], Any]:
    """How the CSV and the index write a column's values (see `Column`)."""
    if len(column) < 3:
        return lambda value: value
    how = column[2]
    if callable(how):
        return lambda value: value if value is None else how(value)
    labels = {code: str(label) for code, label in how}
    return lambda value: labels.get(value, value)


@dataclass
class ExportPart:
    name: str
    title: str
    rows: int
    about: str = ""
    headings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # The rows as the index shows them; None when the part is too long to show there.
    shown: list[list[str]] | None = None


class ExportArchive:
    """One person's data as a ZIP: per part, `<name>.csv` for people (plain headings)
    and `<name>.json` for other software (our field names as keys), and an `index.html`
    a person can read offline. Written row by row into `fileobj` (a temporary file), so
    nothing is held in memory whole."""

    def __init__(self, fileobj: IO[bytes], *, person: str) -> None:
        self.zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED)
        self.person = person
        self.parts: list[ExportPart] = []

    def add_part(
        self,
        name: str,
        title: str,
        columns: Sequence[Column],
        rows: Callable[[], Iterable[Mapping[str, Any]]],
        *,
        about: str = "",
    ) -> None:
        """Add one part. `columns` are (field, heading) pairs: the field is the key in
        each row and in the JSON, the heading names the column for people (CSV and the
        index); a third item says how people read its values (see `Column`). `about` is
        a sentence saying what the part is. `rows` is called twice (JSON, then CSV):
        each call returns a fresh iterator over dicts."""
        fields = [column[0] for column in columns]
        headings = [column[1] for column in columns]
        shown_as = [(column[0], _shown(column)) for column in columns]
        count = 0
        with self.zip.open(f"{name}.json", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
            out.write("[")
            for row in rows():
                out.write(",\n" if count else "\n")
                out.write(json.dumps({f: row.get(f) for f in fields}, cls=DjangoJSONEncoder))
                count += 1
            out.write("\n]\n")
            out.flush()
            out.detach()
        shown: list[list[str]] | None = [] if count <= INDEX_ROWS else None
        with self.zip.open(f"{name}.csv", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            writer = csv.writer(out)
            writer.writerow(headings)
            for row in rows():
                values = [show(row.get(f)) for f, show in shown_as]
                writer.writerow([_cell(value) for value in values])
                if shown is not None and len(shown) < INDEX_ROWS:
                    shown.append([_readable(value) for value in values])
            out.flush()
            out.detach()
        self.parts.append(
            ExportPart(
                name,
                title,
                count,
                about=about,
                headings=headings,
                files=[f"{name}.csv", f"{name}.json"],
                shown=shown,
            )
        )

    def add_file(self, path: str, source: IO[bytes]) -> None:
        """Add a file the person uploaded (a forum attachment) at `path`, copied in
        chunks, and list it with the part added last (the one describing the files)."""
        with self.zip.open(path, "w", force_zip64=True) as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        self.parts[-1].files.append(path)

    def close(self) -> None:
        """Write the readable index and finish the ZIP."""
        html = render_to_string(
            "network/data_export_index.html",
            {
                "parts": self.parts,
                "person": self.person,
                "made_at": timezone.localtime(),
                "index_rows": INDEX_ROWS,
            },
        )
        self.zip.writestr("index.html", html)
        self.zip.close()


def iterate(rows: QuerySet, *, chunk_size: int = 500) -> Callable[[], Iterator[Mapping]]:
    """A rows callable for `ExportArchive.add_part` from a `.values(...)` queryset."""
    return lambda: rows.iterator(chunk_size=chunk_size)
