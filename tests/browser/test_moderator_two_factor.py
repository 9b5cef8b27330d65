"""A moderator without two-factor authentication is led to set it up before the review
queue opens, at desktop and phone widths, in Chromium."""

import time

import pytest
import time_machine

from tests.browser.conftest import assert_accessible, next_totp_code, sign_in
from tests.forum.factories import reported_item, thread_with_posts
from tests.members.factories import PASSWORD
from tests.roles import moderator_without_two_factor


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_moderator_sets_up_an_authenticator_app_then_reaches_the_review_queue(new_page, width):
    moderator_without_two_factor()
    item = reported_item(post=thread_with_posts(posts=2).posts.get(post_number=2))
    page = new_page({"width": width, "height": 900})

    with time_machine.travel(time.time(), tick=True) as clock:
        sign_in(page, "moderator@example.org", PASSWORD)
        page.goto("/forum/moderation/")
        page.get_by_text("You moderate the forum, so your account needs two-factor").wait_for()
        assert page.get_by_role("heading", name="Review queue").count() == 0
        page.get_by_role("heading", name="If you lose your phone or security key").wait_for()
        assert_accessible(page)

        page.get_by_role("link", name="Activate").first.click()
        page.get_by_role("heading", name="Confirm it is you").wait_for()
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        secret = page.locator("#authenticator_secret").input_value()
        page.get_by_label("Authenticator code").fill(next_totp_code(clock, secret))
        page.get_by_role("button", name="Activate").click()
        page.get_by_role("heading", name="Recovery codes").first.wait_for()
        assert_accessible(page)

        page.goto("/forum/moderation/")
        page.get_by_role("heading", name="Review queue").wait_for()
        page.locator(f"#item-{item.pk}").wait_for()
        assert_accessible(page)
