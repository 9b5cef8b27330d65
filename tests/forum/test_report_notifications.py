"""A member who reports a post finds what the moderators decided about it among their
notifications on the site, as the email tells it: once per decision, without the author,
the moderator or their reason, naming a thread only while it is shown and linking to the
post only while they may read it."""

import csv
import io
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import selectors
from forum.models import (
    ModerationAction,
    ModerationActionKind,
    Notification,
    NotificationKind,
    ReportReason,
)
from forum.moderation import actions
from forum.moderation.queue import Decision
from forum.services import posting, reading
from forum.tasks import decision_reversed_send, report_decided_send
from members import data_rights
from tests.forum import reported
from tests.forum.factories import member_of_type, thread_with_posts
from tests.forum.reported import report_open
from tests.forum.test_personal_data import _download

pytestmark = pytest.mark.django_db


writer = reported.writer
reporter = reported.reporter
reply = reported.reply

NOTIFICATIONS = reverse("forum:notifications")


@pytest.fixture
def decide(moderator, django_capture_on_commit_callbacks):
    """A moderator's decision on the item, with its notices sent as after the commit."""

    def decide(item, decision: str, note: str = "") -> None:
        with django_capture_on_commit_callbacks(execute=True):
            actions.review_resolve(actor=moderator, item=item, decision=decision, note=note)

    return decide


@pytest.fixture
def as_moderator(moderator, django_capture_on_commit_callbacks):
    """A moderator's hiding or showing of a post, with its notices sent."""

    def act(action, post, reason: str = "") -> None:
        with django_capture_on_commit_callbacks(execute=True):
            action(actor=moderator, post=post, reason=reason)

    return act


def _list(client, person) -> str:
    client.force_login(person)
    return client.get(NOTIFICATIONS).content.decode()


def _open_link(note: Notification) -> str:
    return reverse("forum:notification_open", args=[note.pk])


def _kinds(person) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person).order_by("pk").values_list("kind", flat=True)
    )


def test_a_reporter_finds_the_post_hidden_in_their_notifications_without_a_link_to_it(
    client, moderator, reply, writer, reporter, decide
):
    decide(report_open(reply, reporter), Decision.HIDE, note="Femi is having a hard time")

    page = _list(client, reporter)

    note = Notification.objects.get(recipient=reporter)
    assert "A post you reported in “Winter rotas” has been hidden" in page
    assert _open_link(note) not in page
    for private in (writer.name, moderator.name, "hard time"):
        assert private not in page
    assert note.actor is None
    assert selectors.unread_notification_count(reporter) == 1


def test_a_notice_with_nothing_to_open_is_marked_read_by_its_own_button(
    client, reply, reporter, decide
):
    other = Notification.objects.create(
        recipient=reporter, kind=NotificationKind.REPLY, thread=reply.thread, post=reply
    )
    decide(report_open(reply, reporter), Decision.HIDE)
    note = Notification.objects.get(recipient=reporter, decision__isnull=False)
    assert f'name="note" value="{note.pk}"' in _list(client, reporter)

    client.post(reverse("forum:notifications_read"), {"note": note.pk})

    note.refresh_from_db()
    other.refresh_from_db()
    assert (note.read_at is not None, other.read_at is None) == (True, True)
    assert 'name="note"' not in _list(client, reporter)


def test_a_post_that_stays_up_is_linked_from_its_notification(client, reply, reporter, decide):
    decide(report_open(reply, reporter), Decision.DISAGREE)

    page = _list(client, reporter)
    note = Notification.objects.get(recipient=reporter)
    assert "A post you reported in “Winter rotas” stays up" in page
    assert _open_link(note) in page

    opened = client.get(_open_link(note))

    assert opened.status_code == 302
    assert opened.url == reverse(
        "forum:post", kwargs={"thread_pk": reply.thread_id, "post_number": 2}
    )
    assert selectors.unread_notification_count(reporter) == 0


def test_a_reporter_of_a_post_deleted_by_its_author_is_told_so_without_a_link(
    client, reply, writer, reporter, decide
):
    item = report_open(reply, reporter)
    posting.post_remove(user=writer, post=reply)

    decide(item, Decision.IGNORE)

    page = _list(client, reporter)
    assert "A post you reported in “Winter rotas” was deleted by its author" in page
    assert _open_link(Notification.objects.get(recipient=reporter)) not in page


def test_a_thread_hidden_with_its_opening_post_is_not_named_in_the_notification(
    client, reporter, decide, django_capture_on_commit_callbacks
):
    opening = thread_with_posts(posts=1, title="About Amelia, aged 9").posts.get()
    with django_capture_on_commit_callbacks(execute=True):
        item = report_open(opening, reporter, reason=ReportReason.IDENTIFIES_CHILD)

    decide(item, Decision.HIDE)

    page = _list(client, reporter)
    assert "A post you reported has been hidden" in page
    assert "Amelia" not in page


def test_opening_the_notice_of_a_post_hidden_since_leads_back_to_the_list_not_to_the_post(
    client, reply, reporter, decide, as_moderator
):
    decide(report_open(reply, reporter), Decision.DISAGREE)
    kept = Notification.objects.get(recipient=reporter)
    as_moderator(actions.post_hide, reply, reason="Checking")

    page = _list(client, reporter)
    opened = client.get(_open_link(kept))

    assert _open_link(kept) not in page
    assert opened.status_code == 302
    assert opened.url == NOTIFICATIONS
    kept.refresh_from_db()
    assert kept.read_at is not None


def test_a_retried_task_adds_no_second_notification(moderator, reply, reporter, decide):
    decide(report_open(reply, reporter), Decision.HIDE)
    entry = ModerationAction.objects.get(action=ModerationActionKind.RESOLVE)

    report_decided_send(entry.pk)

    assert _kinds(reporter) == [NotificationKind.REPORT_HIDDEN]


def test_a_decision_reversing_an_earlier_one_gives_its_reporters_the_reversal_notice_alone(
    reply, reporter, decide
):
    decide(report_open(reply, reporter), Decision.DISAGREE)
    later = member_of_type(email="later@example.org")

    decide(report_open(reply, later), Decision.HIDE)

    assert _kinds(later) == [NotificationKind.REPORT_HIDDEN_NOW]
    assert _kinds(reporter) == [NotificationKind.REPORT_KEPT, NotificationKind.REPORT_HIDDEN_NOW]


def test_a_post_shown_again_tells_its_reporters_on_the_site_once_with_a_link(
    client, moderator, reply, writer, reporter, decide, as_moderator
):
    decide(report_open(reply, reporter), Decision.HIDE)
    as_moderator(actions.post_restore, reply, reason="Femi explained it was fine")
    entry = ModerationAction.objects.get(action=ModerationActionKind.RESTORE)
    decision_reversed_send(entry.pk)  # a retried task

    page = _list(client, reporter)

    assert _kinds(reporter) == [NotificationKind.REPORT_HIDDEN, NotificationKind.REPORT_SHOWN_AGAIN]
    shown = Notification.objects.get(recipient=reporter, kind=NotificationKind.REPORT_SHOWN_AGAIN)
    assert "A post you reported in “Winter rotas” is visible again" in page
    assert _open_link(shown) in page
    for private in (writer.name, moderator.name, "Femi explained"):
        assert private not in page


def test_the_author_gets_no_notice_of_the_reports_or_of_who_made_them(
    client, reply, writer, reporter, decide, as_moderator
):
    decide(report_open(reply, reporter), Decision.HIDE)
    as_moderator(actions.post_restore, reply)

    page = _list(client, writer)

    assert _kinds(writer) == []
    assert reporter.name not in page and "A post you reported" not in page


def test_a_reporter_notified_of_the_reply_itself_also_hears_of_the_decision(
    reply, reporter, decide
):
    Notification.objects.create(
        recipient=reporter, kind=NotificationKind.REPLY, thread=reply.thread, post=reply
    )

    decide(report_open(reply, reporter), Decision.DISAGREE)

    assert _kinds(reporter) == [NotificationKind.REPLY, NotificationKind.REPORT_KEPT]


def test_a_notice_to_a_reporter_cannot_name_who_decided(moderator, reply, reporter, decide):
    decide(report_open(reply, reporter), Decision.HIDE)
    entry = ModerationAction.objects.get(action=ModerationActionKind.RESOLVE)

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=member_of_type(),
            kind=NotificationKind.REPORT_HIDDEN,
            thread=reply.thread,
            post=reply,
            decision=entry,
            actor=moderator,
        )


def test_reading_the_thread_leaves_the_notice_of_the_decision_unread(
    client, reply, reporter, decide
):
    decide(report_open(reply, reporter), Decision.DISAGREE)

    reading.thread_mark_read(user=reporter, thread=reply.thread, up_to=2)

    assert selectors.unread_notification_count(reporter) == 1


def test_a_reporter_waiting_for_deletion_still_finds_the_notice_on_the_site(
    reply, reporter, decide
):
    data_rights.account_deletion_request(user=reporter, keep_post_text=True)

    decide(report_open(reply, reporter), Decision.HIDE)

    assert _kinds(reporter) == [NotificationKind.REPORT_HIDDEN]


def test_the_reporter_s_download_lists_the_notice_in_plain_words(reply, reporter, decide):
    decide(report_open(reply, reporter), Decision.HIDE)

    archive = _download(reporter)

    [note] = json.loads(archive.read("forum_notifications.json"))
    assert (note["kind"], note["thread_title"]) == ("report_hid", "Winter rotas")
    rows = list(csv.reader(io.StringIO(archive.read("forum_notifications.csv").decode())))
    assert rows[1][:3] == ["A post you reported has been hidden", "Winter rotas", "2"]


def test_erasing_the_reporter_s_account_removes_their_notices(reply, reporter, decide):
    decide(report_open(reply, reporter), Decision.HIDE)
    assert _kinds(reporter) == [NotificationKind.REPORT_HIDDEN]

    data_request = data_rights.account_deletion_request(user=reporter, keep_post_text=True)
    data_rights.account_erase(data_request=data_request)

    assert Notification.objects.filter(kind__startswith="report_").count() == 0


def test_the_list_asks_as_many_queries_for_many_notices_as_for_one(
    client, reply, reporter, decide, as_moderator
):
    decide(report_open(reply, reporter), Decision.DISAGREE)
    client.force_login(reporter)
    client.get(NOTIFICATIONS)
    with CaptureQueriesContext(connection) as with_one:
        client.get(NOTIFICATIONS)
    as_moderator(actions.post_hide, reply, reason="Checking")
    as_moderator(actions.post_restore, reply)
    for n in range(3):
        post = thread_with_posts(posts=2, title=f"Rotas {n}").posts.get(post_number=2)
        decide(report_open(post, reporter), Decision.HIDE)

    with CaptureQueriesContext(connection) as with_many:
        client.get(NOTIFICATIONS)

    assert Notification.objects.filter(recipient=reporter).count() == 6
    assert len(with_many) == len(with_one)


def test_the_header_counts_a_notice_of_a_hidden_post_in_as_many_queries_as_a_reply(
    client, reply, reporter, decide, django_capture_on_commit_callbacks
):
    client.force_login(reporter)
    Notification.objects.create(
        recipient=reporter, kind=NotificationKind.REPLY, thread=reply.thread, post=reply
    )
    client.get("/about/")
    with CaptureQueriesContext(connection) as with_a_reply:
        client.get("/about/")
    other = thread_with_posts(posts=2).posts.get(post_number=2)

    decide(report_open(other, reporter), Decision.HIDE)

    with CaptureQueriesContext(connection) as with_a_notice:
        page = client.get("/about/").content.decode()
    assert '2<span class="visually-hidden"> unread</span>' in page
    assert len(with_a_notice) == len(with_a_reply)
