"""Demo events: upcoming ones (a free session on preparing for inspection, a
commissioners' regional meeting, a full hybrid conference with a waiting list), and
webinars that have finished, read from demo_content/webinars/*.md: each with its
recording link and its slides (a real PDF written from the file's text), made a library
resource of type "Webinar or recording" the way staff do it on the site
(events/recordings.py). The demo provider attended some and can download certificates.

Every organisation, venue and speaker here is fictional. Safe to run again: events are
found by slug and registrations by person; nothing already there is changed. Demo
registrations are written directly, so seeding sends no email.
"""

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone

from events import recordings, services
from events.models import Eligibility, Event, EventFormat, EventStatus, Registration, Speaker
from members.models import MemberType, Region, User
from network.demo_documents import DemoText, demo_texts, slides_pdf_bytes
from network.models import Topic
from practice_library.models import Resource

CONTENT = Path(__file__).resolve().parent / "demo_content" / "webinars"

LONDON = ZoneInfo("Europe/London")


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """A UK wall-clock time `days` from today (right on either side of the clock change)."""
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:  # the network runs its sessions on working days
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


EVENTS = [
    {
        "slug": "preparing-for-inspection-free-session",
        "title": "Preparing for inspection: a free session for registered managers",
        "format": EventFormat.WEBINAR,
        "region": "online",
        "starts": (16, 10, 0),
        "hours": 1.5,
        "eligibility": Eligibility.OPEN,
        "capacity": 150,
        "audiences": (True, False, True),
        "topics": ["inspection-and-quality", "leadership-and-management"],
        "summary": "What inspectors look for in a children's home, how to show the quality "
        "of care in your records and conversations, and how to prepare your team without "
        "turning the home upside down. Free and open to all.",
        "description": "### Programme\n\n- How an inspection of a children's home runs, day "
        "by day\n- Evidence that shows children's experiences and progress\n- Preparing "
        "staff and young people, calmly\n- Questions from the audience\n\nThe session is "
        "recorded for people who register.",
        "speakers": [
            ("Marion Achebe", "Registered manager, Larchwood House (fictional)"),
            ("Owen Pritchard", "Quality lead, network events team"),
        ],
    },
    {
        "slug": "west-midlands-commissioners-regional-meeting",
        "title": "West Midlands commissioners' regional meeting: sufficiency and local places",
        "format": EventFormat.IN_PERSON,
        "region": Region.WEST_MIDLANDS,
        "starts": (30, 10, 30),
        "hours": 4,
        "eligibility": Eligibility.MEMBER_TYPE,
        "member_type": MemberType.COMMISSIONER,
        "capacity": 40,
        "audiences": (False, True, False),
        "topics": ["commissioning-and-contracts"],
        "venue": "Foundry Hall conference rooms (fictional)",
        "address": "12 Canal Street\nNorthmoor\nNM1 4AB",
        "travel_notes": "Ten minutes' walk from Northmoor station. Step-free entrance on "
        "Canal Street; a hearing loop in both rooms. No parking on site.",
        "summary": "Commissioners from the region's councils compare how they meet the "
        "sufficiency duty: local places, framework contracts, spot purchasing and working "
        "with providers on new homes. For commissioner members.",
        "description": "### Programme\n\n- 10:30 Arrival and coffee\n- 11:00 Sufficiency "
        "statements: what they say and what happens next\n- 12:30 Lunch\n- 13:15 Working "
        "with providers on local homes\n- 14:30 Close",
        "speakers": [
            ("Ruth Adeyemi", "Head of commissioning, Northmoor Borough Council (fictional)")
        ],
    },
    {
        "slug": "staying-close-conference",
        "title": "Staying Close in practice: a one-day conference",
        "format": EventFormat.HYBRID,
        "region": Region.LONDON,
        "starts": (45, 9, 30),
        "hours": 6,
        "eligibility": Eligibility.MEMBERS,
        "capacity": 2,
        "audiences": (True, True, True),
        "topics": ["leaving-care-and-staying-close"],
        "venue": "Riverside Centre (fictional)",
        "address": "4 Wharf Lane\nLondon\nSE1 0ZZ",
        "travel_notes": "Five minutes from the underground; step-free from the river "
        "entrance. Lunch provided: tell us about dietary needs when you register.",
        "online_link": "https://meet.example.org/staying-close-conference",
        "summary": "Homes and councils that run Staying Close share what it takes: housing "
        "near the home, keeping relationships going, and funding. In London and online. "
        "Few places in the room: a waiting list opens when they are taken.",
        "description": "A day of talks and workshops for members. The online stream is "
        "open to everyone registered.",
        "speakers": [("Dr Lena Hart", "Researcher, Eastbridge University (fictional)")],
    },
]

# (event slug, demo person, attended)
REGISTRATIONS = [
    ("preparing-for-inspection-free-session", "provider@example.org", False),
    ("west-midlands-commissioners-regional-meeting", "commissioner@example.org", False),
    ("staying-close-conference", "commissioner@example.org", False),
    ("staying-close-conference", "policy@example.org", False),
    ("trauma-informed-care-webinar", "provider@example.org", True),
    ("trauma-informed-care-webinar", "moderator@example.org", True),
    ("trauma-informed-care-webinar", "policy@example.org", False),
    ("preparing-for-inspection-free-session-spring", "provider@example.org", True),
    ("preparing-for-inspection-free-session-spring", "registered@example.org", True),
    ("supervision-that-supports-webinar", "provider@example.org", True),
    ("contextual-safeguarding-webinar", "commissioner@example.org", True),
    ("choosing-a-therapeutic-model-webinar", "policy@example.org", True),
    ("market-shaping-with-local-providers-webinar", "commissioner@example.org", True),
    ("market-shaping-with-local-providers-webinar", "orgadmin@example.org", True),
    ("sector-data-roundtable", "policy@example.org", True),
]

# A recording links to the library's written guidance on the same subject.
RECORDING_RELATED = {
    "preparing-for-inspection-free-session-spring": "preparing-for-your-ofsted-inspection",
    "supervision-that-supports-webinar": "reflective-supervision-record-template",
    "contextual-safeguarding-webinar": "exploitation-spotting-the-signs",
    "choosing-a-therapeutic-model-webinar": "therapeutic-approaches-evidence-briefing",
    "market-shaping-with-local-providers-webinar": "case-study-eastbridge-block-contract",
    "sector-data-roundtable": "common-definitions-consultation-draft",
}


def _working_day(moment: datetime) -> datetime:
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def _recorded_spec(text: DemoText) -> dict:
    """A finished webinar's file as the same spec as the upcoming events above."""
    meta = text.meta
    hour, minute = (int(part) for part in meta["starts at"].split(":"))
    audiences = text.values("audiences")
    return {
        "slug": text.slug,
        "title": meta["title"],
        "format": EventFormat.WEBINAR,
        "region": "online",
        "starts": (-int(meta["days ago"]), hour, minute),
        "hours": float(meta["hours"]),
        "eligibility": meta["eligibility"],
        "capacity": int(meta["capacity"]),
        "audiences": tuple(kind in audiences for kind in MemberType.values),
        "topics": text.values("topics"),
        "summary": meta["summary"],
        "description": text.body,
        "recording_url": f"https://video.example.org/network/{text.slug}",
        "speakers": [
            tuple(part.strip() for part in speaker.split("|"))
            for speaker in meta["speakers"].split(";")
        ],
        "finished": True,
    }


def _recording(event: Event, text: DemoText) -> None:
    """The slides, then the library resource, as staff add them after the session."""
    if not event.slides and text.files:
        slides = text.files[0]
        event.slides_filename = slides.name
        event.slides_extension = "pdf"
        event.slides_content_type = "application/pdf"
        pdf = slides_pdf_bytes(event.title, slides.text)
        event.slides.save("slides.pdf", ContentFile(pdf), save=True)
    if event.resource_id is None:
        # Staff put the recording in the library a couple of days after the session.
        resource = recordings.recording_to_library(
            event=event,
            access_level=text.meta["recording access"],
            now=_working_day(event.ends_at + timedelta(days=2, hours=1)),
        )
        related = RECORDING_RELATED.get(event.slug)
        if related:
            resource.related.add(*Resource.objects.filter(slug=related))


def _event(spec: dict) -> Event:
    days, hour, minute = spec["starts"]
    starts = _at(days, hour, minute)
    providers, commissioners, policy = spec["audiences"]
    event, created = Event.objects.get_or_create(
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "status": EventStatus.FINISHED if spec.get("finished") else EventStatus.PUBLISHED,
            "format": spec["format"],
            "region": spec["region"],
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=spec["hours"]),
            "eligibility": spec["eligibility"],
            "member_type": spec.get("member_type", ""),
            "capacity": spec["capacity"],
            "for_providers": providers,
            "for_commissioners": commissioners,
            "for_policy": policy,
            "venue": spec.get("venue", ""),
            "address": spec.get("address", ""),
            "travel_notes": spec.get("travel_notes", ""),
            "online_link": spec.get("online_link", "")
            or (
                "https://meet.example.org/" + spec["slug"] if spec["format"] != "in-person" else ""
            ),
            "summary": spec["summary"],
            "description": spec["description"],
            "recording_url": spec.get("recording_url", ""),
        },
    )
    if created:
        services.event_prepare(event=event, now=starts - timedelta(days=40))
        event.save()
        event.topics.set(Topic.objects.filter(slug__in=spec["topics"]))
        for order, (name, role) in enumerate(spec["speakers"]):
            Speaker.objects.create(event=event, name=name, role=role, order=order)
    return event


def seed() -> None:
    events = {spec["slug"]: _event(spec) for spec in EVENTS}
    recorded = {text.slug: text for text in demo_texts(CONTENT)}
    for text in recorded.values():
        events[text.slug] = _event(_recorded_spec(text))
    for slug, email, attended in REGISTRATIONS:
        event = events[slug]
        user = User.objects.filter(email=email).first()
        if user is None or Registration.objects.filter(event=event, user=user).exists():
            continue
        # After the highest place held: a place given up (say by someone who deleted
        # their account) leaves a gap, so counting the places held would reuse one.
        highest = event.registrations.aggregate(highest=Max("place"))["highest"] or 0
        Registration.objects.create(
            event=event,
            user=user,
            status="confirmed",
            place=highest + 1,
            name=user.name,
            organisation_name=user.organisation_name,
            confirmed_at=event.starts_at - timedelta(days=14),
            attended=attended,
            attendance_marked_at=event.ends_at if attended else None,
        )
    for slug, text in recorded.items():
        _recording(events[slug], text)
