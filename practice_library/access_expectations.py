"""What each role gets from each library URL (the project-wide access-matrix test).

The resource used is members-only and published: its page opens for everyone (the
summary is the public teaser), its file downloads for every signed-in person (members,
and non-members spending one of their monthly free reads) and sends visitors to sign in.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.access import AccessLevel
from members.access_matrix import ROLES  # noqa: F401 (the roles this module answers for)
from network.models import Topic
from practice_library import services
from practice_library.models import Attachment, Bookmark, Resource, ResourceStatus, ResourceType

EXPECTED: dict[str, dict[str, int]] = {
    "practice_library:index": {"*": 200},
    "practice_library:detail": {"*": 200},
    "practice_library:download": {"anonymous": 302, "*": 200},
    "practice_library:feed": {"*": 200},
    "practice_library:topic_feed": {"*": 200},
    "practice_library:my_library": {"anonymous": 302, "*": 200},
    "practice_library:bookmark_add": {"anonymous": 302, "*": 405},
    "practice_library:bookmark_remove": {"anonymous": 302, "*": 405},
    "practice_library:preview": {"anonymous": 302, "editor": 200, "staff": 200, "*": 403},
    "sitemap": {"*": 200},
    "sitemap_section": {"*": 200},
}

CSV = b"home,placements\nFictional House,4\n"


def url_kwargs(people: dict) -> dict[str, dict]:
    resource_type, _ = ResourceType.objects.get_or_create(
        slug="practice-guide", defaults={"name": "Practice guide"}
    )
    topic, _ = Topic.objects.get_or_create(slug="safeguarding", defaults={"name": "Safeguarding"})
    resource = Resource.objects.create(
        title="Access matrix: members-only guide",
        slug="access-matrix-members-only-guide",
        resource_type=resource_type,
        access_level=AccessLevel.MEMBERS,
        status=ResourceStatus.PUBLISHED,
        published_at=timezone.now(),
        summary="A members-only resource used to check access.",
        body="The members-only body.",
    )
    resource.topics.add(topic)
    uploaded = SimpleUploadedFile("figures.csv", CSV, content_type="text/csv")
    attachment = Attachment(resource=resource)
    services.attachment_prepare(attachment=attachment, uploaded=uploaded)
    attachment.file.save("figures.csv", uploaded, save=False)
    attachment.save()
    # Someone else's bookmark: no URL can reach it, and My library shows only one's own.
    if people.get("provider_member") is not None:
        Bookmark.objects.create(user=people["provider_member"], resource=resource)
    slug = {"slug": resource.slug}
    return {
        "practice_library:detail": slug,
        "practice_library:download": {**slug, "attachment_id": attachment.pk},
        "practice_library:topic_feed": {"slug": topic.slug},
        "practice_library:bookmark_add": slug,
        "practice_library:bookmark_remove": slug,
        "practice_library:preview": {"pk": resource.pk},
        "sitemap_section": {"section": "library"},
    }
