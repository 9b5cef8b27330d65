"""A finished event's recording and slides as a library resource of type "Webinar or
recording", when staff choose: the one place events write to the library (events may
use practice_library; the library knows nothing of events)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events.models import AUDIENCE_FIELD, Event
from members.models import MemberType
from network.mail import site_url
from practice_library import services as library
from practice_library.models import Resource, ResourceStatus, ResourceType

SLIDES_TITLE = "Slides"


def recording_to_library(
    *, event: Event, access_level: str, now: datetime | None = None
) -> Resource:
    """Make the event's recording (and slides) a library resource of type "Webinar or
    recording", linked both ways: the event page links the resource, and the resource's
    text links the event. Doing it again updates the same resource."""
    if not event.recording_url and not event.slides:
        raise ValidationError("Add a recording or slides to the event first.")
    now = now or timezone.now()
    resource_type, _ = ResourceType.objects.get_or_create(
        slug="webinar-or-recording", defaults={"name": "Webinar or recording"}
    )
    resource = event.resource or Resource(slug=_free_resource_slug(event))
    resource.title = event.title
    resource.resource_type = resource_type
    resource.access_level = access_level
    resource.status = ResourceStatus.PUBLISHED
    resource.summary = event.summary
    resource.source = "English Residential Network events"
    lines = [
        f"Recorded at the network's {event.get_format_display().lower()} "
        f"[{event.title}]({site_url(event.get_absolute_url())}).",
    ]
    if event.recording_url:
        lines.append(f"\n[Watch the recording]({event.recording_url})")
    if event.description:
        lines.append(f"\n## About the session\n\n{event.description}")
    resource.body = "\n".join(lines)
    library.resource_prepare(resource=resource, now=now)
    resource.save()
    resource.topics.set(event.topics.all())
    library.resource_audiences_set(
        resource=resource,
        audiences=[value for value in MemberType.values if getattr(event, AUDIENCE_FIELD[value])],
    )
    if event.slides:
        _slides_to_library(event=event, resource=resource)
    library.search_entries_refresh(resource_ids=[resource.pk])
    if event.resource_id != resource.pk:
        event.resource = resource
        event.save(update_fields=["resource", "updated_at"])
    return resource


def _slides_to_library(*, event: Event, resource: Resource) -> None:
    """The resource's "Slides" attachment is the event's slides. Slides replaced on the
    event (a correction, a name that should not be there) replace the library's copy
    when the recording is put in the library again; the same slides are left as they are."""
    event.slides.open("rb")
    try:
        content = event.slides.read()
    finally:
        event.slides.close()
    current = resource.attachments.filter(title=SLIDES_TITLE).first()
    if current is not None:
        try:
            with current.file.open("rb") as stored:
                if stored.read() == content:
                    return
        except FileNotFoundError:
            pass  # the library's copy is lost: replace it
        old_file = current.file
        current.delete()
        transaction.on_commit(lambda: old_file.delete(save=False))
    upload = ContentFile(content, name=event.slides_filename or "slides")
    upload.content_type = event.slides_content_type
    library.attachment_add(resource=resource, uploaded=upload, title=SLIDES_TITLE)


def _free_resource_slug(event: Event) -> str:
    base = slugify(f"recording {event.title}")[:110]
    slug, n = base, 1
    while Resource.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
