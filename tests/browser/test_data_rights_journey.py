"""A member's data rights in Chromium: they download their data and open the ZIP; another
deletes their account, and a moderator still sees the reports they filed, under a
pseudonym. Every page is checked with axe-core."""

import io
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from members import data_rights
from members.models import DataRequest
from tests.browser.conftest import assert_accessible, link_in_last_email, sign_in, signed_in
from tests.forum.factories import reported_item, thread_with_posts
from tests.members.factories import PASSWORD, UserFactory


def _give_password_again(page) -> None:
    page.get_by_role("heading", name="Confirm it is you").wait_for()
    assert_accessible(page)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()


@pytest.mark.django_db(transaction=True)
def test_member_downloads_their_data_and_opens_the_zip(page, tmp_path):
    user = UserFactory(email="dana.whitfield@example.org", name="Dana Whitfield")
    thread_with_posts(posts=1, author=user, title="Rotas over Christmas")
    sign_in(page, user.email, PASSWORD)
    page.get_by_role("heading", name="Your account").wait_for()
    page.get_by_role("link", name="Download your data or delete your account").click()
    page.get_by_role("heading", name="Your data and account").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Prepare my download").click()
    _give_password_again(page)
    page.get_by_text("We are preparing your data").wait_for()
    assert_accessible(page)

    link = link_in_last_email(r"https?://\S+/account/data/download/\S+/")
    path = "/" + link.split("/", 3)[3]
    response = page.context.request.get(path)
    assert response.status == 200
    archive = zipfile.ZipFile(io.BytesIO(response.body()))
    assert "Rotas over Christmas" in archive.read("forum_posts.csv").decode("utf-8-sig")
    archive.extractall(tmp_path)
    page.goto((tmp_path / "index.html").as_uri())
    page.get_by_role("heading", name="Your data from the English Residential Network").wait_for()
    page.get_by_role("heading", name="Forum posts", exact=True).wait_for()
    page.get_by_role("cell", name="Rotas over Christmas").first.wait_for()
    page.get_by_role("link", name="profile.csv").wait_for()
    assert_accessible(page)

    # The link has been used: a second try is refused.
    assert page.context.request.get(path).status == 403


@pytest.mark.django_db(transaction=True)
def test_member_deletes_their_account_and_a_moderator_still_sees_their_reports(
    new_page, live_server, moderator
):
    post = thread_with_posts(posts=2, title="Settling a new arrival").posts.get(post_number=2)
    item = reported_item(post=post, reason="safeguarding")
    reporter = item.reports.get().reporter
    reporter_name = reporter.name

    page = new_page()
    sign_in(page, reporter.email, PASSWORD)
    page.get_by_role("heading", name="Your account").wait_for()
    page.goto("/account/data/")
    page.get_by_role("link", name="Delete my account").click()
    _give_password_again(page)
    page.get_by_role("heading", name="Delete your account").wait_for()
    page.get_by_text("safeguarding records").first.wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("Tick the box to confirm").first.wait_for()
    assert_accessible(page)
    page.get_by_label("Remove the text of every post I wrote").check()
    page.get_by_label("I understand that my account will be deleted").check()
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("Your account will be deleted on").wait_for()
    assert_accessible(page)

    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert data_rights.account_deletions_complete() == 1
    assert DataRequest.objects.get(user=reporter).state == DataRequest.State.DONE

    # Signed in past two-factor, which moderators must have (forum/middleware.py).
    moderator_page = signed_in(new_page, live_server, moderator)
    moderator_page.goto("/forum/moderation/")
    entry = moderator_page.locator(f"#item-{item.pk}")
    entry.get_by_text("Safeguarding concern").first.wait_for()
    assert f"Former member #{reporter.pk}" in entry.inner_text()
    assert reporter_name not in entry.inner_text()
    assert_accessible(moderator_page)
