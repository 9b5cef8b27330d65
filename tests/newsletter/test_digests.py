"""Daily and weekly digests: what each subscriber gets, once, and only when there is news."""

import types
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from anymail.exceptions import AnymailRecipientsRefused
from django.core import mail
from django.test import Client, TestCase

from members.access import AccessLevel
from newsletter import services
from newsletter.digests import periods, sections
from newsletter.digests import sending as digest_sending
from newsletter.digests.sections import DigestItem, DigestSection
from newsletter.models import DigestDelivery, DigestPeriod, Subscriber
from practice_library.models import RecentRead
from tests.members.factories import TopicFactory, UserFactory
from tests.newsletter.backends import ScriptedBackend
from tests.newsletter.conftest import links, parse, parts
from tests.newsletter.factories import SubscriberFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A Tuesday morning: the daily period is Monday, the weekly one the week before.
NOW = datetime(2026, 11, 17, 6, 30, tzinfo=LONDON)
YESTERDAY = datetime(2026, 11, 16, 12, 0, tzinfo=LONDON)
LAST_WEEK = datetime(2026, 11, 12, 12, 0, tzinfo=LONDON)


@pytest.fixture
def declare(monkeypatch):
    """Declare sections as an app's digest_sections module does, for this test only."""
    monkeypatch.setattr(sections, "SECTIONS", dict(sections.SECTIONS))

    def declare(*entries: dict) -> None:
        sections.sections_register(types.SimpleNamespace(SECTIONS=list(entries)))

    return declare


def start(kind: str = "daily", now: datetime = NOW) -> DigestPeriod:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return periods.digest_start(kind=kind, now=now)


def daily_reader(**fields) -> Subscriber:
    return SubscriberFactory(daily_digest=True, **fields)


def resource(title: str, *, when=YESTERDAY, **fields):
    return ResourceFactory(title=title, published_at=when, **fields)


def test_daily_digest_lists_the_days_new_resources(client):
    reader = daily_reader(name="Priya Shah")
    resource("Staying Close in the first year")
    resource("An older guide", when=YESTERDAY - timedelta(days=2))

    start()

    assert [m.to for m in mail.outbox] == [[reader.email]]
    text = parts(parse(mail.outbox[0]))["text/plain"]
    assert "New in the library" in text
    assert "Staying Close in the first year" in text
    assert "An older guide" not in text
    assert "Hello Priya Shah," in text


def test_digest_follows_the_subscribers_topics():
    safeguarding = TopicFactory(name="Safeguarding")
    education = TopicFactory(name="Education")
    reader = daily_reader()
    reader.topics.set([safeguarding])
    resource("Missing from care: a practice guide", topics=[safeguarding])
    resource("Virtual schools explained", topics=[education])

    start()

    text = parts(parse(mail.outbox[0]))["text/plain"]
    assert "Missing from care" in text
    assert "Virtual schools" not in text


def test_digest_lists_only_what_the_reader_may_read(member):
    outsider = daily_reader()
    insider = daily_reader(user=member, email=member.email)
    resource("Members-only model contract", access_level=AccessLevel.MEMBERS)
    resource("Public research summary")

    start()

    mine = {m.to[0]: parts(parse(m))["text/plain"] for m in mail.outbox}
    assert "Members-only model contract" not in mine[outsider.email]
    assert "Public research summary" in mine[outsider.email]
    assert "Members-only model contract" in mine[insider.email]


def test_subscriber_with_nothing_new_gets_nothing():
    topic = TopicFactory(name="Education")
    reader = daily_reader()
    reader.topics.set([topic])
    resource("Something on another topic", topics=[TopicFactory(name="Safeguarding")])

    start()

    assert mail.outbox == []
    assert DigestDelivery.objects.get(subscriber=reader).state == DigestDelivery.State.EMPTY


def test_an_empty_period_sends_nothing():
    daily_reader()

    period = start()

    assert mail.outbox == []
    period.refresh_from_db()
    assert period.finished_at is not None


def test_only_subscribers_who_asked_for_that_digest_get_it():
    daily = daily_reader()
    SubscriberFactory(weekly_digest=True)
    SubscriberFactory(daily_digest=True, state=Subscriber.State.UNSUBSCRIBED)
    SubscriberFactory(daily_digest=True, state=Subscriber.State.BOUNCED)
    resource("New today")

    start()

    assert [m.to for m in mail.outbox] == [[daily.email]]


def test_beat_firing_twice_makes_one_period_and_sends_each_digest_once():
    daily_reader()
    resource("New today")

    first = start(now=NOW)
    second = start(now=NOW + timedelta(minutes=5))

    assert first.pk == second.pk
    assert DigestPeriod.objects.count() == 1
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.count() == 1


def test_a_period_exists_once_in_the_database():
    start_, end = periods.period_bounds("daily", NOW)
    DigestPeriod.objects.create(kind="daily", period_start=start_, period_end=end)

    with pytest.raises(Exception, match="UNIQUE|unique|duplicate"):
        DigestPeriod.objects.create(kind="daily", period_start=start_, period_end=end)


def test_periods_are_the_last_local_day_and_the_last_monday_to_monday_week():
    day = periods.period_bounds("daily", NOW)
    week = periods.period_bounds("weekly", NOW)

    assert day == (datetime(2026, 11, 16, tzinfo=LONDON), datetime(2026, 11, 17, tzinfo=LONDON))
    assert week == (datetime(2026, 11, 9, tzinfo=LONDON), datetime(2026, 11, 16, tzinfo=LONDON))


def test_a_daily_digest_is_dated_by_its_one_day():
    reader = daily_reader()
    resource("Staying Close in the first year")

    start()

    assert "Daily digest, 16 November 2026" in parts(parse(mail.outbox[0]))["text/plain"]
    assert reader.email in mail.outbox[0].to


def test_a_weekly_digest_is_dated_from_its_monday_to_its_sunday():
    period = DigestPeriod(
        kind="weekly",
        period_start=datetime(2026, 12, 28, tzinfo=LONDON),
        period_end=datetime(2027, 1, 4, tzinfo=LONDON),
    )

    assert period.days_text == "28 December 2026 to 3 January 2027"


def test_weekly_digest_has_the_weeks_new_and_most_read_resources():
    reader = SubscriberFactory(weekly_digest=True)
    resource("New this week", when=LAST_WEEK)
    popular = resource("Read by many", when=LAST_WEEK - timedelta(days=30))
    quiet = resource("Read by one", when=LAST_WEEK - timedelta(days=30))
    for _ in range(3):
        RecentRead.objects.create(user=UserFactory(), resource=popular, read_at=LAST_WEEK)
    RecentRead.objects.create(user=UserFactory(), resource=quiet, read_at=LAST_WEEK)

    start("weekly")

    text = parts(parse(mail.outbox[0]))["text/plain"]
    assert mail.outbox[0].to == [reader.email]
    assert "New this week" in text
    most_read = text.split("Most read this week", 1)[1]
    assert most_read.index("Read by many") < most_read.index("Read by one")


def test_digest_message_has_list_headers_and_working_links(settings):
    daily_reader()
    resource("Staying Close in the first year")

    start()

    message = parse(mail.outbox[0])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "daily-digest" in message["List-Id"]
    assert "<style" not in parts(message)["text/html"]
    for link in links(parts(message)["text/plain"]):
        if link.startswith(settings.SITE_URL):
            assert Client().get(link[len(settings.SITE_URL) :]).status_code == 200, link


def test_a_registered_section_appears_for_the_recipients_it_has_items_for(declare):
    def followed_threads(reader, period):
        if reader.subscriber.name != "Follower":
            return None
        return DigestSection(
            title="Your followed threads",
            items=[DigestItem(title="Regulation 44 visits", url="https://example.org/t/1")],
        )

    declare({"key": "test-followed", "provider": followed_threads, "kinds": ["daily"], "order": 1})
    follower = daily_reader(name="Follower")
    daily_reader(name="Someone else")

    start()

    assert [m.to for m in mail.outbox] == [[follower.email]]
    text = parts(parse(mail.outbox[0]))["text/plain"]
    assert "Your followed threads" in text
    assert "Regulation 44 visits" in text


def test_a_section_registered_for_weekly_does_not_appear_daily(declare):
    declare(
        {
            "key": "test-weekly-only",
            "provider": lambda reader, period: DigestSection(
                "Busiest threads", [DigestItem("A", "https://x")]
            ),
            "kinds": ["weekly"],
        }
    )
    daily_reader()
    start("daily")

    assert mail.outbox == []


def test_a_reader_who_turned_the_digest_off_after_it_froze_gets_nothing():
    stays = daily_reader()
    leaves = daily_reader()
    resource("New today")
    period = periods._period_get_or_create("daily", NOW)
    periods._freeze_recipients(period)
    services.subscriber_update_preferences(
        subscriber=leaves, newsletters=[], weekly_digest=False, daily_digest=False, topics=[]
    )

    digest_sending.digest_send_chunk(period_id=period.pk)

    assert [m.to for m in mail.outbox] == [[stays.email]]
    assert DigestDelivery.objects.get(subscriber=leaves).state == DigestDelivery.State.SKIPPED


def test_sweeper_returns_a_dead_workers_digest_rows_and_they_go_out_once():
    daily_reader()
    resource("New today")
    period = periods._period_get_or_create("daily", NOW)
    periods._freeze_recipients(period)
    digest_sending._claim(period.pk, "dead", 10)
    DigestDelivery.objects.update(leased_until=NOW - timedelta(minutes=1))

    ready = digest_sending.digests_sweep()
    digest_sending.digest_send_chunk(period_id=period.pk)

    assert ready == [period.pk]
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.get().state == DigestDelivery.State.SENT


def test_a_digest_that_cannot_be_built_for_one_reader_holds_up_nobody_else(declare):
    def fragile(reader, period):
        if reader.subscriber.name == "Broken":
            raise RuntimeError("a section failed for this reader")
        return None

    declare({"key": "test-fragile", "provider": fragile, "kinds": ["daily"], "order": 1})
    broken = daily_reader(name="Broken")
    fine = daily_reader(name="Fine")
    resource("New today")

    start()

    assert [m.to for m in mail.outbox] == [[fine.email]]
    row = DigestDelivery.objects.get(subscriber=broken)
    assert row.state == DigestDelivery.State.PENDING
    assert row.not_before is not None
    assert "a section failed" in row.error


def test_a_digest_the_email_service_refuses_fails_and_the_rest_still_go(settings):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.ScriptedBackend"
    gone = daily_reader()
    fine = daily_reader()
    resource("New today")
    ScriptedBackend.script = {gone.email: AnymailRecipientsRefused("inactive recipient")}
    try:
        start()
    finally:
        ScriptedBackend.script = {}

    assert [m.to for m in mail.outbox] == [[fine.email]]
    assert DigestDelivery.objects.get(subscriber=gone).state == DigestDelivery.State.FAILED
    gone.refresh_from_db()
    assert gone.state == Subscriber.State.BOUNCED


def test_a_digest_the_email_backend_fails_on_is_retried_and_the_rest_still_go(settings):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.ScriptedBackend"
    broken = daily_reader()
    fine = daily_reader()
    resource("New today")
    ScriptedBackend.script = {broken.email: RuntimeError("the backend failed on this copy")}
    try:
        start()
    finally:
        ScriptedBackend.script = {}

    assert [m.to for m in mail.outbox] == [[fine.email]]
    row = DigestDelivery.objects.get(subscriber=broken)
    assert row.state == DigestDelivery.State.PENDING
    assert "the backend failed" in row.error


def test_an_app_declares_sections_with_plain_dicts_without_importing_the_newsletter(declare):
    def busiest_threads(reader, period):
        return {
            "title": "Busiest threads",
            "items": [{"title": "Staying Close in practice", "url": "https://x/t/2", "note": "9"}],
        }

    declare({"key": "test-busiest", "provider": busiest_threads, "kinds": ["weekly"]})
    SubscriberFactory(weekly_digest=True)
    start("weekly")

    text = parts(parse(mail.outbox[0]))["text/plain"]
    assert "Busiest threads" in text
    assert "Staying Close in practice (9)" in text
