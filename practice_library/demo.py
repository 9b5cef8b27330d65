"""Demo library: the resource types, and resources for each audience (providers who run
homes, council commissioners, policy makers) read from Markdown files in
demo_content/resources/, one per resource, with the PDF and Word attachments written
from the text that follows each file's marker (network/demo_documents.py).

Written for this project in the field's words. Organisations named are fictional and
say so; no child is described. Recorded webinars come from finished events
(events/demo.py), as on the site. Safe to run again: rows are found by slug, files by
name, and a resource keeps the publication time it was first given.
"""

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from network.demo_documents import DemoText, demo_texts, document_bytes
from network.models import Topic
from practice_library import services
from practice_library.models import Attachment, Resource, ResourceStatus, ResourceType

CONTENT = Path(__file__).resolve().parent / "demo_content" / "resources"

TYPES = [
    (
        "practice-guide",
        "Practice guide",
        "Practical guidance for people who run homes and commission places.",
    ),
    (
        "case-study",
        "Case study",
        "How a home or a council did something well, and what it learned.",
    ),
    ("research-summary", "Research summary", "Studies of residential care in plain words."),
    ("policy-and-review", "Policy and review", "Reviews, consultations and what they mean."),
    ("contract-or-template", "Contract or template", "Model contracts, forms and templates."),
    ("data-and-statistics", "Data and statistics", "Data packs and how to read them."),
    ("webinar-or-recording", "Webinar or recording", "Recorded sessions with their notes."),
    (
        "young-person-friendly-version",
        "Young-person-friendly version",
        "Versions written for the young people the documents are about.",
    ),
]

RELATED = [
    ("preparing-for-your-ofsted-inspection", "regulation-44-visits-getting-value"),
    ("what-outstanding-homes-have-in-common", "case-study-harbour-lights-leadership"),
    ("sufficiency-duty-explained", "using-local-data-for-sufficiency"),
    ("staying-close-explained", "leaving-care-transition-planning"),
    ("independent-review-of-residential-care-2016", "independent-review-progress"),
    ("missing-from-care-protocol", "exploitation-spotting-the-signs"),
    ("therapeutic-care-introduction", "trauma-informed-practice-case-study"),
    ("quality-assurance-visits-for-commissioners", "placement-agreement-template"),
    ("spot-purchase-or-framework", "case-study-eastbridge-block-contract"),
    ("commissioning-for-older-children", "unregulated-settings-rise"),
    ("workforce-research-for-policy-makers", "recruiting-residential-care-workers"),
    ("therapeutic-approaches-evidence-briefing", "therapeutic-care-introduction"),
    ("reflective-supervision-record-template", "workforce-development-plan-template"),
]
YOUNG_PERSON_VERSIONS = [
    ("framework-contract-for-childrens-homes", "framework-contract-young-person-version"),
    ("staying-close-explained", "staying-close-young-person-version"),
    ("preparing-for-your-ofsted-inspection", "inspection-young-person-version"),
    ("health-and-wellbeing-in-residential-care", "health-passport-young-person-version"),
]
_DAYS_AGO = re.compile(r"^(\d+) days? ago$")


def published_on(value: str, *, today: date) -> date:
    """`2024-03-12`, or `12 days ago` for content that stays recent whenever the demo is
    loaded (the members' "New in your topics")."""
    found = _DAYS_AGO.match(value)
    if found:
        day = today - timedelta(days=int(found.group(1)))
        # Editors publish on working days: a weekend date moves back to the Friday.
        return day - timedelta(days=max(day.weekday() - 4, 0))
    return date.fromisoformat(value)


def _resource(text: DemoText, *, types: dict, topics: dict, index: int) -> Resource:
    meta = text.meta
    today = timezone.localdate()
    published = published_on(meta["published"], today=today)
    is_draft = text.slug.startswith("draft-")
    # Editors publish in working hours, not all at the same minute.
    at = time(8 + index % 9, (index * 17) % 60)
    publish_at = datetime.combine(published, at, tzinfo=timezone.get_current_timezone())
    # Older content is due for review; a few reviews have already passed.
    reviewed_on = published if published.year >= 2023 else date(published.year + 2, 4, 1)
    review_due = date(reviewed_on.year + 2, reviewed_on.month, 1)
    if index % 9 == 4 and published < today - timedelta(days=365):
        review_due = date(today.year, 1, 1) if today.month > 1 else date(today.year - 1, 11, 1)
    # Running again refreshes the text but keeps the dates the resource was first given
    # ("12 days ago" is counted from the day it was first loaded).
    existing = Resource.objects.filter(slug=text.slug)
    kept = existing.values_list("publish_at", "reviewed_on", "review_due").first()
    if kept is not None:
        publish_at = kept[0] or publish_at
        reviewed_on, review_due = kept[1] or reviewed_on, kept[2] or review_due
    resource, _ = Resource.objects.update_or_create(
        slug=text.slug,
        defaults={
            "title": meta["title"],
            "resource_type": types[meta["type"]],
            "access_level": meta["access"],
            "status": ResourceStatus.REVIEW if is_draft else ResourceStatus.PUBLISHED,
            "publish_at": None if is_draft else publish_at,
            "source": meta["source"],
            "summary": meta["summary"],
            "body": text.body,
            "reviewed_on": reviewed_on,
            "review_due": review_due,
        },
    )
    services.resource_prepare(resource=resource)
    resource.save()
    resource.topics.set([topics[slug] for slug in text.values("topics") if slug in topics])
    services.resource_audiences_set(resource=resource, audiences=text.values("audiences"))
    return resource


def _attach(resource: Resource, text: DemoText) -> None:
    for order, demo_file in enumerate(text.files):
        if Attachment.objects.filter(resource=resource, original_filename=demo_file.name).exists():
            continue
        subtitle = f"{resource.resource_type.name}. {resource.source}"
        uploaded = SimpleUploadedFile(demo_file.name, document_bytes(demo_file, subtitle=subtitle))
        attachment = Attachment(resource=resource, title=demo_file.title, order=order)
        services.attachment_prepare(attachment=attachment, uploaded=uploaded)  # the site's checks
        attachment.file.save(demo_file.name, uploaded, save=False)
        attachment.save()
        services.attachment_extract_text(attachment_id=attachment.pk)


def seed() -> None:
    types = {}
    for order, (slug, name, description) in enumerate(TYPES):
        types[slug], _ = ResourceType.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    texts = demo_texts(CONTENT)
    resources = {}
    for index, text in enumerate(texts):
        resources[text.slug] = _resource(text, types=types, topics=topics, index=index)
        _attach(resources[text.slug], text)

    for one, other in RELATED:
        resources[one].related.add(resources[other])
    for original, young in YOUNG_PERSON_VERSIONS:
        Resource.objects.filter(pk=resources[original].pk).update(
            young_person_version=resources[young]
        )
    for resource in resources.values():
        services.resource_reindex(resource_id=resource.pk)
