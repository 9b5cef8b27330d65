"""Service mode: a reply's email goes out from a real Celery worker, not the request."""

import time

import pytest
from django.utils import timezone

from forum.models import ForumEmail, ForumPreference, Notification
from forum.services import reading
from tests.forum.factories import thread_with_posts
from tests.members.factories import PASSWORD


@pytest.mark.worker
def test_reply_email_is_sent_by_a_real_celery_worker(
    client, room, member, second_member, celery_worker_process
):
    thread = thread_with_posts(posts=1, category=room, author=member, title="Weekend rotas")
    reading.thread_follow(user=member, thread=thread)
    ForumPreference.objects.create(user=second_member, child_safety_confirmed_at=timezone.now())
    client.login(username=second_member.email, password=PASSWORD)

    response = client.post(f"/forum/t/{thread.pk}/reply/", {"body": "We swap every month."})
    assert response.status_code == 302

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not list(celery_worker_process.mail_dir.iterdir()):
        time.sleep(0.2)
    files = list(celery_worker_process.mail_dir.iterdir())
    assert files, "the worker sent no email"
    text = files[0].read_text()
    assert "Weekend rotas" in text and "swap every month" not in text
    assert Notification.objects.filter(recipient=member).count() == 1
    assert ForumEmail.objects.get().sent_at is not None
