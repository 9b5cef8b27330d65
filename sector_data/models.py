"""Sector data: datasets and their versions, the councils they speak of, and data pages.

A Dataset describes where figures come from (source, date, licence, method) and how the
columns of its files map to measures and dimensions (DatasetColumn, set once). Each upload
is a DatasetVersion; exactly one version per dataset is current, older ones are kept. An
Observation is one number of one version: a measure, where (England, a region or a
council), a year, and optionally a rating, an age band or a placement type.

A DataPage is what readers see: charts (Chart rows) over datasets' current versions, a
Markdown commentary and links to the library resources that explain the figures.
Regions are England's nine (members.models.Region); councils are a reference table with
their child population, for rates per 10,000 children.
"""

import uuid

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.urls import reverse

from members.models import Organisation, Region
from network.files import protected_storage
from network.models import Topic

ILLUSTRATIVE_LABEL = "Illustrative data, fictional councils"


def get_protected_storage() -> Storage:
    # Named in migrations: the storage is looked up when used, not frozen into them.
    return protected_storage


def version_upload_to(instance: "DatasetVersion", filename: str) -> str:
    """A random name: the original name is kept in the row, never on disk."""
    name = uuid.uuid4().hex
    return f"sector_data/{name[:2]}/{name}"


class Council(models.Model):
    """A local authority: its region, and the children living there (for rates)."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    region = models.CharField(max_length=20, choices=Region.choices)
    child_population = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Children aged 0 to 17 living in the council's area; rates per 10,000 "
        "children need it.",
    )
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The council's membership, if it has one: its commissioners see their "
        "council first.",
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other names files use for this council, one a line (e.g. without “Council”).",
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "name"])]

    def __str__(self) -> str:
        return self.name


class Licence(models.TextChoices):
    OGL = "ogl-3", "Open Government Licence v3.0"
    QUOTED = "quoted", "Published figures, quoted with attribution"
    ILLUSTRATIVE = "illustrative", "Illustrative data (no licence needed)"
    OTHER = "other", "Other (see the method notes)"


class Dataset(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    source_organisation = models.CharField(max_length=200)
    source_url = models.URLField(blank=True)
    published_on = models.DateField("publication date", null=True, blank=True)
    period_covered = models.CharField(max_length=100, help_text="For example “2014 to 2023”.")
    licence = models.CharField(max_length=20, choices=Licence.choices, default=Licence.OGL)
    method_notes = models.TextField(blank=True)
    is_illustrative = models.BooleanField(
        default=False,
        help_text="Made-up figures for fictional councils: every chart, table and CSV "
        f"made from it says “{ILLUSTRATIVE_LABEL}”.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Dimension(models.TextChoices):
    """What a column of an uploaded file holds."""

    REGION = "region", "Region"
    COUNCIL = "council", "Council"
    YEAR = "year", "Year"
    RATING = "rating", "Ofsted rating"
    AGE_BAND = "age_band", "Age band"
    PLACEMENT_TYPE = "placement_type", "Placement type"
    MEASURE = "measure", "A measure (numbers)"
    IGNORE = "ignore", "Ignore this column"


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENT = "percent", "Percentage"
    DAYS = "days", "Days"
    POUNDS = "pounds", "Pounds (£)"


class DatasetColumn(models.Model):
    """How one column of the dataset's files is read: set once, used for every upload."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="columns")
    header = models.CharField(max_length=100, help_text="The column's heading in the file.")
    role = models.CharField(max_length=20, choices=Dimension.choices)
    label = models.CharField(
        max_length=150, blank=True, help_text="For a measure: what it counts, as readers see it."
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "header"], name="column_header_once"),
            models.CheckConstraint(
                condition=~Q(role="measure") | ~Q(unit=""), name="measure_column_has_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.get_role_display()}"


class Measure(models.Model):
    """A quantity a dataset measures (one measure column of its files)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="measures")
    slug = models.SlugField(max_length=100)
    label = models.CharField(max_length=150)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.COUNT)

    class Meta:
        ordering = ["dataset", "label"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "slug"], name="measure_slug_once"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.dataset})"

    @property
    def additive(self) -> bool:
        """Counts add up (councils to a region); percentages and averages do not."""
        return self.unit in (Unit.COUNT, Unit.POUNDS)


class DatasetVersionQuerySet(models.QuerySet):
    def current(self) -> "DatasetVersionQuerySet":
        return self.filter(is_current=True)


class DatasetVersion(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(
        storage=get_protected_storage, upload_to=version_upload_to, max_length=200
    )
    original_filename = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    row_count = models.PositiveIntegerField(default=0)
    observation_count = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=False)
    note = models.CharField(max_length=255, blank=True)

    objects = DatasetVersionQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="version_number_once"),
            models.UniqueConstraint(
                fields=["dataset"], condition=Q(is_current=True), name="one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"


class Level(models.TextChoices):
    ENGLAND = "england", "England"
    REGION = "region", "Region"
    COUNCIL = "council", "Council"


class Rating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires-improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"


class Observation(models.Model):
    """One number. Geography: England (no region, no council), a region, or a council
    (with its region, so that councils add up to regions in one grouped query)."""

    version = models.ForeignKey(
        DatasetVersion, on_delete=models.CASCADE, related_name="observations"
    )
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="observations")
    level = models.CharField(max_length=10, choices=Level.choices)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, null=True, blank=True, related_name="observations"
    )
    year = models.PositiveSmallIntegerField()
    rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    age_band = models.CharField(max_length=50, blank=True)
    placement_type = models.CharField(max_length=100, blank=True)
    value = models.FloatField()

    class Meta:
        indexes = [
            # Every chart reads one measure of one version, grouped by place and year.
            models.Index(fields=["version", "measure", "level", "region", "year"]),
            models.Index(fields=["version", "measure", "council", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.measure.slug} {self.year}: {self.value}"


class DataPageQuerySet(models.QuerySet):
    def published(self) -> "DataPageQuerySet":
        return self.filter(is_published=True)


class DataPage(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="data_pages")
    summary = models.CharField(
        max_length=300, help_text="One or two sentences for the list of data pages."
    )
    commentary = models.TextField(blank=True, help_text="Markdown: the network's reading.")
    commentary_html = models.TextField(blank=True, editable=False)
    commentary_renderer_version = models.PositiveSmallIntegerField(default=0, editable=False)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    related_resources = models.ManyToManyField(
        "practice_library.Resource",
        blank=True,
        related_name="+",
        help_text="Library resources that explain these figures.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = DataPageQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sector_data:page", kwargs={"slug": self.slug})


class ChartKind(models.TextChoices):
    LINE = "line", "Line over time"
    REGION_BARS = "region_bars", "Bars by region (latest year)"
    STACKED = "stacked", "Stacked bars over time"


class ChartDimension(models.TextChoices):
    NONE = "", "None: one series per place"
    RATING = "rating", "Ofsted rating"
    AGE_BAND = "age_band", "Age band"
    PLACEMENT_TYPE = "placement_type", "Placement type"


class Chart(models.Model):
    """One chart of a data page; the first is the visitors' teaser."""

    page = models.ForeignKey(DataPage, on_delete=models.CASCADE, related_name="charts")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ChartKind.choices, default=ChartKind.LINE)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="charts")
    dimension = models.CharField(
        max_length=20,
        choices=ChartDimension.choices,
        blank=True,
        help_text="Stacked bars split by this (ratings by default); a line chart draws "
        "one line per value of it instead of one per place.",
    )
    per_10k_children = models.BooleanField(
        "rates per 10,000 children",
        default=False,
        help_text="Counts only, from council figures where the council's child "
        "population is known.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title
