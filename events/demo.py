"""Demo events: a free session on preparing for inspection, a commissioners' regional
meeting, a full hybrid conference with a waiting list, and a recorded webinar that has
finished (attended by the demo provider, who can download a certificate; its recording
and slides are in the library).

Every organisation, venue and speaker here is fictional. Safe to run again: events are
found by slug and registrations by person; nothing already there is changed. Demo
registrations are written directly, so seeding sends no email.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone
from fpdf import FPDF

from events import recordings, services
from events.models import Eligibility, Event, EventFormat, EventStatus, Registration, Speaker
from members.access import AccessLevel
from members.models import MemberType, Region, User
from network.models import Topic

LONDON = ZoneInfo("Europe/London")


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """A UK wall-clock time `days` from today (right on either side of the clock change)."""
    day = timezone.localdate() + timedelta(days=days)
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
    {
        "slug": "trauma-informed-care-webinar",
        "title": "Trauma-informed care in practice (recorded webinar)",
        "format": EventFormat.WEBINAR,
        "region": "online",
        "starts": (-20, 14, 0),
        "hours": 1,
        "eligibility": Eligibility.MEMBERS,
        "capacity": 100,
        "audiences": (True, False, True),
        "topics": ["therapeutic-practice", "workforce-and-training"],
        "summary": "Two registered managers on how their teams use a trauma-informed "
        "approach every day: supervision, routines, and repairing relationships after "
        "difficult moments. The recording and slides are available to members.",
        "description": "Recorded live with questions from members.",
        "recording_url": "https://video.example.org/network/trauma-informed-care",
        "speakers": [
            ("Asha Begum", "Registered manager, Hollybank Homes (fictional)"),
            ("Peter Doyle", "Training lead, Hollybank Homes (fictional)"),
        ],
        "finished": True,
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
]


def _slides_pdf(title: str) -> bytes:
    pdf = FPDF(orientation="landscape")
    for heading, line in [
        (title, "English Residential Network webinar (demo slides)"),
        ("Everyday routines", "Predictable days help young people feel safe."),
        ("Repair", "After a difficult moment, the adult starts the repair."),
    ]:
        pdf.add_page()
        pdf.set_font("helvetica", style="B", size=28)
        pdf.multi_cell(0, 14, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=18)
        pdf.multi_cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


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
    for slug, email, attended in REGISTRATIONS:
        event = events[slug]
        user = User.objects.filter(email=email).first()
        if user is None or Registration.objects.filter(event=event, user=user).exists():
            continue
        taken = event.registrations.filter(place__isnull=False).count()
        Registration.objects.create(
            event=event,
            user=user,
            status="confirmed",
            place=taken + 1,
            name=user.name,
            organisation_name=user.organisation_name,
            confirmed_at=event.starts_at - timedelta(days=14),
            attended=attended,
            attendance_marked_at=event.ends_at if attended else None,
        )
    recorded = events["trauma-informed-care-webinar"]
    if not recorded.slides:
        recorded.slides_filename = "trauma-informed-care-slides.pdf"
        recorded.slides_extension = "pdf"
        recorded.slides_content_type = "application/pdf"
        recorded.slides.save("slides.pdf", ContentFile(_slides_pdf(recorded.title)), save=True)
    if recorded.resource_id is None:
        recordings.recording_to_library(event=recorded, access_level=AccessLevel.MEMBERS)
