"""A registered person who may read a thread but not reply is told why, with the way to
join, on a phone (390 px) and a desk (1280 px)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.forum.factories import CategoryFactory, member_of_type, thread_with_posts
from tests.members.factories import PASSWORD, UserFactory


@pytest.mark.parametrize("width", [390, 1280])
def test_registered_person_on_a_thread_sees_why_they_cannot_reply_and_the_way_to_join(
    new_page, width
):
    room = CategoryFactory(name="Welcome", slug="welcome", registered_may_read=True)
    author = member_of_type("provider")
    thread = thread_with_posts(category=room, author=author, posts=2)
    reader = UserFactory(email="reader@example.org")
    page = new_page(viewport={"width": width, "height": 844})
    sign_in(page, reader.email, PASSWORD)

    page.goto(thread.get_absolute_url())

    refusal = page.locator(".forum-refusal")
    expect(refusal).to_contain_text("Only members post in the forum")
    join = refusal.get_by_role("link", name="Join the network")
    expect(join).to_have_attribute("href", "/membership/")
    expect(page.get_by_role("button", name="Post reply")).to_have_count(0)
    assert_accessible(page)
