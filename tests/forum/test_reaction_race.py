"""Two "helpful" clicks on one post at the same moment (PostgreSQL, with threads and two
connections, as the events' capacity test does)."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from forum.models import Post, Reaction
from forum.services import reactions
from tests.forum.factories import thread_with_posts


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="the row lock and the race need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_helpful_clicks_at_once_toggle_one_after_the_other_without_an_error(
    room, member, second_member
):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def click():
        try:
            barrier.wait(timeout=5)
            reactions.reaction_toggle(user=second_member, post=post)
        except Exception as error:  # noqa: BLE001 - the test collects whatever went wrong
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    marks = Reaction.objects.filter(post=post).count()
    assert Post.objects.get(pk=post.pk).helpful_count == marks == 0
