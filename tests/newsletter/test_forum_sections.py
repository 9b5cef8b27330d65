"""The forum in the digests: followed threads (the forum's daily summary, carried by the
daily digest), active and busiest threads, only what each reader may read, never post text."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import TestCase

from forum.models import Follow, ForumPreference, NotifyBy
from forum.services import reading
from forum.tasks import daily_summaries_send
from members.models import MemberType
from newsletter.digests import periods
from newsletter.models import Consent, Subscriber
from tests.forum.factories import CategoryFactory, member_of_type, thread_with_posts
from tests.newsletter.conftest import parse, parts
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 17, 6, 30, tzinfo=LONDON)
YESTERDAY = datetime(2026, 11, 16, 9, 0, tzinfo=LONDON)
LAST_WEEK = datetime(2026, 11, 11, 9, 0, tzinfo=LONDON)


def start(kind: str = "daily"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return periods.digest_start(kind=kind, now=NOW)


def text_of(message) -> str:
    return parts(parse(message))["text/plain"]


def digest_reader(user, **fields) -> Subscriber:
    return SubscriberFactory(user=user, email=user.email, daily_digest=True, **fields)


@pytest.fixture
def room():
    return CategoryFactory(name="Workforce and training", slug="workforce-and-training")


@pytest.fixture
def commissioners_room():
    return CategoryFactory(
        name="Commissioners' room",
        slug="commissioners-room",
        providers_may_read=False,
        policy_may_read=False,
        providers_may_post=False,
        policy_may_post=False,
    )


def test_daily_digest_carries_the_followed_threads_of_a_member_who_chose_the_summary(room):
    reader = member_of_type(name="Priya Shah")
    colleague = member_of_type(name="Tom Reed")
    thread = thread_with_posts(
        category=room,
        author=colleague,
        posts=2,
        title="Rota patterns that keep staff",
        created=YESTERDAY,
    )
    Follow.objects.create(user=reader, thread=thread)
    ForumPreference.objects.create(user=reader, notify_by=NotifyBy.DAILY)

    start()

    text = text_of(mail.outbox[0])
    assert "Your followed threads" in text
    assert "Rota patterns that keep staff" in text
    assert "latest by Tom Reed" in text
    assert "supervision and rotas" not in text  # the posts' text stays on the site


def test_followed_threads_are_left_out_for_members_who_chose_each_reply_emails(room):
    reader = member_of_type()
    thread = thread_with_posts(
        posts=1, category=room, author=member_of_type(), title="Handover notes", created=YESTERDAY
    )
    Follow.objects.create(user=reader, thread=thread)
    ForumPreference.objects.create(user=reader, notify_by=NotifyBy.EACH_REPLY)
    digest_reader(reader)

    start()

    assert "Your followed threads" not in text_of(mail.outbox[0])


def test_active_threads_list_only_rooms_the_reader_may_read(room, commissioners_room):
    provider = member_of_type(MemberType.PROVIDER)
    commissioner = member_of_type(MemberType.COMMISSIONER)
    thread_with_posts(
        posts=1,
        category=room,
        author=commissioner,
        title="Recruiting night staff",
        created=YESTERDAY,
    )
    thread_with_posts(
        posts=1,
        category=commissioners_room,
        author=commissioner,
        title="Framework prices for next year",
        created=YESTERDAY,
    )
    digest_reader(provider)
    digest_reader(commissioner)

    start()

    by_reader = {message.to[0]: text_of(message) for message in mail.outbox}
    assert "Recruiting night staff" in by_reader[provider.email]
    assert "Framework prices for next year" not in by_reader[provider.email]
    assert "Framework prices for next year" in by_reader[commissioner.email]


def test_weekly_digest_names_the_busiest_threads(room):
    reader = member_of_type()
    thread_with_posts(
        category=room, author=member_of_type(), posts=6, title="Ofsted readiness", created=LAST_WEEK
    )
    SubscriberFactory(user=reader, email=reader.email, weekly_digest=True)

    start("weekly")

    text = text_of(mail.outbox[0])
    assert "Busiest in the forum" in text
    assert "Ofsted readiness" in text
    assert "6 new posts" in text


def test_choosing_the_daily_summary_turns_the_daily_digest_on_with_consent_recorded():
    reader = member_of_type()

    reading.preference_save(
        user=reader, notify_by=NotifyBy.DAILY, email_mentions=True, follow_on_post=True
    )

    subscriber = Subscriber.objects.get(user=reader)
    assert subscriber.daily_digest
    assert subscriber.state == Subscriber.State.SUBSCRIBED
    assert subscriber.consents.filter(action=Consent.Action.ACCOUNT, form="forum settings").exists()


def test_choosing_the_daily_summary_after_unsubscribing_brings_back_only_the_daily_digest(
    newsletter,
):
    reader = member_of_type()
    SubscriberFactory(
        user=reader,
        email=reader.email,
        newsletters=[newsletter],
        weekly_digest=True,
        state=Subscriber.State.UNSUBSCRIBED,
    )

    reading.preference_save(
        user=reader, notify_by=NotifyBy.DAILY, email_mentions=True, follow_on_post=True
    )

    subscriber = Subscriber.objects.get(user=reader)
    assert subscriber.state == Subscriber.State.SUBSCRIBED
    assert subscriber.daily_digest
    assert not subscriber.weekly_digest
    assert list(subscriber.newsletters.all()) == []


def test_choosing_the_daily_summary_leaves_a_bounced_address_suppressed():
    reader = member_of_type()
    SubscriberFactory(user=reader, email=reader.email, state=Subscriber.State.BOUNCED)

    reading.preference_save(
        user=reader, notify_by=NotifyBy.DAILY, email_mentions=True, follow_on_post=True
    )

    subscriber = Subscriber.objects.get(user=reader)
    assert subscriber.state == Subscriber.State.BOUNCED
    assert not subscriber.daily_digest


def test_the_forum_sends_no_daily_summary_of_its_own_while_the_digest_carries_it(room):
    reader = member_of_type()
    thread = thread_with_posts(
        posts=1, category=room, author=member_of_type(), created=NOW - timedelta(hours=20)
    )
    Follow.objects.create(user=reader, thread=thread)
    ForumPreference.objects.create(user=reader, notify_by=NotifyBy.DAILY)

    assert daily_summaries_send() == 0
    assert mail.outbox == []
