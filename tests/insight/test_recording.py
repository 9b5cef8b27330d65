"""Activity is recorded without a query on the page, flushed once a minute, rolled up."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from insight import services
from insight.buffer import MemoryBuffer, get_buffer
from insight.models import ActivityEvent, DailyActivity, Kind, MemberCount, SubscriberCount
from members.models import MemberType
from network.activity import activity
from newsletter import services as newsletter
from newsletter import tokens
from tests.members.factories import (
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
    organisation_with_seats,
)
from tests.newsletter.factories import NewsletterFactory, SubscriberFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _read(client, resource, capture):
    with capture(execute=True):
        response = client.get(resource.get_absolute_url())
    assert response.status_code == 200


def test_reading_a_resource_adds_no_query_to_the_page(
    client, member, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    resource = ResourceFactory()
    client.force_login(member)
    _read(client, resource, django_capture_on_commit_callbacks)  # warm caches
    from insight import receivers

    activity.disconnect(dispatch_uid="insight_activity")
    try:
        with CaptureQueriesContext(connection) as without_insight:
            _read(client, resource, django_capture_on_commit_callbacks)
    finally:
        activity.connect(receivers.on_activity, dispatch_uid="insight_activity")
    get_buffer().discard()
    with django_assert_num_queries(len(without_insight.captured_queries)):
        _read(client, resource, django_capture_on_commit_callbacks)
    assert len(get_buffer()) == 1


def test_reads_and_downloads_are_counted_per_organisation_and_resource(
    client, django_capture_on_commit_callbacks
):
    council, admin = organisation_with_seats(seats=5, org_type=MemberType.COMMISSIONER)
    colleague = SeatFactory(organisation=council, slot=2).user
    resource = ResourceFactory()
    for person, times in ((admin, 2), (colleague, 1)):
        client.force_login(person)
        for _ in range(times):
            _read(client, resource, django_capture_on_commit_callbacks)
    services.activity_flush()
    services.activity_rollup(day=timezone.localdate())

    row = DailyActivity.objects.get(kind=Kind.RESOURCE_VIEW)
    assert (row.organisation, row.member_type, row.subject_id) == (
        council,
        MemberType.COMMISSIONER,
        resource.pk,
    )
    assert (row.count, row.people) == (3, 2)


def test_a_search_that_finds_nothing_is_counted_by_its_words_only(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/library/", {"q": "Staffing Rotas"})
    services.activity_flush()
    services.activity_rollup(day=timezone.localdate())
    row = DailyActivity.objects.get(kind=Kind.LIBRARY_SEARCH_EMPTY)
    assert (row.term, row.count) == ("staffing rotas", 1)


def test_signing_in_is_recorded(client, registered):
    # Django's login (allauth's too) sends user_logged_in.
    client.force_login(registered)
    services.activity_flush()
    assert ActivityEvent.objects.filter(kind=Kind.SIGN_IN, user=registered).exists()


def test_a_flush_repeated_after_a_crash_stores_each_event_once():
    person = UserFactory()
    buffer = get_buffer()
    activity.send(sender=None, kind=Kind.SIGN_IN, user_id=person.pk)
    # A flush died after writing its rows, before trimming the buffer.
    ActivityEvent.objects.bulk_create(services._events(buffer.head(10)))
    services.activity_flush()
    assert ActivityEvent.objects.count() == 1
    assert len(buffer) == 0


def test_a_redis_restart_loses_only_what_was_not_yet_flushed():
    person = UserFactory()
    buffer = get_buffer()
    for _ in range(3):
        activity.send(sender=None, kind=Kind.RESOURCE_VIEW, user_id=person.pk, subject_id=7)
    services.activity_flush()  # the minute's flush
    activity.send(sender=None, kind=Kind.RESOURCE_VIEW, user_id=person.pk, subject_id=7)
    buffer.discard()  # Redis restarts, its list empty
    activity.send(sender=None, kind=Kind.RESOURCE_VIEW, user_id=person.pk, subject_id=7)
    services.activity_flush()
    services.activity_rollup(day=timezone.localdate())
    assert DailyActivity.objects.get(kind=Kind.RESOURCE_VIEW).count == 4


def test_rolling_up_a_day_twice_gives_the_same_counts():
    person = UserFactory()
    activity.send(sender=None, kind=Kind.SIGN_IN, user_id=person.pk)
    services.activity_flush()
    today = timezone.localdate()
    services.activity_rollup(day=today)
    services.activity_rollup(day=today)
    assert DailyActivity.objects.get(kind=Kind.SIGN_IN).count == 1


def test_events_of_another_day_are_not_counted_today():
    person = UserFactory()
    ActivityEvent.objects.create(
        kind=Kind.SIGN_IN, user=person, at=timezone.now() - timedelta(days=2)
    )
    services.activity_rollup(day=timezone.localdate())
    assert not DailyActivity.objects.exists()


def test_members_are_counted_by_type_and_source(member, commissioner_member, policy_member):
    services.activity_rollup(day=timezone.localdate())
    counts = {(row.member_type, row.source): row.members for row in MemberCount.objects.all()}
    assert counts == {
        (MemberType.PROVIDER, "personal"): 1,
        (MemberType.COMMISSIONER, "seat"): 1,
        (MemberType.POLICY, "grant"): 1,
    }


def test_forum_posts_are_counted_per_room(member, settings, django_capture_on_commit_callbacks):
    from forum.services import posting
    from tests.forum.factories import CategoryFactory

    settings.FORUM_NEW_MEMBER_HELD_POSTS = 0
    room = CategoryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post = posting.thread_create(
            author=member,
            category=room,
            title="Handover times that work",
            body="We moved handovers to 3pm and it changed the evening.",
            confirmed_child_safety=True,
        )
        posting.post_reply(
            author=member,
            thread=post.thread,
            body="And the night staff like it too.",
            confirmed_child_safety=True,
        )
    services.activity_flush()
    kinds = sorted(ActivityEvent.objects.filter(subject_id=room.pk).values_list("kind", flat=True))
    assert kinds == [Kind.FORUM_REPLY, Kind.FORUM_THREAD]


def test_a_held_post_is_counted_when_a_moderator_publishes_it(
    member, moderator, django_capture_on_commit_callbacks
):
    from forum.services import publishing
    from tests.forum.factories import held_thread

    post = held_thread(author=member)
    services.activity_flush()
    assert not ActivityEvent.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        publishing.post_publish(post=post, actor=moderator)
    services.activity_flush()
    event = ActivityEvent.objects.get()
    assert (event.kind, event.subject_id) == (Kind.FORUM_THREAD, post.thread.category_id)


def test_event_attendance_is_counted_once_however_often_it_is_marked(
    member, django_capture_on_commit_callbacks
):
    from events import attendance
    from events import services as event_services
    from tests.events.factories import EventFactory

    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration = event_services.registration_create(event=event, user=member).registration
        attendance.attendance_set(event=event, attended_ids={registration.pk})
        attendance.attendance_set(event=event, attended_ids={registration.pk})
        attendance.attendance_mark(registration_ids=[registration.pk], attended=True)
    services.activity_flush()
    kinds = sorted(ActivityEvent.objects.filter(subject_id=event.pk).values_list("kind", flat=True))
    assert kinds == [Kind.EVENT_ATTENDANCE, Kind.EVENT_REGISTRATION]


def test_embedded_mode_flushes_after_a_response_once_the_oldest_event_waited_a_minute(client):
    buffer = get_buffer()
    if not isinstance(buffer, MemoryBuffer):
        pytest.skip("embedded mode only: in service mode beat flushes Redis every minute")
    person = UserFactory()
    activity.send(sender=None, kind=Kind.SIGN_IN, user_id=person.pk)
    client.get("/healthz")
    assert ActivityEvent.objects.count() == 0  # not a minute yet

    buffer._first_at -= 61
    client.get("/healthz")

    assert ActivityEvent.objects.count() == 1
    assert len(buffer) == 0


def test_raw_events_are_kept_95_days_and_erased_with_the_person():
    from insight import personal_data
    from network.data_rights import retention_rules

    rule = next(r for r in retention_rules() if r.model == "insight.ActivityEvent")
    assert (rule.field, rule.period) == ("at", timedelta(days=95))
    person = UserFactory()
    ActivityEvent.objects.create(kind=Kind.SIGN_IN, user=person)
    DailyActivity.objects.create(day=timezone.localdate(), kind=Kind.SIGN_IN, count=1, people=1)

    assert personal_data.erase(person) == 1
    assert DailyActivity.objects.count() == 1


def test_the_words_of_empty_searches_go_after_400_days_and_other_counts_stay():
    from network.data_rights import retention_enforce

    today = timezone.localdate()
    old, recent = today - timedelta(days=401), today - timedelta(days=399)
    DailyActivity.objects.create(day=old, kind=Kind.LIBRARY_SEARCH_EMPTY, term="jo", count=1)
    DailyActivity.objects.create(day=recent, kind=Kind.LIBRARY_SEARCH_EMPTY, term="ofsted", count=1)
    DailyActivity.objects.create(day=old, kind=Kind.SIGN_IN, count=4, people=4)

    retention_enforce()

    assert sorted(DailyActivity.objects.values_list("kind", "term")) == [
        (Kind.LIBRARY_SEARCH_EMPTY, "ofsted"),
        (Kind.SIGN_IN, ""),
    ]


def test_a_persons_download_holds_their_own_activity_events():
    import io
    import json
    import zipfile

    from insight import personal_data
    from network.data_rights import ExportArchive

    person, other = UserFactory(), UserFactory()
    ActivityEvent.objects.create(kind=Kind.SIGN_IN, user=person)
    ActivityEvent.objects.create(kind=Kind.SIGN_IN, user=other)
    ActivityEvent.objects.create(kind=Kind.RESOURCE_VIEW, user=other, subject_id=7)
    buffer = io.BytesIO()
    archive = ExportArchive(buffer, person=str(person))
    personal_data.export(person, archive)
    archive.close()

    rows = json.loads(zipfile.ZipFile(buffer).read("activity.json"))
    assert [row["kind"] for row in rows] == [Kind.SIGN_IN]


def test_a_finished_day_keeps_its_member_count_when_someone_joins_the_next_day(member):
    yesterday = timezone.localdate() - timedelta(days=1)
    services.activity_rollup(day=yesterday)  # the count taken while the day was current
    SubscriptionFactory(plan=member.subscriptions.get().plan)  # someone joins today
    services.activity_rollup(day=yesterday)  # the hourly rollup, after midnight
    services.activity_rollup(day=timezone.localdate())
    members = {row.day: row.members for row in MemberCount.objects.all()}
    assert members == {yesterday: 1, timezone.localdate(): 2}


def _subscribers_counted_today() -> int:
    services.activity_rollup(day=timezone.localdate())
    return SubscriberCount.objects.get(day=timezone.localdate()).subscribers


def test_a_subscriber_who_unsubscribed_and_confirmed_again_is_counted(
    client, django_capture_on_commit_callbacks
):
    weeks_ago = timezone.now() - timedelta(weeks=3)
    subscriber = SubscriberFactory(confirmed_at=weeks_ago)
    newsletter.subscriber_unsubscribe(subscriber=subscriber, form="unsubscribe page")
    with django_capture_on_commit_callbacks(execute=True):
        newsletter.subscriber_sign_up(
            email=subscriber.email, newsletters=[NewsletterFactory()], form="newsletter page"
        )
    token = tokens.subscriber_token(subscriber, purpose=tokens.CONFIRM)
    client.post(reverse("newsletter:confirm", args=[token]))

    assert _subscribers_counted_today() == 1


def test_a_member_who_unsubscribed_and_subscribed_again_signed_in_is_counted(member):
    subscriber = SubscriberFactory(
        user=member, email=member.email, confirmed_at=timezone.now() - timedelta(weeks=3)
    )
    newsletter.subscriber_unsubscribe(subscriber=subscriber, form="unsubscribe page")
    newsletter.subscriber_subscribe_account(
        user=member,
        newsletters=[NewsletterFactory()],
        weekly_digest=False,
        daily_digest=False,
        topics=[],
        form="newsletter page (signed in)",
    )

    assert _subscribers_counted_today() == 1


def test_a_subscriber_who_unsubscribed_is_not_counted():
    subscriber = SubscriberFactory(confirmed_at=timezone.now() - timedelta(weeks=3))
    newsletter.subscriber_unsubscribe(subscriber=subscriber, form="unsubscribe page")

    assert _subscribers_counted_today() == 0
