"""Factories for sector data: councils, mapped datasets, uploads, pages and charts."""

import csv
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify

from members.models import Region
from sector_data import services
from sector_data.models import (
    Chart,
    ChartKind,
    Council,
    DataPage,
    Dataset,
    DatasetColumn,
    DatasetVersion,
    Dimension,
    Licence,
)
from tests.members.factories import TopicFactory


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Council {n} (fictional)")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    region = Region.NORTH_EAST
    child_population = 50_000


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    title = factory.Sequence(lambda n: f"Homes and places {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    source_organisation = "Department for Education"
    source_url = "https://www.gov.uk/government/statistics"
    period_covered = "2021 to 2023"
    licence = Licence.OGL


# The columns most tests use: where, when, and two measures.
HOMES_COLUMNS = [
    ("Year", Dimension.YEAR, "", ""),
    ("Region", Dimension.REGION, "", ""),
    ("Council", Dimension.COUNCIL, "", ""),
    ("Homes", Dimension.MEASURE, "Children's homes", "count"),
    ("Places", Dimension.MEASURE, "Places", "count"),
]


def mapped_dataset(columns=HOMES_COLUMNS, **fields) -> Dataset:
    dataset = DatasetFactory(**fields)
    DatasetColumn.objects.bulk_create(
        DatasetColumn(dataset=dataset, header=h, role=r, label=label, unit=unit, order=i)
        for i, (h, r, label, unit) in enumerate(columns)
    )
    return dataset


def csv_file(rows: list[list], name: str = "figures.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def upload(dataset: Dataset, rows: list[list], **kwargs) -> DatasetVersion:
    return services.dataset_version_upload(dataset=dataset, uploaded=csv_file(rows), **kwargs)


class DataPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataPage

    title = factory.Sequence(lambda n: f"Data page {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    topic = factory.SubFactory(TopicFactory, name="Data and research")
    summary = "Homes and places by region."
    commentary = "Places grow **slowly**."
    commentary_html = "<p>Places grow <strong>slowly</strong>.</p>"
    is_published = True


class ChartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chart

    page = factory.SubFactory(DataPageFactory)
    title = factory.Sequence(lambda n: f"Chart {n}")
    kind = ChartKind.LINE
    order = factory.Sequence(lambda n: n)
