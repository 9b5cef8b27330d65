"""The pages: the listing and its filters, an event's facts, registering through HTTP,
the joining link and the recording for the right people, certificates, the account and
home pages, feeds, and query counts that stay flat as events grow."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfReader

from events.models import Eligibility, Event, EventStatus, Registration
from members.models import MemberType
from tests.events.factories import EventFactory, in_person
from tests.members.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def past_event(**fields):
    starts = timezone.now() - timedelta(days=7)
    defaults = {
        "status": EventStatus.FINISHED,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=1, minutes=30),
    }
    return EventFactory(**{**defaults, **fields})


def attended(event, user, *, attended=True):
    return Registration.objects.create(
        event=event, user=user, status="confirmed", place=1, name=user.name,
        confirmed_at=event.starts_at - timedelta(days=3), attended=attended,
    )  # fmt: skip


# --- Listing ---------------------------------------------------------------------------


def test_the_listing_filters_by_region(client):
    in_person(title="West Midlands meeting", region="west-midlands")
    in_person(title="London meeting", region="london")
    EventFactory(title="Online webinar")

    page = client.get("/events/?region=west-midlands").text

    assert "West Midlands meeting" in page
    assert "London meeting" not in page and "Online webinar" not in page


def test_the_listing_filters_by_audience_topic_and_format(client):
    topic = TopicFactory(name="Safeguarding")
    EventFactory(title="For commissioners", for_providers=False, for_policy=False)
    EventFactory(title="For providers", for_commissioners=False, topics=[topic])
    in_person(title="In the room", for_commissioners=False)

    assert "For providers" not in client.get("/events/?audience=commissioner").text
    by_topic = client.get("/events/?topic=safeguarding").text
    assert "For providers" in by_topic and "For commissioners" not in by_topic
    by_format = client.get("/events/?format=in-person").text
    assert "In the room" in by_format and "For providers" not in by_format


def test_the_listing_hides_drafts_and_keeps_past_events_apart(client):
    EventFactory(title="Coming soon")
    EventFactory(title="Still a draft", status=EventStatus.DRAFT)
    past_event(title="Held last week")

    upcoming = client.get("/events/").text
    past = client.get("/events/?when=past").text

    assert "Coming soon" in upcoming and "Still a draft" not in upcoming
    assert "Held last week" not in upcoming and "Held last week" in past


def test_past_events_page_through_twenty_at_a_time_keeping_the_filters(client):
    for n in range(23):
        past_event(title=f"Held session {n:02d}")

    first = client.get("/events/?when=past&format=webinar")
    second = client.get("/events/?when=past&format=webinar&page=2")

    assert "23 past events" in first.text
    assert first.text.count('class="event-item"') == 20
    assert "?when=past&amp;format=webinar&amp;page=2" in first.text
    assert second.text.count('class="event-item"') == 3


def test_an_unknown_filter_value_is_ignored(client):
    EventFactory(title="Coming soon")

    assert "Coming soon" in client.get("/events/?region=atlantis&format=zeppelin").text


@pytest.mark.parametrize("size", [2, 12])
def test_the_listing_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, size):
    topic = TopicFactory(name="Education")
    for _ in range(size):
        EventFactory(topics=[topic])

    with django_assert_max_num_queries(6):
        assert client.get("/events/").status_code == 200


# --- An event's page -------------------------------------------------------------------


def test_the_event_page_says_when_where_for_whom_and_places_left(client, person):
    event = in_person(capacity=10, eligibility=Eligibility.MEMBERS)
    Registration.objects.create(event=event, user=person, status="confirmed", place=1, name="R")

    page = client.get(event.get_absolute_url()).text

    assert " GMT" in page or " BST" in page
    assert "(UK time)" in page
    assert "12 Canal Street" in page and "Step-free entrance" in page
    assert "9 of 10 left" in page
    assert "For members of the network." in page


def test_the_event_page_runs_a_fixed_number_of_queries(
    client, member, django_assert_max_num_queries
):
    event = EventFactory()
    for n in range(5):
        Registration.objects.create(
            event=event, user=UserFactory(), status="confirmed", place=n + 1, name="X"
        )
    client.force_login(member)

    with django_assert_max_num_queries(14):
        assert client.get(event.get_absolute_url()).status_code == 200


def test_a_visitor_is_invited_to_join_not_to_make_a_free_account_for_a_members_event(client):
    event = EventFactory(eligibility=Eligibility.MEMBERS)

    html = client.get(event.get_absolute_url()).content.decode()

    assert "Sign in to register" in html
    assert "Join the network" in html
    assert "Create a free account" not in html


def test_a_visitor_is_invited_to_make_a_free_account_for_an_event_open_to_accounts(client):
    event = EventFactory(eligibility=Eligibility.REGISTERED)

    html = client.get(event.get_absolute_url()).content.decode()

    assert "Create a free account" in html


def test_a_draft_is_not_found_by_visitors(client):
    event = EventFactory(status=EventStatus.DRAFT)

    assert client.get(event.get_absolute_url()).status_code == 404


def test_registering_through_the_page_books_a_place(
    client, person, django_capture_on_commit_callbacks
):
    event = EventFactory()
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.slug}/register/", {"needs": "Vegetarian"})

    assert response.status_code == 302
    assert Registration.objects.get(user=person).needs == "Vegetarian"
    assert "Your place is booked" in client.get(event.get_absolute_url()).text
    assert len(mail.outbox) == 1


def test_a_closed_registration_says_so_and_records_nothing(client, person):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(minutes=5))
    client.force_login(person)

    response = client.post(f"/events/{event.slug}/register/", {"needs": "Hearing loop"})

    assert response.status_code == 400
    assert "Registration has closed." in response.text
    assert "Hearing loop" in response.text  # what they typed is shown back, not lost
    assert not Registration.objects.exists()


def test_an_event_not_yet_open_for_registration_says_when_it_opens(client, person):
    event = EventFactory(
        starts_at=datetime(2030, 1, 21, 10, 0, tzinfo=LONDON),
        registration_opens_at=datetime(2030, 1, 7, 9, 0, tzinfo=LONDON),
    )
    client.force_login(person)

    response = client.get(event.get_absolute_url())

    assert "Registration opens on Monday 7 January 2030, 09:00 GMT." in response.text


def test_the_registration_form_says_when_registration_closes(client, person):
    event = EventFactory(
        starts_at=datetime(2030, 7, 1, 10, 0, tzinfo=LONDON),
        registration_closes_at=datetime(2030, 6, 28, 23, 59, tzinfo=LONDON),
    )
    client.force_login(person)

    response = client.get(event.get_absolute_url())

    assert "Registration closes on Friday 28 June 2030, 23:59 BST." in response.text


def test_needs_are_not_shown_to_other_people(client, person):
    event = EventFactory()
    Registration.objects.create(
        event=event, user=person, status="confirmed", place=1, name="R", needs="Nut allergy"
    )
    client.force_login(UserFactory())

    assert "Nut allergy" not in client.get(event.get_absolute_url()).text


def _booked(event, person, **fields) -> Registration:
    return Registration.objects.create(
        event=event, user=person, status="confirmed", place=1, name="R", **fields
    )


def test_a_booked_person_sees_their_note_and_changes_it(client, person):
    event = EventFactory()
    _booked(event, person, needs="Vegetarian")
    client.force_login(person)

    assert "Vegetarian" in client.get(event.get_absolute_url()).text
    response = client.post(f"/events/{event.slug}/needs/", {"needs": "Vegan, and a hearing loop"})

    assert response.status_code == 302
    assert Registration.objects.get(user=person).needs == "Vegan, and a hearing loop"
    assert "Your note for the events team is saved." in client.get(event.get_absolute_url()).text


def test_someone_on_the_waiting_list_changes_their_note_too(client, person):
    event = EventFactory()
    Registration.objects.create(
        event=event, user=person, status="waiting", name="R", waiting_since=timezone.now()
    )
    client.force_login(person)

    client.post(f"/events/{event.slug}/needs/", {"needs": "Step-free access"})

    assert Registration.objects.get(user=person).needs == "Step-free access"


def test_a_refused_note_is_shown_back_and_the_old_one_kept(client, person):
    event = EventFactory()
    _booked(event, person, needs="Vegetarian")
    client.force_login(person)
    typed = "Large print handouts. " * 60  # over the 1,000 characters a note may hold

    response = client.post(f"/events/{event.slug}/needs/", {"needs": typed})

    assert response.status_code == 400
    assert "Large print handouts." in response.text
    assert Registration.objects.get(user=person).needs == "Vegetarian"
    # The error stands by the box, which says it is in error and points to it.
    assert 'id="id_needs_error"' in response.text
    assert 'aria-describedby="id_needs_helptext id_needs_error"' in response.text
    assert "Your note must be 1000 characters or fewer" in response.text


def test_the_note_box_holds_the_saved_note(client, person):
    event = EventFactory()
    _booked(event, person, needs="Vegetarian")
    client.force_login(person)

    page = client.get(event.get_absolute_url()).text

    assert ">\nVegetarian</textarea>" in page or ">Vegetarian</textarea>" in page


def test_the_note_cannot_change_once_the_event_is_over(client, person):
    event = past_event()
    _booked(event, person, needs="Vegetarian")
    client.force_login(person)

    response = client.post(f"/events/{event.slug}/needs/", {"needs": "Vegan"}, follow=True)

    assert "The event is over, so the note can no longer change." in response.text
    assert Registration.objects.get(user=person).needs == "Vegetarian"


def test_changing_a_note_needs_a_registration_of_ones_own(client, person):
    event = EventFactory()
    _booked(event, UserFactory(), needs="Nut allergy")
    client.force_login(person)

    response = client.post(f"/events/{event.slug}/needs/", {"needs": "Vegan"})

    assert response.status_code == 404
    assert Registration.objects.get().needs == "Nut allergy"


def test_a_cancelled_registration_has_no_note_to_change(client, person):
    event = EventFactory()
    _booked(event, person, needs="Vegetarian")
    Registration.objects.filter(user=person).update(status="cancelled", place=None)
    client.force_login(person)

    response = client.post(f"/events/{event.slug}/needs/", {"needs": "Vegan"}, follow=True)

    assert "You have no place or waiting-list entry to add a note to." in response.text
    assert Registration.objects.get(user=person).needs == "Vegetarian"


def test_cancelling_again_from_a_second_tab_says_the_place_was_already_given_up(client, person):
    event = EventFactory()
    _booked(event, person)
    client.force_login(person)
    client.post(f"/events/{event.slug}/cancel/")

    response = client.post(f"/events/{event.slug}/cancel/", follow=True)

    assert "You had already cancelled your registration." in response.text
    assert Registration.objects.get(user=person).status == "cancelled"


def test_the_joining_link_shows_only_to_people_with_a_place_from_the_set_time(
    client, person, settings
):
    settings.EVENTS_JOINING_LINK_MINUTES = 30
    starts = timezone.now() + timedelta(minutes=20)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=1))
    Registration.objects.create(event=event, user=person, status="confirmed", place=1, name="R")
    client.force_login(UserFactory())
    assert event.online_link not in client.get(event.get_absolute_url()).text

    client.force_login(person)
    assert event.online_link in client.get(event.get_absolute_url()).text


def test_editors_who_run_the_sessions_see_the_joining_link_without_booking(client, editor):
    event = EventFactory()  # ten days ahead
    client.force_login(editor)

    page = client.get(event.get_absolute_url()).text

    assert event.online_link in page


def test_the_joining_link_stays_hidden_until_the_set_time(client, person, settings):
    settings.EVENTS_JOINING_LINK_MINUTES = 30
    event = EventFactory()  # ten days ahead
    Registration.objects.create(event=event, user=person, status="confirmed", place=1, name="R")
    client.force_login(person)

    page = client.get(event.get_absolute_url()).text

    assert event.online_link not in page
    assert "The joining link appears here from" in page


def test_the_recording_and_slides_show_to_members_of_a_members_only_event(
    client, member, registered
):
    event = past_event(
        eligibility=Eligibility.MEMBERS,
        recording_url="https://video.example.org/recording-42",
        slides_filename="slides.pdf",
        slides_extension="pdf",
        slides_content_type="application/pdf",
    )
    event.slides.save("slides.pdf", ContentFile(b"%PDF-1.4 slides"), save=True)

    client.force_login(registered)
    assert "recording-42" not in client.get(event.get_absolute_url()).text
    assert client.get(f"/events/{event.slug}/slides/").status_code == 403

    client.force_login(member)
    assert "recording-42" in client.get(event.get_absolute_url()).text
    assert client.get(f"/events/{event.slug}/slides/").status_code == 200


def _members_slides():
    event = past_event(
        eligibility=Eligibility.MEMBERS,
        slides_filename="slides.pdf",
        slides_extension="pdf",
        slides_content_type="application/pdf",
    )
    event.slides.save("slides.pdf", ContentFile(b"%PDF-1.4 slides"), save=True)
    return f"/events/{event.slug}/slides/"


def test_a_lapsed_member_refused_the_slides_is_told_to_renew(client, lapsed):
    client.force_login(lapsed)

    response = client.get(_members_slides())

    assert response.status_code == 403
    assert "Your membership has ended" in response.text
    assert "Renew your membership" in response.text


def test_a_registered_person_refused_the_slides_is_offered_the_plans(client, registered):
    client.force_login(registered)

    response = client.get(_members_slides())

    assert response.status_code == 403
    assert "This event is for members only." in response.text
    assert "See membership plans" in response.text


def test_a_member_of_another_type_refused_the_slides_is_told_whom_they_are_for(
    client, provider_member
):
    event = past_event(
        eligibility=Eligibility.MEMBER_TYPE,
        member_type=MemberType.COMMISSIONER,
        slides_filename="slides.pdf",
        slides_extension="pdf",
        slides_content_type="application/pdf",
    )
    event.slides.save("slides.pdf", ContentFile(b"%PDF-1.4 slides"), save=True)
    client.force_login(provider_member)

    response = client.get(f"/events/{event.slug}/slides/")

    assert response.status_code == 403
    assert "<h1>These slides are for members who are commissioners</h1>" in response.text
    assert "Your membership is of another type" in response.text


# --- Certificates, account and home ------------------------------------------------------


def test_an_attendee_downloads_a_certificate_naming_them_the_event_and_the_hours(client, person):
    event = past_event(title="Trauma-informed care in practice")
    attended(event, person)
    client.force_login(person)

    response = client.get(f"/events/{event.slug}/certificate.pdf")

    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Ruth Kaye" in text
    assert "Trauma-informed care in practice" in text
    assert "Webinar: 1.5 hours of continuing professional development (CPD)" in text


def test_the_event_page_gives_the_hours_staff_set_without_a_decimal_point(client):
    event = EventFactory(cpd_hours="3.0")

    response = client.get(event.get_absolute_url())

    assert "<dt>CPD</dt><dd>3 hours</dd>" in response.text


def test_the_certificate_uses_the_hours_staff_set(client, person):
    event = past_event(cpd_hours="3.0")
    attended(event, person)
    client.force_login(person)

    response = client.get(f"/events/{event.slug}/certificate.pdf")

    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "3 hours of continuing professional development (CPD)" in text


def test_someone_who_did_not_attend_gets_no_certificate(client, person):
    event = past_event()
    attended(event, person, attended=False)
    client.force_login(person)

    assert client.get(f"/events/{event.slug}/certificate.pdf").status_code == 403


def test_no_certificate_for_an_event_that_has_not_happened_yet(client, person):
    event = EventFactory()  # next month
    attended(event, person)  # ticked ahead of the day by mistake
    client.force_login(person)

    assert client.get(f"/events/{event.slug}/certificate.pdf").status_code == 403


def test_the_account_page_lists_upcoming_and_past_events_with_certificates(client, person):
    upcoming = EventFactory(title="Coming up next month")
    Registration.objects.create(event=upcoming, user=person, status="waiting", name="R",
                                waiting_since=timezone.now())  # fmt: skip
    past = past_event(title="Held last week")
    attended(past, person)
    client.force_login(person)

    page = client.get("/account/").text

    assert "Your events" in page
    assert "Coming up next month" in page and "waiting list" in page
    assert "Held last week" in page
    assert f"/events/{past.slug}/certificate.pdf" in page


def test_the_home_page_shows_a_members_next_events(client, person):
    event = EventFactory(title="Regional meeting in spring")
    Registration.objects.create(event=event, user=person, status="confirmed", place=1, name="R")
    client.force_login(person)

    page = client.get("/").text

    assert "Your next events" in page and "Regional meeting in spring" in page


def test_the_home_page_shows_visitors_what_is_coming_up(client):
    EventFactory(title="Free inspection session")

    page = client.get("/").text

    assert "Upcoming events" in page and "Free inspection session" in page


# --- Feeds and links ---------------------------------------------------------------------


def test_the_atom_feed_lists_upcoming_published_events(client):
    EventFactory(title="Published webinar")
    EventFactory(title="Draft webinar", status=EventStatus.DRAFT)

    response = client.get("/events/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    assert b"Published webinar" in response.content
    assert b"Draft webinar" not in response.content


def test_an_unchanged_atom_feed_answers_not_modified_to_a_reader_with_its_etag(client):
    EventFactory(title="Published webinar")
    first = client.get("/events/feed/")

    again = client.get("/events/feed/", headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""


def test_an_edited_event_gives_the_atom_feed_a_new_etag(client):
    event = EventFactory(title="Published webinar")
    first = client.get("/events/feed/")
    event.title = "Published webinar, moved to the afternoon"
    event.save()

    again = client.get("/events/feed/", headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert b"moved to the afternoon" in again.content


def test_an_unchanged_calendar_feed_answers_not_modified_with_a_weak_etag(client):
    EventFactory(title="Published session")
    first = client.get("/events/ics/")

    again = client.get("/events/ics/", headers={"if-none-match": first["ETag"]})

    assert first["ETag"].startswith('W/"')
    assert again.status_code == 304


def test_a_newly_published_event_gives_the_calendar_feed_a_new_etag(client):
    EventFactory(title="Published session")
    first = client.get("/events/ics/")
    EventFactory(title="Another session")

    again = client.get("/events/ics/", headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert b"Another session" in again.content


def test_an_event_ending_out_of_the_calendar_feed_s_reach_gives_it_a_new_etag(client):
    old = past_event(title="Long past session")
    first = client.get("/events/ics/")
    # Moving the event back past the feed's month changes no row's updated_at through
    # save(); only the list of events the feed holds tells the difference.
    Event.objects.filter(pk=old.pk).update(
        starts_at=old.starts_at - timedelta(days=60), ends_at=old.ends_at - timedelta(days=60)
    )

    again = client.get("/events/ics/", headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert b"Long past session" not in again.content


def test_a_forged_link_gets_a_clear_page(client):
    response = client.get("/events/r/forged:token/cancel/")

    assert response.status_code == 400
    assert "This link does not work" in response.text


def test_the_event_page_names_its_audiences_in_the_plural(client):
    event = EventFactory(for_commissioners=False)

    page = client.get(event.get_absolute_url()).text

    assert "Providers, policy makers and others" in page


def test_a_non_member_registering_for_a_members_event_is_told_why(client, registered):
    event = EventFactory(eligibility=Eligibility.MEMBERS)
    client.force_login(registered)

    response = client.post(f"/events/{event.slug}/register/", {"needs": ""})

    assert response.status_code == 403
    assert "This event is for members only." in response.text
    assert not Registration.objects.exists()


def test_registering_after_registration_closed_is_a_refused_form_not_a_forbidden_one(
    client, person
):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))
    client.force_login(person)

    response = client.post(f"/events/{event.slug}/register/", {"needs": ""})

    assert response.status_code == 400
    assert "Registration has closed." in response.text


def test_the_offer_link_confirms_only_when_the_button_is_pressed(client, person):
    from events import tokens

    event = EventFactory(capacity=1)
    offered = Registration.objects.create(
        event=event, user=person, status="offered", place=1, name="R",
        offer_expires_at=timezone.now() + timedelta(hours=5),
    )  # fmt: skip
    path = f"/events/r/{tokens.registration_token(offered, purpose=tokens.CONFIRM_OFFER)}/confirm/"

    assert "Confirm my place" in client.get(path).text
    offered.refresh_from_db()
    assert offered.status == "offered"

    client.post(path)

    offered.refresh_from_db()
    assert offered.status == "confirmed"


def test_a_cancel_link_cannot_confirm_an_offer(client, person):
    from events import tokens

    event = EventFactory(capacity=1)
    offered = Registration.objects.create(
        event=event, user=person, status="offered", place=1, name="R",
        offer_expires_at=timezone.now() + timedelta(hours=5),
    )  # fmt: skip
    cancel_token = tokens.registration_token(offered, purpose=tokens.CANCEL)

    assert client.post(f"/events/r/{cancel_token}/confirm/").status_code == 400


def test_the_joining_link_of_a_members_event_hides_once_the_membership_has_ended(
    client, registered, settings
):
    settings.EVENTS_JOINING_LINK_MINUTES = 30
    starts = timezone.now() + timedelta(minutes=20)
    event = EventFactory(
        eligibility=Eligibility.MEMBERS, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    # Booked while a member; the membership has since ended.
    Registration.objects.create(event=event, user=registered, status="confirmed", place=1)
    client.force_login(registered)

    page = client.get(event.get_absolute_url()).text

    assert event.online_link not in page
    assert "Your membership has ended, so the joining link will not appear here" in page


def test_the_joining_link_of_a_members_event_shows_to_a_member_with_a_place(
    client, member, settings
):
    settings.EVENTS_JOINING_LINK_MINUTES = 30
    starts = timezone.now() + timedelta(minutes=20)
    event = EventFactory(
        eligibility=Eligibility.MEMBERS, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    Registration.objects.create(event=event, user=member, status="confirmed", place=1)
    client.force_login(member)

    assert event.online_link in client.get(event.get_absolute_url()).text


def test_a_signed_in_person_is_not_told_to_sign_in_under_who_may_register(client, registered):
    event = EventFactory(eligibility=Eligibility.REGISTERED)
    client.force_login(registered)

    page = client.get(event.get_absolute_url()).text

    assert "For everyone with a free account, members or not." in page
    assert "sign in or create" not in page
