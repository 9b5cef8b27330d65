"""Calendar files and emails: .ics parsed back with icalendar (UID, DTSTART with TZID,
SEQUENCE, METHOD), updates and cancellations, reminders once each, messages from staff
once per recipient, and times right across the clock change."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events import ics, notices, reminders, services
from events.models import Notice
from tests.events.conftest import calendar_of, people, sent_to, vevent
from tests.events.factories import EventFactory, in_person

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def register(event, user, commit):
    with commit():
        return services.registration_create(event=event, user=user).registration


def test_the_confirmation_carries_an_ics_request_with_a_stable_uid_and_london_time(person, commit):
    event = EventFactory(
        starts_at=datetime(2030, 1, 15, 10, 0, tzinfo=LONDON),
        ends_at=datetime(2030, 1, 15, 11, 30, tzinfo=LONDON),
    )

    register(event, person, commit)

    calendar = calendar_of(sent_to(person.email)[0])
    assert calendar["METHOD"] == "REQUEST"
    entry = vevent(calendar)
    assert str(entry["UID"]) == f"event-{event.pk}@network.example.org"
    assert entry["SEQUENCE"] == 0
    start = entry["DTSTART"]
    assert start.params["TZID"] == "Europe/London"
    assert start.dt == datetime(2030, 1, 15, 10, 0, tzinfo=LONDON)
    assert start.dt.astimezone(UTC) == datetime(2030, 1, 15, 10, 0, tzinfo=UTC)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert "mailto:ruth.kaye@example.org" in str(entry["ATTENDEE"])
    assert event.online_link not in calendar.to_ical().decode()


def test_the_calendar_file_s_content_type_says_its_method_and_charset_once(person, commit):
    register(EventFactory(), person, commit)

    (message,) = sent_to(person.email)
    part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")

    assert part.get_params() == [("text/calendar", ""), ("method", "REQUEST"), ("charset", "utf-8")]


def test_the_organiser_in_an_ics_request_is_a_bare_mailto_address(person, commit, settings):
    settings.DEFAULT_FROM_EMAIL = "English Residential Network <hello@network.example.org>"
    event = EventFactory()

    register(event, person, commit)

    organiser = vevent(calendar_of(sent_to(person.email)[0]))["ORGANIZER"]
    assert str(organiser) == "mailto:hello@network.example.org"
    assert organiser.params["CN"] == "English Residential Network"


def test_a_change_of_time_emails_every_registrant_an_update_with_a_higher_sequence(person, commit):
    event = in_person()
    others = people(2)
    for user in [person, *others]:
        register(event, user, commit)
    mail.outbox.clear()
    before = moved_later(event, by=timedelta(hours=2))

    with commit():
        emailed = services.event_changed(event=event, before=before)

    assert emailed == 3
    assert len(mail.outbox) == 3
    calendar = calendar_of(sent_to(person.email)[0])
    assert calendar["METHOD"] == "REQUEST"
    assert vevent(calendar)["SEQUENCE"] == 1
    assert str(vevent(calendar)["UID"]) == ics.event_uid(event)
    assert vevent(calendar)["DTSTART"].dt == event.starts_at


def calendar_fields(event) -> dict:
    """What services.event_changed compares a saved event with."""
    return {name: getattr(event, name) for name in services.CALENDAR_FIELDS}


def moved_later(event, by: timedelta = timedelta(days=1)) -> dict:
    """Move `event` later by `by`; its calendar fields as they were."""
    before = calendar_fields(event)
    event.starts_at += by
    event.ends_at += by
    event.save()
    return before


def test_people_waiting_hear_of_a_change_too_without_a_calendar_file(person, commit):
    event = EventFactory(capacity=1)
    register(event, people(1)[0], commit)
    register(event, person, commit)  # waiting
    mail.outbox.clear()
    before = moved_later(event)

    with commit():
        services.event_changed(event=event, before=before)

    (news,) = sent_to(person.email)
    assert news.subject == f"Changed: {event.title}"
    assert calendar_of(news) is None


def test_someone_joining_the_waiting_list_is_offered_to_leave_it_not_to_free_a_place(
    person, commit
):
    event = EventFactory(capacity=1)
    register(event, people(1)[0], commit)

    register(event, person, commit)  # waiting

    (waiting,) = sent_to(person.email)
    html = waiting.alternatives[0][0]
    assert "Leave the waiting list in one click" in waiting.body
    assert "Leave the waiting list in one click" in html
    assert "someone else can have your place" not in waiting.body + html


def test_people_waiting_are_not_told_of_a_place_or_calendar_file_they_lack(person, commit):
    event = EventFactory(capacity=1)
    holder = people(1)[0]
    register(event, holder, commit)
    register(event, person, commit)  # waiting
    mail.outbox.clear()
    before = moved_later(event)
    with commit():
        services.event_changed(event=event, before=before)
    with commit():
        services.event_cancel(event=event)

    changed, cancelled = sent_to(person.email)
    for email in (changed, cancelled):
        html = email.alternatives[0][0]
        for text in (email.body, html):
            assert "Your place is kept" not in text
            assert "attached calendar file" not in text
    assert "still on the waiting list" in changed.body
    assert "waiting list ends" in cancelled.body
    held_changed, held_cancelled = sent_to(holder.email)
    assert "Your place is kept; the attached calendar file" in held_changed.body
    assert "attached calendar file removes it" in held_cancelled.body


def test_saving_an_event_without_changing_time_or_place_emails_nobody(person, commit):
    event = EventFactory()
    register(event, person, commit)
    before = calendar_fields(event)
    mail.outbox.clear()
    event.summary = "A clearer summary."

    with commit():
        assert services.event_changed(event=event, before=before) == 0

    assert not mail.outbox


def test_cancelling_an_event_emails_everyone_a_cancelling_ics(person, commit):
    event = EventFactory(capacity=1)
    waiting = people(1)[0]
    register(event, person, commit)
    register(event, waiting, commit)
    mail.outbox.clear()

    with commit():
        emailed = services.event_cancel(event=event)

    assert emailed == 2
    calendar = calendar_of(sent_to(person.email)[0])
    assert calendar["METHOD"] == "CANCEL"
    assert vevent(calendar)["STATUS"] == "CANCELLED"
    assert str(vevent(calendar)["UID"]) == ics.event_uid(event)
    assert vevent(calendar)["SEQUENCE"] == 1
    # Someone who only waited has nothing in their calendar to remove.
    assert calendar_of(sent_to(waiting.email)[0]) is None


def test_cancelling_ones_own_place_sends_a_cancelling_ics(person, commit):
    event = EventFactory()
    registration = register(event, person, commit)
    mail.outbox.clear()

    with commit():
        services.registration_cancel(registration=registration)

    calendar = calendar_of(sent_to(person.email)[0])
    assert calendar["METHOD"] == "CANCEL"
    assert str(vevent(calendar)["UID"]) == ics.event_uid(event)


def test_the_cancel_link_in_the_email_is_signed_and_works(person, commit, client):
    event = EventFactory()
    registration = register(event, person, commit)
    body = sent_to(person.email)[0].body
    link = next(word for word in body.split() if "/events/r/" in word and "/cancel/" in word)
    path = link.split("http://127.0.0.1:8000", 1)[-1]

    page = client.get(path)
    registration.refresh_from_db()
    assert page.status_code == 200 and registration.status == "confirmed"  # GET changes nothing

    with commit():
        client.post(path)

    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_leaving_the_waiting_list_sends_no_calendar_file_even_after_an_earlier_place(
    person, commit
):
    event = EventFactory(capacity=1)
    first = register(event, person, commit)
    with commit():
        services.registration_cancel(registration=first)
    register(event, people(1)[0], commit)  # the place goes to someone else
    waiting = register(event, person, commit)
    mail.outbox.clear()

    with commit():
        services.registration_cancel(registration=waiting)

    (message,) = sent_to(person.email)
    assert calendar_of(message) is None


def test_reminders_go_a_week_and_an_hour_before_each_once(person, commit):
    starts = (timezone.now() + timedelta(days=20)).replace(microsecond=0)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=1))
    register(event, person, commit)
    mail.outbox.clear()

    with commit():
        assert reminders.reminders_queue(now=starts - timedelta(days=8)) == 0
        assert reminders.reminders_queue(now=starts - timedelta(days=6, hours=23)) == 1
        assert reminders.reminders_queue(now=starts - timedelta(days=6, hours=22)) == 0
    assert [m.subject for m in mail.outbox] == [f"Next week: {event.title}"]

    with time_machine.travel(starts - timedelta(minutes=55), tick=False), commit():
        assert reminders.reminders_queue() == 1
        assert reminders.reminders_queue() == 0
    assert mail.outbox[-1].subject == f"Starting in an hour: {event.title}"
    assert len(mail.outbox) == 2
    assert calendar_of(mail.outbox[-1])["METHOD"] == "REQUEST"


def test_no_week_reminder_for_someone_who_booked_within_the_week(person, commit):
    starts = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=1))
    register(event, person, commit)

    with commit():
        assert reminders.reminders_queue() == 0


def test_no_hour_reminder_for_someone_who_booked_within_the_hour(person, commit):
    starts = (timezone.now() + timedelta(minutes=20)).replace(microsecond=0)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=1))
    register(event, person, commit)
    mail.outbox.clear()

    with commit():
        assert reminders.reminders_queue() == 0
    assert mail.outbox == []


def test_email_to_all_registrants_is_recorded_and_sent_once_per_recipient(person, commit, staff):
    event = EventFactory(capacity=2)
    others = people(2)
    for user in [person, *others]:
        register(event, user, commit)  # two places, one waiting
    mail.outbox.clear()

    with commit():
        message = services.message_send(
            event=event, subject="Room change", body="We are in room 2.", sent_by=staff
        )

    assert len(mail.outbox) == 2
    assert message.notices.filter(state="sent").count() == 2
    for notice in message.notices.all():  # a retry or a second worker sends nothing more
        assert notices.notice_send(notice_id=notice.pk) is False
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject == "Room change"
    assert "We are in room 2." in mail.outbox[0].body


def test_a_failed_email_is_retried_later_and_then_sent_once(person, commit, monkeypatch):
    event = EventFactory()
    original = notices.notice_message

    def broken(notice):
        raise OSError("mail server down")

    monkeypatch.setattr(notices, "notice_message", broken)
    register(event, person, commit)
    notice = Notice.objects.get(kind="confirmed")
    assert notice.state == "pending" and notice.attempts == 1
    monkeypatch.setattr(notices, "notice_message", original)

    retried = notices.notices_retry(now=timezone.now() + timedelta(minutes=2))
    for notice_id in retried:
        notices.notice_send(notice_id=notice_id)

    notice.refresh_from_db()
    assert notice.state == "sent"
    assert len(mail.outbox) == 1


def test_times_stay_right_across_the_clock_change(person, commit, client):
    """Registered in winter (GMT) for an event in summer (BST): stored in UTC, shown and
    written to the calendar as 10:00 UK time, before and after the clocks go forward."""
    with time_machine.travel(datetime(2031, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        event = EventFactory(
            starts_at=datetime(2031, 4, 10, 10, 0, tzinfo=LONDON),
            ends_at=datetime(2031, 4, 10, 12, 0, tzinfo=LONDON),
        )
        register(event, person, commit)
        winter_page = client.get(event.get_absolute_url()).text

    event.refresh_from_db()
    assert event.starts_at == datetime(2031, 4, 10, 9, 0, tzinfo=UTC)
    assert "10:00 to 12:00 BST" in winter_page
    entry = vevent(calendar_of(sent_to(person.email)[0]))
    assert entry["DTSTART"].dt.astimezone(UTC) == datetime(2031, 4, 10, 9, 0, tzinfo=UTC)
    assert (entry["DTSTART"].dt.hour, entry["DTSTART"].dt.minute) == (10, 0)  # wall clock
    with time_machine.travel(datetime(2031, 4, 5, 12, 0, tzinfo=UTC), tick=False):
        summer_page = client.get(event.get_absolute_url()).text
    assert "10:00 to 12:00 BST" in summer_page


def test_a_winter_event_is_shown_in_gmt(client):
    event = EventFactory(
        starts_at=datetime(2030, 11, 5, 14, 0, tzinfo=LONDON),
        ends_at=datetime(2030, 11, 5, 15, 0, tzinfo=LONDON),
    )

    page = client.get(event.get_absolute_url()).text

    assert "Tuesday 5 November 2030, 14:00 to 15:00 GMT" in page


def test_the_public_calendar_feed_lists_published_events_without_joining_links(client):
    published = EventFactory(title="Published session")
    EventFactory(title="Draft session", status="draft")

    response = client.get("/events/ics/")

    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    titles = [str(entry["SUMMARY"]) for entry in calendar.walk("VEVENT")]
    assert titles == ["Published session"]
    assert published.online_link not in response.content.decode()


def test_the_add_to_calendar_file_has_the_same_uid_as_the_emails(client):
    event = EventFactory()

    response = client.get(f"/events/{event.slug}/calendar.ics")

    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(vevent(calendar)["UID"]) == ics.event_uid(event)
    assert 'filename="' in response["Content-Disposition"]


def test_a_multi_line_address_reads_as_one_line_with_commas_in_both_parts_of_an_email(
    person, commit
):
    event = in_person(venue="Civic Hall", address="1 Market Street,\nDurham\r\n\nDH1 3NJ")

    register(event, person, commit)

    (message,) = sent_to(person.email)
    html = message.alternatives[0][0]
    where = "Where: Civic Hall, 1 Market Street, Durham, DH1 3NJ\n"
    assert where in message.body
    assert "<strong>Where:</strong> Civic Hall, 1 Market Street, Durham, DH1 3NJ</p>" in html
    location = str(vevent(calendar_of(message))["LOCATION"])
    assert location == "Civic Hall, 1 Market Street, Durham, DH1 3NJ"
