"""What each role gets from each events URL (the project-wide access-matrix test; format
in members/access_matrix.py).

The events used: a published one open to registered people; a draft (editors and staff
only); a finished members-only one with slides (members, editors and staff download
them), where the provider member attended and may download a certificate (nobody else
has one). The signed links in emails are their own credential: every role holding a
valid one gets the page, a forged one a clear 400 page.

In the admin (the rest of it in members/access_expectations/accounts.py), who registered,
with their access and dietary needs, is for the staff who organise events: editors are
refused registrations and the attendance register, and see each event's numbers on the
event and the events' list instead (members/staff_groups.py).
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from events import tokens
from events.models import Eligibility, Event, EventFormat, EventStatus, Registration
from members.access_matrix import ROLES  # noqa: F401 (the roles this module answers for)

_ORGANISERS = {"staff": 200, "editor": 403, "*": 302}
_EDITORS_TOO = {"staff": 200, "editor": 200, "*": 302}

EXPECTED: dict[str, dict[str, int]] = {
    "events:index": {"*": 200},
    "events:feed": {"*": 200},
    "events:calendar_feed": {"*": 200},
    "events:detail[published]": {"*": 200},
    "events:detail[draft]": {"editor": 200, "staff": 200, "*": 404},
    "events:calendar": {"*": 200},
    "events:register": {"anonymous": 302, "*": 405},
    "events:cancel": {"anonymous": 302, "*": 405},
    "events:needs": {"anonymous": 302, "*": 405},
    "events:slides": {
        "anonymous": 302,
        "registered": 403,
        "lapsed": 403,
        "*": 200,
    },
    "events:certificate": {"anonymous": 302, "provider_member": 200, "*": 403},
    "events:link_cancel[valid]": {"*": 200},
    "events:link_cancel[forged]": {"*": 400},
    "events:link_confirm[valid]": {"*": 200},
    "events:link_confirm[forged]": {"*": 400},
    # Every registration page (history, deleting, adding): refused to editors.
    "admin:events_registration_*": _ORGANISERS,
    "admin:events_registration_changelist": _ORGANISERS,
    "admin:events_registration_change": _ORGANISERS,
    "admin:events_event_register": _ORGANISERS,
    "admin:events_event_changelist": _EDITORS_TOO,
    "admin:events_event_change": _EDITORS_TOO,
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url_kwargs(people: dict) -> dict[str, dict]:
    now = timezone.now()

    def event(slug: str, **fields) -> Event:
        defaults = {
            "title": slug.replace("-", " ").capitalize(),
            "format": EventFormat.WEBINAR,
            "summary": "An event used to check access.",
            "starts_at": now + timedelta(days=10),
            "ends_at": now + timedelta(days=10, hours=1),
            "capacity": 20,
            "status": EventStatus.PUBLISHED,
        }
        return Event.objects.create(slug=slug, **{**defaults, **fields})

    published = event("access-matrix-webinar")
    draft = event("access-matrix-draft", status=EventStatus.DRAFT)
    finished = event(
        "access-matrix-finished",
        status=EventStatus.FINISHED,
        eligibility=Eligibility.MEMBERS,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=2),
        recording_url="https://video.example.org/recording",
        slides_filename="slides.pdf",
        slides_extension="pdf",
        slides_content_type="application/pdf",
    )
    finished.slides.save("slides.pdf", ContentFile(PDF), save=True)
    owner = people.get("provider_member")
    Registration.objects.create(
        event=finished, user=owner, status="confirmed", place=1, name="Owner", attended=True
    )
    waiting = Registration.objects.create(
        event=published, user=owner, status="offered", place=1, name="Owner",
        offer_expires_at=now + timedelta(hours=10),
    )  # fmt: skip
    forged = {"token": "forged:token"}
    return {
        "events:detail[published]": {"slug": published.slug},
        "events:detail[draft]": {"slug": draft.slug},
        "events:calendar": {"slug": published.slug},
        "events:register": {"slug": published.slug},
        "events:cancel": {"slug": published.slug},
        "events:needs": {"slug": published.slug},
        "events:slides": {"slug": finished.slug},
        "events:certificate": {"slug": finished.slug},
        "events:link_cancel[valid]": {
            "token": tokens.registration_token(waiting, purpose=tokens.CANCEL)
        },
        "events:link_cancel[forged]": forged,
        "events:link_confirm[valid]": {
            "token": tokens.registration_token(waiting, purpose=tokens.CONFIRM_OFFER)
        },
        "events:link_confirm[forged]": forged,
        "admin:events_registration_*": {"object_id": str(waiting.pk)},
        "admin:events_registration_change": {"object_id": str(waiting.pk)},
        "admin:events_event_register": {"pk": finished.pk},
        "admin:events_event_change": {"object_id": str(published.pk)},
    }
