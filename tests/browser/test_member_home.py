"""A member's home page shows their things, on a phone (390 px) and a desk (1280 px)."""

import pytest

from forum.models import Follow
from tests.browser.conftest import assert_accessible, sign_in
from tests.forum.factories import CategoryFactory, thread_with_posts
from tests.members.factories import PASSWORD, TopicFactory
from tests.practice_library.factories import ResourceFactory

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390px", "1280px"])
def test_a_member_s_home_shows_their_membership_topics_and_unread_threads(
    new_page, provider_member, viewport
):
    staffing = TopicFactory(name="Staffing")
    provider_member.topics.add(staffing)
    ResourceFactory(title="Rotas that keep staff", topics=[staffing])
    thread = thread_with_posts(category=CategoryFactory(name="Practice"), title="Night rotas")
    Follow.objects.create(user=provider_member, thread=thread)

    page = new_page(viewport=viewport)
    sign_in(page, provider_member.email, PASSWORD)
    page.goto("/")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome back")
    membership = page.get_by_role("region", name="Your membership")
    assert "renews on" in membership.inner_text()
    topics = page.get_by_role("region", name="New in your topics")
    assert topics.get_by_role("link", name="Rotas that keep staff").is_visible()
    unread = page.get_by_role("region", name="Unread in what you follow")
    unread.get_by_role("link", name="Night rotas").click()
    page.wait_for_url(f"**/forum/t/{thread.pk}/**")
    page.go_back()
    assert_accessible(page)
