"""An organisation's engagement: counts for the organisation only, groups under 3
people shown as "fewer than 3" (resources not listed), the same period picker and a CSV."""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from events.models import Registration
from insight import services
from insight.engagement import organisation_engagement
from insight.models import ActivityEvent, DailyActivity, Kind
from insight.periods import period_from
from members.models import Seat
from members.organisations import invitations
from tests.insight.factories import days_of_activity
from tests.members.factories import SeatFactory, UserFactory, organisation_with_seats
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db

ORGANISATION_PAGE_QUERIES = 26


@pytest.fixture
def council():
    organisation, admin = organisation_with_seats(seats=10)
    people = [admin] + [SeatFactory(organisation=organisation, slot=n).user for n in (2, 3, 4)]
    return organisation, people


def _read(person, organisation, resource, *, times=1, kind=Kind.RESOURCE_VIEW, days_ago=1):
    at = timezone.now() - timedelta(days=days_ago)
    ActivityEvent.objects.bulk_create(
        ActivityEvent(
            kind=kind, at=at, user=person, organisation=organisation, subject_id=resource.pk
        )
        for _ in range(times)
    )


def _rollup_month():
    today = timezone.localdate()
    for offset in range(31):
        services.activity_rollup(day=today - timedelta(days=offset))


def _engagement(organisation, key="30d"):
    _, period, compared = period_from({"period": key})
    return organisation_engagement(organisation, period, compared)


def test_a_resource_read_by_fewer_than_3_people_is_not_listed(council):
    # Its title alone would tell a colleague what one or two named people read.
    organisation, people = council
    guide = ResourceFactory(title="Staying close")
    _read(people[0], organisation, guide, times=2)
    _read(people[1], organisation, guide, times=1)
    _rollup_month()

    top = _engagement(organisation).top_read

    assert top.rows == []
    assert "fewer than 3 of your people are not listed" in top.note
    assert top.extra["withheld"]


def test_a_resource_read_often_by_one_person_leaves_room_for_one_read_by_3(council):
    organisation, people = council
    for n in range(10):
        _read(people[0], organisation, ResourceFactory(title=f"Read alone {n}"), times=9)
    shared = ResourceFactory(title="Read together")
    for person in people[:3]:
        _read(person, organisation, shared)
    _rollup_month()

    rows = _engagement(organisation).top_read.rows

    assert rows == [["Read together", "3", "3"]]


def test_a_resource_read_by_3_people_shows_its_counts(council):
    organisation, people = council
    guide = ResourceFactory(title="Staying close")
    for person in people[:3]:
        _read(person, organisation, guide, times=2, days_ago=3)
    _read(people[0], organisation, guide, times=1, days_ago=1)
    _rollup_month()

    engagement = _engagement(organisation)

    assert engagement.top_read.rows == [["Staying close", "7", "3"]]
    reads = engagement.activity.rows[0]
    assert reads[:3] == ["Resources read", "7", "3"]


def test_a_single_resource_in_the_top_list_is_summed_up_in_the_singular(council):
    organisation, people = council
    guide = ResourceFactory(title="Staying close")
    for person in people[:3]:
        _read(person, organisation, guide)
    _rollup_month()

    summary = _engagement(organisation).top_read.summary

    assert summary == "The one resource 3 or more of your people read in the period."


def test_the_change_does_not_give_away_what_fewer_than_3_people_did_before(council):
    # "7, +5" would tell the organisation that one or two colleagues read 2 last period.
    organisation, people = council
    guide = ResourceFactory()
    for person in people[:3]:
        _read(person, organisation, guide, times=2, days_ago=3)
    _read(people[3], organisation, guide, times=2, days_ago=40)
    _rollup_month()
    services.activity_rollup(day=timezone.localdate() - timedelta(days=40))

    reads = _engagement(organisation).activity.rows[0]

    assert reads == ["Resources read", "6", "3", ""]


def test_the_use_table_s_summary_reads_as_a_sentence(council):
    organisation, people = council
    guide = ResourceFactory()
    for person in people[:3]:
        _read(person, organisation, guide, days_ago=3)
    _read(people[0], organisation, guide, kind=Kind.RESOURCE_DOWNLOAD, days_ago=3)
    _rollup_month()

    summary = _engagement(organisation).activity.summary

    assert "resources read: 3;" in summary
    assert "resources downloaded by fewer than 3 people;" in summary


def test_active_people_count_the_last_30_and_90_days(council):
    organisation, people = council
    guide = ResourceFactory()
    for person in people[:3]:
        _read(person, organisation, guide, days_ago=5)
    _read(people[3], organisation, guide, days_ago=60)

    engagement = _engagement(organisation)

    assert (engagement.active_30, engagement.active_90) == (3, 4)
    assert (engagement.seats_used, engagement.seats_total) == (4, 10)


def test_another_organisation_s_people_are_not_counted(council):
    organisation, people = council
    other, other_admin = organisation_with_seats(seats=3)
    guide = ResourceFactory()
    for _ in range(3):
        _read(UserFactory(), other, guide)
    _rollup_month()

    assert _engagement(organisation).top_read.rows == []


def test_the_org_admin_sees_their_organisation_s_use_linked_from_its_page(client, council):
    organisation, people = council
    client.force_login(people[0])

    seats_page = client.get(f"/account/organisation/{organisation.slug}/").content.decode()
    page = client.get(f"/insight/organisations/{organisation.slug}/")

    assert f'href="/insight/organisations/{organisation.slug}/"' in seats_page
    assert page.status_code == 200
    assert "how your people use the membership" in page.content.decode()


def test_the_report_counts_seats_in_use_as_the_organisation_page_does(client, council):
    organisation, people = council
    invitations.invitation_create(
        organisation=organisation, email="new.officer@example.org", invited_by=people[0]
    )
    client.force_login(people[0])

    seats_page = client.get(f"/account/organisation/{organisation.slug}/").content.decode()
    page = client.get(f"/insight/organisations/{organisation.slug}/").content.decode()

    in_use = "<strong>5 of 10</strong> (4 held by people, 1 by invitations)"
    assert in_use in seats_page
    assert in_use in page


def test_a_lapsed_organisation_s_use_says_its_seats_give_no_access(client, council):
    organisation, people = council
    organisation.subscriptions.update(status="canceled")
    client.force_login(people[0])

    page = client.get(f"/insight/organisations/{organisation.slug}/").content.decode()

    assert " of 0" not in page
    assert "the membership is not active" in page


def test_every_id_on_the_organisation_page_is_unique(client, council):
    """A label or heading that names an id twice points screen readers at the wrong one."""
    organisation, people = council
    client.force_login(people[0])
    page = client.get(f"/insight/organisations/{organisation.slug}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))


def test_every_region_on_the_organisation_page_has_a_name_of_its_own(client, council):
    """Each figure is a region and its scrolling table another: named alike, a screen
    reader's list of regions could not tell them apart."""
    organisation, people = council
    client.force_login(people[0])
    page = client.get(f"/insight/organisations/{organisation.slug}/").content.decode()
    names = []
    for labelled_by in re.findall(r'aria-labelledby="([^"]+)"', page):
        text = re.search(rf'id="{labelled_by}"[^>]*>(.*?)</', page, re.S).group(1)
        names.append(re.sub(r"<[^>]+>|\s+", " ", text).strip())
    assert len(names) > 4
    assert len(names) == len(set(names)), names


def test_a_colleague_without_admin_rights_cannot_see_it(client, council):
    organisation, people = council
    client.force_login(people[1])
    assert client.get(f"/insight/organisations/{organisation.slug}/").status_code == 404


def test_the_use_table_downloads_as_csv(client, council):
    organisation, people = council
    guide = ResourceFactory()
    for person in people[:3]:
        _read(person, organisation, guide)
    _rollup_month()
    client.force_login(people[0])

    response = client.get(f"/insight/organisations/{organisation.slug}/use.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["", "Last 30 days", "People", "Against the period before"]
    assert rows[1][:3] == ["Resources read", "3", "3"]


@pytest.mark.parametrize("days", [10, 1000])
def test_the_organisation_page_runs_a_bounded_number_of_queries(
    client, council, django_assert_max_num_queries, days
):
    organisation, people = council
    days_of_activity(
        days=days,
        organisation=organisation,
        subject_id=ResourceFactory().pk,
        last=timezone.localdate(),
    )
    client.force_login(people[0])
    with django_assert_max_num_queries(ORGANISATION_PAGE_QUERIES):
        response = client.get(f"/insight/organisations/{organisation.slug}/", {"period": "year"})
    assert response.status_code == 200
    assert Seat.objects.filter(organisation=organisation).count() == 4


def test_events_attended_counts_each_person_once_however_often_the_register_is_ticked(
    council, django_capture_on_commit_callbacks
):
    from events import attendance
    from events import services as event_services
    from tests.events.factories import EventFactory

    organisation, people = council
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ids = {
            event_services.registration_create(event=event, user=person).registration.pk
            for person in people
        }
        attendance.attendance_set(event=event, attended_ids=ids)
        attendance.attendance_set(event=event, attended_ids=set())  # a slip, put right
        attendance.attendance_set(event=event, attended_ids=ids)
        attendance.attendance_mark(registration_ids=list(ids), attended=False)
        attendance.attendance_mark(registration_ids=list(ids), attended=True)
    services.activity_flush()
    _rollup_month()

    rows = {row[0]: row[1] for row in _engagement(organisation).activity.rows}

    assert rows["Events attended"] == "4"


def test_an_attendance_unticked_days_later_leaves_that_day_s_count(
    council, django_capture_on_commit_callbacks
):
    from events import attendance
    from tests.events.factories import EventFactory

    organisation, people = council
    event = EventFactory()
    ten_days_ago = timezone.now() - timedelta(days=10)
    with time_machine.travel(ten_days_ago, tick=False):
        ids = [
            Registration.objects.create(
                event=event, user=person, status="confirmed", place=n, name=person.name
            ).pk
            for n, person in enumerate(people, start=1)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            attendance.attendance_mark(registration_ids=ids, attended=True)
        services.activity_flush()
        services.activity_rollup(day=timezone.localdate())

    with django_capture_on_commit_callbacks(execute=True):
        attendance.attendance_mark(registration_ids=ids[:1], attended=False)  # a slip
    services.activity_flush()
    services.activity_rollup_recent()  # what beat runs hourly: today and yesterday

    rows = {row[0]: row[1] for row in _engagement(organisation).activity.rows}
    assert rows["Events attended"] == "3"
    (day,) = DailyActivity.objects.filter(kind=Kind.EVENT_ATTENDANCE)
    assert (day.count, day.people) == (3, 3)
