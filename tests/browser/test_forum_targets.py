"""On a phone (390 px) the forum's small links are still targets of at least 24 by 24
CSS pixels (WCAG 2.5.8), where they sit next to another target."""

import pytest

from forum.services import reading
from tests.browser.conftest import assert_accessible, signed_in
from tests.forum.factories import CategoryFactory, member_of_type, thread_with_posts


@pytest.mark.django_db(transaction=True)
def test_the_unread_marker_beside_a_thread_s_title_is_a_large_enough_target(new_page, live_server):
    room = CategoryFactory(name="Workforce and training", slug="workforce-and-training")
    thread = thread_with_posts(category=room, posts=3, title="Keeping night staff")
    reader = member_of_type()
    reading.thread_mark_read(user=reader, thread=thread, up_to=1)
    page = signed_in(new_page, live_server, reader, width=390, height=844)

    page.goto(room.get_absolute_url())

    marker = page.locator(f'a[href="/forum/t/{thread.pk}/unread/"]').bounding_box()
    assert marker["height"] >= 24 and marker["width"] >= 24
    assert_accessible(page)
