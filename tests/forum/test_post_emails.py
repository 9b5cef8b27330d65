"""The forum's emails about posts: each says what its on-site notification says, and
goes once however its task is delivered."""

import pytest

from forum import tasks
from forum.models import EmailKind, Follow, ForumEmail
from forum.services import posting
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


def test_a_post_email_goes_once_when_its_task_is_delivered_again_while_sending(
    room, member, second_member, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    thread = start(member, room)
    post = reply(second_member, thread, "Same here.")  # its task has not run yet
    deliver_again_while_sending(monkeypatch, lambda: tasks.post_notify(post.pk))

    tasks.post_notify(post.pk)

    assert [m.to for m in mailoutbox] == [[member.email]]
    assert ForumEmail.objects.get().sent_at is not None
