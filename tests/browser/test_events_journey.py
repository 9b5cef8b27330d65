"""Events in Chromium: a member finds an event by region and registers, and the email
with its .ics lands in the mail folder; a second member is wait-listed; the first cancels
by the emailed link; the second is offered the place and confirms; staff mark attendance
in the admin's register and the member downloads a certificate from their account page.
Every page is checked with axe-core."""

import email
import io
import re
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from events.models import Eligibility, Registration
from tests.browser.conftest import assert_accessible, sign_in
from tests.events.factories import EventFactory, in_person
from tests.members.factories import PASSWORD, UserFactory


@pytest.fixture
def mail_dir(settings, tmp_path) -> Path:
    """Emails written as files, as on the embedded default (var/mail/)."""
    folder = tmp_path / "mail"
    folder.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    return folder


def emails_to(folder: Path, address: str) -> list[email.message.Message]:
    """Every message in the mail folder addressed to `address`, oldest first."""
    found = []
    for path in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk.lstrip())
                if address in (message["To"] or ""):
                    found.append(message)
    return found


def text_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def calendar_in(message) -> icalendar.Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no .ics attached")


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def signed_in_as_staff(new_page, live_server):
    """Staff with two-factor set up, signed in (the admin asks for both)."""
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(staff)
    page = new_page()
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


@pytest.mark.django_db(transaction=True)
def test_members_register_wait_cancel_confirm_and_get_a_certificate(
    new_page, live_server, mail_dir
):
    event = in_person(
        title="West Midlands regional meeting",
        region="west-midlands",
        capacity=1,
        eligibility=Eligibility.REGISTERED,
    )
    EventFactory(title="Webinar on therapeutic models")
    first = UserFactory(email="jo@example.org", name="Jo Whitfield")
    second = UserFactory(email="dev@example.org", name="Dev Patel")

    # The first member finds the event by its region and registers.
    jo = new_page()
    sign_in(jo, first.email, PASSWORD)
    jo.goto("/events/")
    assert_accessible(jo)
    jo.get_by_label("Region").select_option(label="West Midlands")
    jo.get_by_role("button", name="Show events").click()
    jo.get_by_role("heading", name="1 upcoming event matching your filters").wait_for()
    assert "region=west-midlands" in jo.url
    jo.get_by_role("link", name="West Midlands regional meeting").click()
    jo.get_by_text("1 of 1 left").wait_for()
    assert_accessible(jo)
    jo.get_by_label("Accessibility or dietary needs (optional)").fill("Vegetarian lunch")
    jo.get_by_role("button", name="Register").click()
    jo.get_by_role("heading", name="You are booked").wait_for()
    assert_accessible(jo)

    (confirmation,) = emails_to(mail_dir, first.email)
    assert confirmation["Subject"] == "Your place is booked: West Midlands regional meeting"
    calendar = calendar_in(confirmation)
    assert calendar["METHOD"] == "REQUEST"
    entry = next(iter(calendar.walk("VEVENT")))
    assert str(entry["UID"]) == f"event-{event.pk}@network.example.org"
    assert entry["DTSTART"].params["TZID"] == "Europe/London"

    # The second member finds it full and joins the waiting list.
    dev = new_page(viewport={"width": 390, "height": 844})
    sign_in(dev, second.email, PASSWORD)
    dev.goto(event.get_absolute_url())
    dev.get_by_text("Full: waiting list open").wait_for()
    dev.get_by_role("button", name="Join the waiting list").click()
    dev.get_by_role("heading", name="You are on the waiting list").wait_for()
    assert_accessible(dev)

    # The first cancels with the link in the email (no sign-in needed).
    cancel_link = re.search(r"https?://\S+/events/r/\S+/cancel/", text_of(confirmation))[0]
    visitor = new_page()
    visitor.goto(path_of(cancel_link))
    assert_accessible(visitor)
    visitor.get_by_role("button", name="Cancel my registration").click()
    visitor.get_by_role("heading", name="Your registration is cancelled").wait_for()

    # The second is offered the place by email and confirms it in time.
    offer = emails_to(mail_dir, second.email)[-1]
    assert offer["Subject"] == "A place is free for you: West Midlands regional meeting"
    confirm_link = re.search(r"https?://\S+/events/r/\S+/confirm/", text_of(offer))[0]
    dev.goto(path_of(confirm_link))
    assert_accessible(dev)
    dev.get_by_role("button", name="Confirm my place").click()
    dev.get_by_role("heading", name="Your place is booked").wait_for()
    assert calendar_in(emails_to(mail_dir, second.email)[-1])["METHOD"] == "REQUEST"
    assert Registration.objects.get(user=second).status == "confirmed"

    # The day comes and goes; staff mark attendance in the admin's register.
    held = timezone.now() - timedelta(hours=3)
    type(event).objects.filter(pk=event.pk).update(
        starts_at=held, ends_at=held + timedelta(hours=2)
    )
    admin = signed_in_as_staff(new_page, live_server)
    admin.goto(f"/admin/events/event/{event.pk}/register/")
    admin.get_by_label("Dev Patel").check()
    admin.get_by_role("button", name="Save attendance").click()
    admin.get_by_text("Attendance saved: 1 attended.").wait_for()

    # The member downloads the certificate from their account page.
    dev.goto("/account/")
    dev.get_by_role("heading", name="Your events").wait_for()
    assert_accessible(dev)
    with dev.expect_download() as download:
        dev.get_by_role("link", name="Certificate of attendance (PDF)").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = pdf.pages[0].extract_text()
    assert "Dev Patel" in text
    assert "West Midlands regional meeting" in text
    assert "2 hours of continuing professional development (CPD)" in text


@pytest.mark.django_db(transaction=True)
def test_a_visitor_reads_past_events_and_a_recorded_webinar_on_a_phone(new_page):
    held = timezone.now() - timedelta(days=10)
    EventFactory(
        title="Trauma-informed care in practice",
        status="finished",
        eligibility=Eligibility.OPEN,
        starts_at=held,
        ends_at=held + timedelta(hours=1),
        recording_url="https://video.example.org/trauma-informed",
    )
    EventFactory(title="Preparing for inspection")
    page = new_page(viewport={"width": 390, "height": 844})

    page.goto("/")
    page.get_by_role("heading", name="Upcoming events").wait_for()
    assert_accessible(page)
    page.goto("/events/")
    page.get_by_role("link", name="Past events and recordings").click()
    page.get_by_role("heading", name="1 past event").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Trauma-informed care in practice").click()
    page.get_by_role("heading", name="Finished").wait_for()
    assert page.get_by_role("link", name="Watch the recording").is_visible()
    assert_accessible(page)
    page.goto("/events/r/forged:token/cancel/")
    page.get_by_role("heading", name="This link does not work").wait_for()
    assert_accessible(page)
