"""Staff and editors in the admin: events with their recording and slides, registrations
filtered and exported (formula-safe), the attendance register, email to everyone
registered, cancelling, and the recording as a library resource linked both ways."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from events import recordings
from events.models import Eligibility, Event, EventStatus, Registration
from members.access import EDITORS_GROUP, AccessLevel
from practice_library.models import Resource
from tests import roles
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory
from tests.practice_library.factories import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded_event():
    starts = timezone.now() - timedelta(days=5)
    event = EventFactory(
        title="Trauma-informed care in practice",
        status=EventStatus.FINISHED,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        eligibility=Eligibility.MEMBERS,
        recording_url="https://video.example.org/trauma-informed",
        slides_filename="slides.pdf",
        slides_extension="pdf",
        slides_content_type="application/pdf",
    )
    event.slides.save("slides.pdf", ContentFile(pdf_bytes("Slides on routines")), save=True)
    return event


def book(event, user, **fields):
    place = event.registrations.filter(place__isnull=False).count() + 1
    return Registration.objects.create(
        event=event, user=user, status="confirmed", place=place, name=user.name, **fields
    )


def test_staff_open_an_event_with_a_recording_and_slides(staff_client, recorded_event):
    response = staff_client.get(reverse("admin:events_event_change", args=[recorded_event.pk]))

    assert response.status_code == 200
    assert "trauma-informed" in response.text
    assert "Attendance register" in response.text


def test_the_date_and_the_time_of_an_events_start_each_have_a_label(staff_client):
    page = staff_client.get(reverse("admin:events_event_add")).content.decode()

    assert '<label for="id_starts_at_0">Date:</label>' in page
    assert '<label for="id_starts_at_1">Time:</label>' in page


def test_each_speakers_inputs_are_named_after_their_column(staff_client, recorded_event):
    """The speakers' table names its columns once; each input names itself too."""
    recorded_event.speakers.create(name="Dr Amara Okafor", role="Clinical psychologist")
    page = staff_client.get(reverse("admin:events_event_change", args=[recorded_event.pk])).text

    for column in ("name", "role", "order"):
        field = re.search(rf'<input[^>]*id="id_speakers-0-{column}"[^>]*>', page).group(0)
        assert f'aria-label="{column.capitalize()}"' in field
    delete = re.search(r'<input[^>]*id="id_speakers-0-DELETE"[^>]*>', page).group(0)
    assert 'aria-label="Delete this row"' in delete


def test_editors_manage_events_with_the_demo_groups_permissions(client):
    from members import demo

    demo.seed()
    editor = roles.with_two_factor(UserFactory(email="new.editor@example.org", is_staff=True))
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(editor)

    assert editor.has_perm("events.add_event")
    assert not editor.has_perm("events.view_registration")
    assert client.get(reverse("admin:events_event_add")).status_code == 200


def test_the_registrations_export_is_safe_to_open_in_a_spreadsheet(staff_client):
    event = EventFactory()
    book(event, UserFactory(name="=HYPERLINK(evil)"), needs="@SUM(1)")

    response = staff_client.post(
        reverse("admin:events_registration_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(event.registrations.values_list("pk", flat=True)),
        },
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["event", "starts (UK time)", "name"]
    assert rows[1][2] == "'=HYPERLINK(evil)"
    assert rows[1][8] == "'@SUM(1)"


def test_the_attendance_register_marks_exactly_the_ticked_people(staff_client):
    event = EventFactory()
    came, stayed_away = book(event, UserFactory()), book(event, UserFactory(), attended=True)

    staff_client.post(
        reverse("admin:events_event_register", args=[event.pk]), {"attended": [came.pk]}
    )

    came.refresh_from_db()
    stayed_away.refresh_from_db()
    assert came.attended and not stayed_away.attended


def test_bulk_marking_attendance_skips_people_without_a_confirmed_place(staff_client):
    event = EventFactory()
    confirmed = book(event, UserFactory())
    waiting = Registration.objects.create(
        event=event, user=UserFactory(), status="waiting", name="W", waiting_since=timezone.now()
    )

    staff_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "mark_attended", "_selected_action": [confirmed.pk, waiting.pk]},
    )

    assert Registration.objects.get(pk=confirmed.pk).attended
    assert not Registration.objects.get(pk=waiting.pk).attended


def test_staff_email_everyone_registered_once_each(
    staff_client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    for _ in range(3):
        book(event, UserFactory())
    url = reverse("admin:events_event_message", args=[event.pk])

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"subject": "Parking", "body": "Use the rear car park."})

    assert len(mail.outbox) == 3
    assert {message.subject for message in mail.outbox} == {"Parking"}


def test_the_same_message_sent_again_from_the_back_button_reaches_nobody_twice(
    staff_client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    book(event, UserFactory())
    url = reverse("admin:events_event_message", args=[event.pk])
    message = {"subject": "Parking", "body": "Use the rear car park."}
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, message)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, message)

    assert len(mail.outbox) == 1
    assert event.messages.count() == 1
    assert "This message was sent at" in response.text


def test_a_message_to_nobody_is_refused_and_not_kept_as_sent(staff_client):
    event = EventFactory()
    url = reverse("admin:events_event_message", args=[event.pk])

    response = staff_client.post(url, {"subject": "Parking", "body": "Use the rear car park."})

    assert "Nobody would receive this message" in response.text
    assert 'value="Parking"' in response.text
    assert not event.messages.exists()


def test_a_refused_message_s_page_title_says_there_was_an_error(staff_client):
    event = EventFactory(title="Preparing for inspection")
    url = reverse("admin:events_event_message", args=[event.pk])

    response = staff_client.post(url, {"subject": "Parking", "body": "Use the rear car park."})

    assert "<title>Error: Email everyone registered: Preparing for inspection" in response.text


def test_cancelling_from_the_admin_emails_everyone(
    staff_client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    book(event, UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:events_event_changelist"),
            {"action": "cancel_events", "_selected_action": [event.pk], "confirmed": "yes"},
        )

    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert mail.outbox[0].subject == f"Cancelled: {event.title}"


def test_cancelling_from_the_admin_leaves_an_event_that_has_taken_place(
    staff_client, django_capture_on_commit_callbacks
):
    event = EventFactory(
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
        status=EventStatus.FINISHED,
    )
    book(event, UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:events_event_changelist"),
            {"action": "cancel_events", "_selected_action": [event.pk], "confirmed": "yes"},
            follow=True,
        )

    event.refresh_from_db()
    assert event.status == EventStatus.FINISHED
    assert mail.outbox == []
    assert "has already taken place, so it cannot be cancelled" in response.text


def test_cancelling_from_the_admin_asks_first_and_emails_no_one_until_confirmed(staff_client):
    event = EventFactory(title="Regional meeting of commissioners, North East")
    book(event, UserFactory())

    response = staff_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "cancel_events", "_selected_action": [event.pk]},
    )

    event.refresh_from_db()
    assert event.status != EventStatus.CANCELLED
    assert mail.outbox == []
    assert "Regional meeting of commissioners, North East" in response.text
    assert "A cancelled event stays cancelled" in response.text


def test_finishing_from_the_admin_changes_the_event_s_last_change_time(staff_client):
    event = EventFactory()
    Event.objects.filter(pk=event.pk).update(updated_at=timezone.now() - timedelta(days=2))

    staff_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "finish", "_selected_action": [event.pk]},
    )

    event.refresh_from_db()
    assert event.status == EventStatus.FINISHED
    assert event.updated_at > timezone.now() - timedelta(minutes=1)


def test_the_recording_becomes_a_library_resource_linked_both_ways(
    staff_client, recorded_event, client
):
    staff_client.post(
        reverse("admin:events_event_library", args=[recorded_event.pk]),
        {"access_level": AccessLevel.MEMBERS},
    )

    recorded_event.refresh_from_db()
    resource = recorded_event.resource
    assert resource.resource_type.slug == "webinar-or-recording"
    assert resource.access_level == AccessLevel.MEMBERS
    assert resource.is_live
    assert recorded_event.get_absolute_url() in resource.body_html
    assert resource.attachments.get().title == "Slides"
    assert resource.get_absolute_url() in client.get(recorded_event.get_absolute_url()).text


def test_putting_the_recording_in_the_library_again_updates_the_same_resource(recorded_event):
    first = recordings.recording_to_library(event=recorded_event, access_level=AccessLevel.PUBLIC)
    recorded_event.title = "Trauma-informed care: the recording"
    recorded_event.save()

    again = recordings.recording_to_library(event=recorded_event, access_level=AccessLevel.PUBLIC)

    assert again.pk == first.pk
    assert Resource.objects.count() == 1
    assert again.attachments.count() == 1
    assert again.title == "Trauma-informed care: the recording"


def test_slides_replaced_on_the_event_replace_the_librarys_copy(
    recorded_event, django_capture_on_commit_callbacks
):
    first = recordings.recording_to_library(event=recorded_event, access_level=AccessLevel.MEMBERS)
    old_name = first.attachments.get().file.name
    recorded_event.slides.save(
        "slides-corrected.pdf", ContentFile(pdf_bytes("Corrected slides")), save=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        again = recordings.recording_to_library(
            event=recorded_event, access_level=AccessLevel.MEMBERS
        )

    slides = again.attachments.get()
    assert slides.title == "Slides"
    with slides.file.open("rb") as stored:
        assert stored.read() == pdf_bytes("Corrected slides")
    assert not slides.file.storage.exists(old_name)


def change_form(event, **changes) -> dict:
    """What the admin's change form posts for `event`, with some fields changed."""
    local = timezone.localtime
    data = {
        "title": event.title,
        "slug": event.slug,
        "status": event.status,
        "format": event.format,
        "summary": event.summary,
        "description": event.description,
        "starts_at_0": f"{local(event.starts_at):%Y-%m-%d}",
        "starts_at_1": f"{local(event.starts_at):%H:%M:%S}",
        "ends_at_0": f"{local(event.ends_at):%Y-%m-%d}",
        "ends_at_1": f"{local(event.ends_at):%H:%M:%S}",
        "region": event.region,
        "online_link": event.online_link,
        "for_providers": "on",
        "for_commissioners": "on",
        "for_policy": "on",
        "eligibility": event.eligibility,
        "member_type": event.member_type,
        "capacity": str(event.capacity),
        "speakers-TOTAL_FORMS": "0",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    return {**data, **changes}


def test_moving_an_event_in_the_admin_emails_its_registrants_an_updated_ics(
    staff_client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    book(event, UserFactory(email="booked@example.org"))
    # Dates as well as times: two hours later may be the next day.
    later = timezone.localtime(event.starts_at + timedelta(hours=2))
    ends = later + timedelta(hours=1)
    url = reverse("admin:events_event_change", args=[event.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url, change_form(event, starts_at_0=f"{later:%Y-%m-%d}", starts_at_1=f"{later:%H:%M:%S}",
                             ends_at_0=f"{ends:%Y-%m-%d}", ends_at_1=f"{ends:%H:%M:%S}")
        )  # fmt: skip

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 1
    (update,) = mail.outbox
    assert update.subject == f"Changed: {event.title}"
    assert "SEQUENCE:1" in update.attachments[0][1]


def test_moving_an_event_with_one_registrant_says_one_person_is_being_emailed(
    staff_client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    book(event, UserFactory())
    later = timezone.localtime(event.starts_at + timedelta(hours=2))
    ends = later + timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:events_event_change", args=[event.pk]),
            change_form(event, starts_at_0=f"{later:%Y-%m-%d}", starts_at_1=f"{later:%H:%M:%S}",
                        ends_at_0=f"{ends:%Y-%m-%d}", ends_at_1=f"{ends:%H:%M:%S}"),
            follow=True,
        )  # fmt: skip

    said = [str(message) for message in response.context["messages"]]
    assert "1 person is being emailed the new details." in said


def test_renaming_an_event_does_not_tell_its_registrants_the_time_or_place_changed(
    staff_client, django_capture_on_commit_callbacks
):
    """A title is part of the calendar entry, so a new one goes out with the .ics; the
    email must not claim the time or place moved when only a typo was mended."""
    event = EventFactory(title="Staying Close: a practise day")
    book(event, UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:events_event_change", args=[event.pk]),
            change_form(event, title="Staying Close: a practice day"),
        )

    (update,) = mail.outbox
    assert "time or place" not in update.body
    assert "the details of Staying Close: a practice day have changed" in update.body


def test_cancelling_an_event_in_its_form_emails_everyone_a_cancellation(
    staff_client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    book(event, UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:events_event_change", args=[event.pk]),
            change_form(event, status=EventStatus.CANCELLED),
        )

    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert "METHOD:CANCEL" in mail.outbox[0].attachments[0][1]


def test_an_event_for_one_member_type_must_say_which(staff_client):
    event = EventFactory()

    response = staff_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        change_form(event, eligibility=Eligibility.MEMBER_TYPE, member_type=""),
    )

    assert response.status_code == 200
    assert "Choose the member type this event is for." in response.text


@pytest.mark.parametrize("hours", ["-1.5", "0"])
def test_cpd_hours_of_nothing_or_less_are_refused(staff_client, hours):
    event = EventFactory()

    response = staff_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        change_form(event, cpd_hours=hours),
    )

    assert response.status_code == 200
    assert "CPD hours must be more than 0" in response.text
    event.refresh_from_db()
    assert event.cpd_hours is None


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("closes", ["", "2030-03-01"])
def test_registration_that_would_open_after_it_closes_is_refused(staff_client, closes):
    event = EventFactory(
        starts_at=datetime(2030, 3, 10, 10, tzinfo=LONDON),
        ends_at=datetime(2030, 3, 10, 12, tzinfo=LONDON),
    )

    response = staff_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        change_form(
            event,
            registration_opens_at_0="2030-03-12",
            registration_opens_at_1="09:00:00",
            registration_closes_at_0=closes,
            registration_closes_at_1="10:00:00" if closes else "",
        ),
    )

    assert response.status_code == 200
    assert "Registration must open before it closes" in response.text
    event.refresh_from_db()
    assert event.registration_opens_at is None


def test_an_event_that_comes_back_keeps_naming_its_stored_slides_and_asks_for_the_new_ones(
    staff_client, recorded_event
):
    url = reverse("admin:events_event_change", args=[recorded_event.pk])
    data = change_form(
        recorded_event,
        title="",
        slides=SimpleUploadedFile("new-slides.pdf", pdf_bytes("New slides")),
    )

    text = staff_client.post(url, data).text

    assert "You chose “new-slides.pdf”" in text
    assert ">slides.pdf</a>" in text
    recorded_event.refresh_from_db()
    assert recorded_event.slides_filename == "slides.pdf"
