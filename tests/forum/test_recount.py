import io

import pytest
from django.core.management import call_command

from forum.models import Category, Post, PostState, Thread
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


def test_forum_recount_repairs_thread_and_category_counters(room, member, second_member):
    thread = thread_with_posts(
        category=room, author=member, authors=[member, second_member], posts=4
    )
    Post.objects.filter(thread=thread, post_number=4).update(state=PostState.HIDDEN)
    Thread.objects.update(post_count=99, last_post_number=99, last_post_author=None)
    Category.objects.update(thread_count=7, post_count=99, last_thread=None)

    call_command("forum_recount", stdout=io.StringIO())

    thread.refresh_from_db()
    room.refresh_from_db()
    assert (thread.post_count, thread.last_post_number) == (3, 3)
    assert thread.last_post_author == member  # posts alternate: #3 is the member's
    assert (room.thread_count, room.post_count, room.last_thread) == (1, 3, thread)
