"""Library factories: published, live resources unless told otherwise."""

from datetime import UTC, datetime, timedelta

import factory
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify

from members.access import AccessLevel
from practice_library import services
from practice_library.models import Attachment, Resource, ResourceStatus, ResourceType


class ResourceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceType
        django_get_or_create = ["slug"]

    name = "Practice guide"
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Practice guide number {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title)[:100])
    resource_type = factory.SubFactory(ResourceTypeFactory)
    access_level = AccessLevel.PUBLIC
    status = ResourceStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    source = "Network editorial team"
    summary = "A short summary for the teaser."
    body = "## About\n\nThe body of the resource."

    @factory.post_generation
    def prepared(obj, create, extracted, **kwargs):
        """Render the body and work out publication, as the admin does on save."""
        if create:
            services.resource_prepare(resource=obj)
            obj.save()

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.topics.set(extracted)

    @factory.post_generation
    def audiences(obj, create, extracted, **kwargs):
        if create and extracted:
            services.resource_audiences_set(resource=obj, audiences=list(extracted))

    @factory.post_generation
    def indexed(obj, create, extracted, **kwargs):
        """Last, once topics and audiences are set: what search knows, as the admin does."""
        if create:
            services.resource_reindex(resource_id=obj.pk)


def pdf_bytes(text: str = "Inspection readiness checklist") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    # A fixed creation date: otherwise two calls a second apart (a loaded machine) give
    # different bytes, and a test comparing a download with pdf_bytes() fails by chance.
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def docx_bytes(text: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def attach(
    resource: Resource,
    *,
    name: str = "checklist.pdf",
    content: bytes | None = None,
    title: str = "",
) -> Attachment:
    """Attach a file the way editors do, through the admin's attachment form (checked,
    stored) and the service the admin calls (text extracted); refused as the form refuses."""
    from practice_library.admin import AttachmentForm

    uploaded = SimpleUploadedFile(name, content if content is not None else pdf_bytes())
    form = AttachmentForm(
        data={"title": title, "order": 0},
        files={"file": uploaded},
        instance=Attachment(resource=resource),
    )
    if not form.is_valid():
        raise ValidationError(form.errors.get("file") or form.errors)
    attachment = form.save()
    services.attachment_file_stored(attachment_id=attachment.pk)
    return attachment
