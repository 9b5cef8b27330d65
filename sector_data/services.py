"""Every write of the sector data: column mappings, uploads (new versions) and data pages.

`dataset_version_upload` is the one way figures enter the database: the whole file is
checked first, and loaded in one transaction only if no line has a problem, so a reader
never sees half a file; the new version becomes current and the old ones stay listed.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from network.files import uploaded_name
from network.markup import MARKUP_RENDERER_VERSION, render_markdown
from sector_data.models import (
    DataPage,
    Dataset,
    DatasetColumn,
    DatasetVersion,
    Dimension,
    Measure,
    Observation,
)
from sector_data.uploads import (
    UploadError,
    guess_role,
    guess_unit,
    measure_slug,
    parse_upload,
    read_table,
)

BULK_BATCH = 2000


def dataset_columns_from_file(*, dataset: Dataset, uploaded: UploadedFile) -> list[DatasetColumn]:
    """Map a dataset's columns from the header of its first file (guessed by their
    headings, for the editor to review in the admin); an existing mapping is kept."""
    existing = list(dataset.columns.all())
    if existing:
        return existing
    try:
        header, _ = read_table(uploaded)
    except UploadError as error:
        raise ValidationError(str(error)) from error
    columns = []
    for order, name in enumerate(header):
        if not name:
            continue
        role = guess_role(name)
        columns.append(
            DatasetColumn(
                dataset=dataset,
                header=name,
                role=role,
                label=name if role == Dimension.MEASURE else "",
                unit=guess_unit(name) if role == Dimension.MEASURE else "",
                order=order,
            )
        )
    for column in columns:
        column.full_clean()
    return DatasetColumn.objects.bulk_create(columns)


def _measures_for(dataset: Dataset, columns: list[DatasetColumn]) -> dict[str, Measure]:
    """The Measure of each measure column, created or brought up to date with the mapping."""
    measures = {}
    for column in columns:
        if column.role != Dimension.MEASURE:
            continue
        measure, _ = Measure.objects.update_or_create(
            dataset=dataset,
            slug=measure_slug(column),
            defaults={"label": column.label or column.header, "unit": column.unit},
        )
        measures[column.header] = measure
    return measures


def dataset_version_upload(
    *,
    dataset: Dataset,
    uploaded: UploadedFile,
    uploaded_by=None,
    note: str = "",
) -> DatasetVersion:
    """Check a file against the dataset's mapping and load it as the new current version.

    Raises ValidationError listing every problem (with line numbers) and loads nothing
    when there is any.
    """
    columns = list(dataset.columns.all())
    if not columns:
        raise ValidationError("Map the dataset's columns first.")
    parsed = parse_upload(uploaded, columns)
    if parsed.problem_count:
        messages = [str(problem) for problem in parsed.problems]
        hidden = parsed.problem_count - len(parsed.problems)
        if hidden:
            messages.append(f"… and {hidden} more problems.")
        raise ValidationError(messages)
    with transaction.atomic(durable=True):
        # Lock the dataset so two uploads at once get numbers one after the other.
        Dataset.objects.select_for_update().filter(pk=dataset.pk).first()
        number = (dataset.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        dataset.versions.filter(is_current=True).update(is_current=False)
        version = DatasetVersion(
            dataset=dataset,
            number=number,
            original_filename=uploaded_name(uploaded.name, default="upload", max_length=255),
            uploaded_by=uploaded_by,
            row_count=parsed.data_lines,
            observation_count=len(parsed.rows),
            is_current=True,
            note=note,
        )
        uploaded.seek(0)
        version.file.save(f"v{number}", uploaded, save=False)
        version.save()
        measures = _measures_for(dataset, columns)
        Observation.objects.bulk_create(
            (
                Observation(
                    version=version,
                    measure=measures[row.measure_header],
                    level=row.level,
                    region=row.region,
                    council_id=row.council_id,
                    year=row.year,
                    rating=row.rating,
                    age_band=row.age_band,
                    placement_type=row.placement_type,
                    value=row.value,
                )
                for row in parsed.rows
            ),
            batch_size=BULK_BATCH,
        )
    return version


def dataset_version_make_current(*, version: DatasetVersion) -> DatasetVersion:
    """Go back to (or forward to) a kept version: its figures become what pages show."""
    with transaction.atomic(durable=True):
        DatasetVersion.objects.filter(dataset_id=version.dataset_id, is_current=True).update(
            is_current=False
        )
        version.is_current = True
        version.save(update_fields=["is_current"])
    return version


def data_page_prepare(*, page: DataPage, now: datetime | None = None) -> DataPage:
    """Before saving an edited page: render its commentary and note when it went live."""
    page.commentary_html = render_markdown(page.commentary, user_content=False)
    page.commentary_renderer_version = MARKUP_RENDERER_VERSION
    if page.is_published and page.published_at is None:
        page.published_at = now or timezone.now()
    if not page.is_published:
        page.published_at = None
    return page
