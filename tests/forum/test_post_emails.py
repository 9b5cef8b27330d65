"""The forum's emails about posts: each says what its on-site notification says, carries
a way to stop it, and goes once however its task is delivered."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from forum import notifications, tasks
from forum.models import EmailKind, Follow, ForumEmail, NotifyBy
from forum.services import posting, reading
from tests.redelivery import deliver_again_while_sending

pytestmark = pytest.mark.django_db


def start(author, category, title="Handover times that work"):
    return posting.thread_create(
        author=author,
        category=category,
        title=title,
        body="We moved handovers to 3pm.",
        confirmed_child_safety=True,
    ).thread


def reply(author, thread, body):
    return posting.post_reply(author=author, thread=thread, body=body, confirmed_child_safety=True)


def test_a_quoted_member_is_emailed_that_they_were_quoted_not_that_someone_replied(
    room, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    thread = start(member, room)
    Follow.objects.filter(user=member).delete()  # only the quote reaches them
    body = f"> **Grace** [wrote](/forum/t/{thread.pk}/p/1/):\n> 3pm\n\nGood idea."

    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, thread, body)

    (message,) = mailoutbox
    assert message.subject == "Nia Sharma quoted you in “Handover times that work”"
    assert "Nia Sharma quoted you in “Handover times that work”." in message.body
    assert "quoted you in" in message.alternatives[0][0]
    assert ForumEmail.objects.get().kind == EmailKind.QUOTE


def test_a_member_whose_post_is_linked_to_is_emailed_of_the_link_not_of_a_followed_thread(
    room, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    thread = start(member, room)
    Follow.objects.filter(user=member).delete()  # only the link reaches them
    body = f"The rota idea is in /forum/t/{thread.pk}/p/1/ if anyone wants it."

    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, thread, body)

    (message,) = mailoutbox
    assert message.subject == "Nia Sharma linked to your post in “Handover times that work”"
    assert "because Nia Sharma linked to your post" in message.body
    assert "you follow" not in message.body
    assert ForumEmail.objects.get().kind == EmailKind.LINK


def test_a_post_email_goes_once_when_its_task_is_delivered_again_while_sending(
    room, member, second_member, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    thread = start(member, room)
    post = reply(second_member, thread, "Same here.")  # its task has not run yet
    deliver_again_while_sending(monkeypatch, lambda: tasks.post_notify(post.pk))

    tasks.post_notify(post.pk)

    assert [m.to for m in mailoutbox] == [[member.email]]
    assert ForumEmail.objects.get().sent_at is not None


def test_the_daily_summary_shows_a_link_to_stop_it(
    room, member, second_member, mailoutbox, settings
):
    settings.FORUM_DAILY_SUMMARY_IN_DIGEST = False  # the forum emails the summary itself
    reading.preference_save(
        user=member, notify_by=NotifyBy.DAILY, email_mentions=False, follow_on_post=True
    )
    thread = start(member, room)
    post = reply(second_member, thread, "A reply yesterday.")
    post.created_at = timezone.now() - timedelta(days=1)
    post.save()

    notifications.daily_summary_send(user=member, day=notifications.yesterday())

    (message,) = mailoutbox
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert f"Stop these emails: {unsubscribe}" in message.body
    html = message.alternatives[0][0]
    assert re.search(rf'<a href="{re.escape(unsubscribe)}"[^>]*>Stop these emails</a>', html)


def test_a_reply_email_says_why_it_came_in_both_parts(
    room, member, second_member, mailoutbox, django_capture_on_commit_callbacks
):
    thread = start(member, room)

    with django_capture_on_commit_callbacks(execute=True):
        reply(second_member, thread, "Same here.")

    (message,) = mailoutbox
    why = "You get this email because you follow this thread or Workforce and training."
    assert why in message.body
    assert why in message.alternatives[0][0]
