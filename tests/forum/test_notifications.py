"""Notifications on the site and emails: who hears, once, as they chose, without text."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import access, notifications, selectors, tasks
from forum.models import (
    Follow,
    ForumEmail,
    ForumPreference,
    Notification,
    NotifyBy,
    ReportReason,
    Suspension,
)
from forum.services import posting, publishing, reading, reports
from members.models import MemberType
from tests.forum.factories import member_of_type, thread_with_posts

pytestmark = pytest.mark.django_db

BODY = "We moved handovers to 3pm and it changed the evening."


def start(author, category, body=BODY, title="Handover times that work"):
    return posting.thread_create(
        author=author, category=category, title=title, body=body, confirmed_child_safety=True
    )


def reply(author, thread, body):
    return posting.post_reply(author=author, thread=thread, body=body, confirmed_child_safety=True)


@pytest.fixture
def conversation(room, member, second_member, django_capture_on_commit_callbacks):
    """The member's thread with the second member's reply (the member follows it)."""
    with django_capture_on_commit_callbacks(execute=True):
        thread = start(member, room).thread
    return thread


def test_reply_notifies_followers_but_not_its_author(
    conversation, member, second_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = reply(second_member, conversation, "Same here: the 3pm overlap helps.")
    assert list(Notification.objects.values_list("recipient", "kind", "post")) == [
        (member.pk, "reply", post.pk)
    ]


def test_reply_email_carries_title_author_and_link_but_never_the_text(
    conversation, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = reply(second_member, conversation, "Our secret: a handover checklist.")
    (message,) = mailoutbox
    html = message.alternatives[0][0]
    assert message.to == [member.email]
    assert "Handover times that work" in message.subject
    assert "Nia Sharma" in message.body
    assert f"/forum/t/{conversation.pk}/p/{post.post_number}/" in message.body
    assert "checklist" not in message.body and "checklist" not in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/forum/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_each_email_is_sent_once_even_when_the_task_runs_again(
    conversation, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = reply(second_member, conversation, "Agreed.")
    tasks.post_notify(post.pk)
    assert len(mailoutbox) == 1
    assert ForumEmail.objects.get().sent_at is not None


def test_member_who_chose_no_emails_gets_the_notification_only(
    conversation, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    reading.preference_save(
        user=member, notify_by=NotifyBy.NONE, email_mentions=False, follow_on_post=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, "Agreed.")
    assert mailoutbox == []
    assert Notification.objects.filter(recipient=member).count() == 1


def test_daily_summary_members_get_no_email_per_reply(
    conversation, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    reading.preference_save(
        user=member, notify_by=NotifyBy.DAILY, email_mentions=False, follow_on_post=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, "Agreed.")
    assert mailoutbox == []


def test_mention_notifies_the_member_named(
    room, member, second_member, third_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(member, room, body="What does @Owen-Price think? And @Nobody-Here?")
    note = Notification.objects.get(recipient=third_member)
    assert note.kind == "mention"
    assert [m.to for m in mailoutbox] == [[third_member.email]]
    assert "mentioned you" in mailoutbox[0].subject


def test_mention_of_someone_who_cannot_read_the_category_notifies_nobody(
    commissioners_room, provider_member, django_capture_on_commit_callbacks
):
    commissioner = member_of_type(MemberType.COMMISSIONER, name="Ada Quinn")
    ForumPreference.objects.create(user=commissioner, child_safety_confirmed_at=timezone.now())
    provider_member.name = "Jo Whitfield"
    provider_member.save()
    with django_capture_on_commit_callbacks(execute=True):
        start(commissioner, commissioners_room, body="Over to @Jo-Whitfield.")
    assert not Notification.objects.filter(recipient=provider_member).exists()


def test_quoting_a_post_notifies_its_author(
    conversation, member, second_member, django_capture_on_commit_callbacks
):
    Follow.objects.filter(user=member).delete()
    body = f"> **A member** [wrote](/forum/t/{conversation.pk}/p/1/):\n> 3pm\n\nGood idea."
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, body)
    assert Notification.objects.get(recipient=member).kind == "quote"


def test_held_posts_send_no_notifications(
    settings, conversation, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 5
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, "Waiting for review.")
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_approved_post_notifies_then(
    settings, conversation, member, second_member, moderator, django_capture_on_commit_callbacks
):
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 5
    held = reply(second_member, conversation, "Waiting for review.")
    with django_capture_on_commit_callbacks(execute=True):
        publishing.post_publish(post=held, actor=moderator)
    assert Notification.objects.filter(recipient=member, post=held).exists()


def test_author_hears_that_their_held_post_was_approved(
    settings, conversation, second_member, moderator
):
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 5
    held = reply(second_member, conversation, "Waiting for review.")
    publishing.post_publish(post=held, actor=moderator)
    note = Notification.objects.get(recipient=second_member)
    assert (note.kind, note.post) == ("approved", held)


def test_category_follow_brings_new_threads(
    room, member, second_member, django_capture_on_commit_callbacks
):
    reading.category_follow(user=second_member, category=room)
    with django_capture_on_commit_callbacks(execute=True):
        start(member, room)
    assert Notification.objects.get(recipient=second_member).kind == "new_thread"


def test_one_click_unsubscribe_mutes_only_that_thread(
    client, conversation, member, second_member, room, django_capture_on_commit_callbacks
):
    reading.category_follow(user=member, category=room)
    token = notifications.unsubscribe_token(member, conversation)
    response = client.post(f"/forum/unsubscribe/{token}/")
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, "Anyone?")
    assert not Notification.objects.filter(recipient=member).exists()


@pytest.mark.parametrize(
    "body", ["Over to @Pat-Lee.", "> [wrote](/forum/t/{pk}/p/1/):\n> 3pm\n\nYes."]
)
def test_after_stopping_a_thread_s_emails_a_mention_or_quote_there_sends_none(
    client,
    conversation,
    member,
    second_member,
    mailoutbox,
    body,
    django_capture_on_commit_callbacks,
):
    member.name = "Pat Lee"
    member.save(update_fields=["name"])
    client.post(f"/forum/unsubscribe/{notifications.unsubscribe_token(member, conversation)}/")

    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, body.format(pk=conversation.pk))

    assert Notification.objects.filter(recipient=member).exists()
    assert mailoutbox == []


def test_unsubscribe_link_asks_before_acting_on_get(client, conversation, member):
    token = notifications.unsubscribe_token(member, conversation)
    response = client.get(f"/forum/unsubscribe/{token}/")
    assert response.status_code == 200
    assert not Follow.objects.filter(user=member, is_muted=True).exists()


def test_tampered_unsubscribe_link_is_refused(client, conversation, member):
    token = notifications.unsubscribe_token(member, conversation)
    assert client.post(f"/forum/unsubscribe/{token[:-2]}xx/").status_code == 400


def test_daily_summary_is_sent_once_per_member_per_day(
    room, member, second_member, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.FORUM_DAILY_SUMMARY_IN_DIGEST = False  # the forum emails the summary itself
    reading.preference_save(
        user=member, notify_by=NotifyBy.DAILY, email_mentions=False, follow_on_post=True
    )
    thread = start(member, room).thread
    post = reply(second_member, thread, "A reply yesterday.")
    post.created_at = timezone.now() - timedelta(days=1)
    post.save()
    day = notifications.yesterday()
    assert tasks.daily_summaries_send() == 1
    tasks.daily_summary_send(member.pk, day.isoformat())
    (message,) = mailoutbox
    assert "Handover times that work" in message.body
    assert "A reply yesterday" not in message.body


def test_daily_summary_task_stands_down_when_the_digest_carries_it(settings, member, mailoutbox):
    settings.FORUM_DAILY_SUMMARY_IN_DIGEST = True
    ForumPreference.objects.create(user=member, notify_by=NotifyBy.DAILY)
    assert tasks.daily_summaries_send() == 0


def test_notification_list_and_header_count(
    client, conversation, member, second_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, "A reply.")
    client.force_login(member)
    page = client.get("/forum/notifications/").content.decode()
    assert "Nia Sharma replied in" in page
    assert '1<span class="visually-hidden"> unread</span>' in page
    note = Notification.objects.get()
    assert client.get(f"/forum/notifications/{note.pk}/").status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_unread_count_is_the_person_s_own_notifications_not_yet_read(
    conversation, member, second_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = reply(second_member, conversation, "A first reply.")
        reply(second_member, conversation, "A second reply.")
        reply(member, conversation, "The member answers.")
    assert selectors.unread_notification_count(member) == 2
    assert selectors.unread_notification_count(second_member) == 1

    reading.notifications_mark_read(
        user=member, ids=[Notification.objects.get(recipient=member, post=first).pk]
    )

    assert selectors.unread_notification_count(member) == 1
    assert selectors.unread_notification_count(second_member) == 1


def test_reading_a_thread_reads_the_notifications_of_the_posts_on_its_page(
    client, conversation, member, second_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, "A first reply.")
        reply(second_member, conversation, "A second reply.")
    assert selectors.unread_notification_count(member) == 2
    client.force_login(member)

    client.get(conversation.get_absolute_url())

    assert selectors.unread_notification_count(member) == 0


def test_reading_a_thread_leaves_the_notifications_of_other_threads_unread(
    client, room, conversation, member, second_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, "A reply here.")
        other = start(member, room, title="Another question").thread
        reply(second_member, other, "A reply there.")
    client.force_login(member)

    client.get(conversation.get_absolute_url())

    assert list(
        Notification.objects.filter(recipient=member, read_at__isnull=True).values_list(
            "thread", flat=True
        )
    ) == [other.pk]


@pytest.fixture
def hidden_reply(conversation, second_member, moderator, django_capture_on_commit_callbacks):
    """A reply that notified the member, then hidden by a moderator."""
    with django_capture_on_commit_callbacks(execute=True):
        post = reply(second_member, conversation, "A reply.")
    publishing.post_hide(post=post, actor=moderator, reason="Personal data")
    return post


def test_notifications_of_a_hidden_post_disappear_from_the_list(client, member, hidden_reply):
    client.force_login(member)
    assert "replied in" not in client.get("/forum/notifications/").content.decode()


def test_the_header_does_not_count_a_notification_of_a_hidden_post(client, member, hidden_reply):
    client.force_login(member)
    page = client.get("/forum/notifications/").content.decode()

    assert selectors.unread_notification_count(member) == 0
    assert 'class="badge"' not in page
    assert "unread)" not in page


def test_a_notification_from_a_room_no_longer_open_to_the_person_is_neither_listed_nor_counted(
    client, room, conversation, member, second_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, "A reply.")
    room.providers_may_read = False
    room.save()

    client.force_login(member)
    page = client.get("/forum/notifications/").content.decode()

    assert selectors.unread_notification_count(member) == 0
    assert "replied in" not in page
    assert 'class="badge"' not in page


def test_with_nothing_unread_the_header_count_is_one_query(client, member):
    client.force_login(member)
    client.get("/about/")  # the first page records the session

    with CaptureQueriesContext(connection) as queries:
        client.get("/about/")

    # The person, whether they moderate (moderators set up two-factor before any page:
    # forum/middleware.py), and whether anything unread is shown to them.
    assert len(queries) == 3


def test_the_header_count_asks_as_many_queries_for_one_unread_notification_as_for_many(
    client, conversation, member, second_member, django_capture_on_commit_callbacks
):
    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get("/about/")
        return len(queries)

    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, conversation, "A reply.")
    client.get("/about/")
    with_one = queries_for_a_page()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            reply(second_member, conversation, f"Reply number {n}.")

    assert queries_for_a_page() == with_one
    assert selectors.unread_notification_count(member) == 11


def test_the_moderators_alert_says_a_suspended_reporter_s_urgent_report_left_the_post_up(
    moderator, mailoutbox, django_capture_on_commit_callbacks
):
    post = thread_with_posts(posts=2).posts.get(post_number=2)
    reporter = member_of_type()
    Suspension.objects.create(
        member=reporter,
        until=timezone.now() + timedelta(days=7),
        reason="Personal remarks",
        created_by=moderator,
    )
    access.forget_forum(reporter)

    with django_capture_on_commit_callbacks(execute=True):
        reports.report_create(reporter=reporter, post=post, reason=ReportReason.IDENTIFIES_CHILD)

    [alert] = mailoutbox
    for text in (alert.body, alert.alternatives[0][0]):
        assert "still visible to members" in text
        assert "the reporter is suspended from posting" in text
        assert "urgent reports were not upheld" not in text
