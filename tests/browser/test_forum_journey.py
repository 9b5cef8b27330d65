"""The forum in Chromium: a member starts a thread, a second member replies with a quote
and a mention, the first sees the notification and the unread marker, and a third
reports the reply as possibly identifying a child, which hides it at once. Every page
is checked with axe-core."""

import pytest

from forum.models import Post, PostState, ReviewItem, Thread
from members.models import MemberType
from tests.browser.conftest import assert_accessible, sign_in, signed_in
from tests.forum.factories import CategoryFactory, member_of_type, thread_with_posts
from tests.members.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_thread_reply_with_quote_and_mention_notification_unread_and_urgent_report(
    new_page, settings
):
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 0
    CategoryFactory(
        name="Workforce and training",
        slug="workforce-and-training",
        description="Recruiting and keeping staff.",
    )
    member_of_type(MemberType.PROVIDER, name="Jo Whitfield", email="jo@example.org")
    member_of_type(MemberType.COMMISSIONER, name="Nia Sharma", email="nia@example.org")
    member_of_type(MemberType.POLICY, name="Owen Price", email="owen@example.org")

    # The first member starts a thread, previewing it first.
    jo = new_page()
    sign_in(jo, "jo@example.org", PASSWORD)
    jo.goto("/forum/")
    assert_accessible(jo)
    jo.get_by_role("link", name="Workforce and training").click()
    assert_accessible(jo)
    jo.get_by_role("link", name="Start a thread").click()
    jo.get_by_label("Title").fill("Keeping new staff past six months")
    jo.get_by_label("Your post").fill(
        "We pair each new starter with a **mentor**. What works for you?"
    )
    jo.get_by_label("I confirm that my post does not identify a child").check()
    jo.get_by_role("button", name="Preview").click()
    jo.get_by_role("heading", name="Preview").wait_for()
    assert jo.locator(".forum-preview strong").inner_text() == "mentor"
    assert_accessible(jo)
    jo.get_by_role("button", name="Start thread").click()
    jo.get_by_role("heading", name="Keeping new staff past six months").wait_for()
    assert_accessible(jo)

    # The second member replies, quoting the first post and mentioning its author.
    nia = new_page()
    sign_in(nia, "nia@example.org", PASSWORD)
    nia.goto("/forum/c/workforce-and-training/")
    nia.get_by_role("link", name="Keeping new staff past six months").click()
    nia.get_by_role("link", name="Quote post 1").click()
    body = nia.get_by_label("Your post")
    assert "**Jo Whitfield** [wrote]" in body.input_value()
    body.fill(body.input_value() + "@Jo-Whitfield we do the same, plus a fortnightly check-in.")
    nia.get_by_label("I confirm that my post does not identify a child").check()
    assert_accessible(nia)
    nia.get_by_role("button", name="Post reply").click()
    nia.locator("#post-2").wait_for()
    assert "fortnightly check-in" in nia.locator("#post-2").inner_text()

    # The first member sees the notification and the unread marker.
    jo.goto("/forum/c/workforce-and-training/")
    assert_accessible(jo)
    assert jo.get_by_role("link", name="Unread posts: jump to the first unread post").count() == 1
    jo.get_by_role("link", name="Notifications 1 unread").click()
    assert_accessible(jo)
    jo.get_by_role("link", name="Nia Sharma mentioned you in").click()
    jo.locator("#post-2").wait_for()
    assert jo.url.endswith("#post-2")

    # A third member reports the reply as possibly identifying a child: hidden at once.
    owen = new_page()
    sign_in(owen, "owen@example.org", PASSWORD)
    thread = Thread.objects.get()
    owen.goto(f"/forum/t/{thread.pk}/p/2/")
    owen.get_by_role("link", name="Report post 2").click()
    assert_accessible(owen)
    owen.get_by_label("Could identify a child or young person").check()
    owen.get_by_role("button", name="Send report").click()
    owen.get_by_text("the moderators have your report").wait_for()
    assert "hidden while the moderators look at reports" in owen.locator("#post-2").inner_text()
    assert "fortnightly" not in owen.content()
    assert_accessible(owen)
    reply = Post.objects.get(post_number=2)
    assert reply.state == PostState.HIDDEN
    assert ReviewItem.objects.get(post=reply).is_urgent


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", ["reply", "report"])
def test_a_forum_form_sent_incomplete_says_what_is_missing_in_the_sites_own_words(
    new_page, live_server, form
):
    # The browser's own bubbles vanish after a moment and bypass the error summary that
    # links each message to its field, as every other form of the site has.
    room = CategoryFactory(name="Workforce and training", slug="workforce-and-training")
    thread = thread_with_posts(category=room, posts=2)
    page = signed_in(new_page, live_server, member_of_type(MemberType.PROVIDER))
    post = thread.posts.order_by("post_number").first()
    page.goto(thread.get_absolute_url() if form == "reply" else f"/forum/post/{post.pk}/report/")

    page.get_by_role("button", name="Post reply" if form == "reply" else "Send report").click()

    field = "#id_body" if form == "reply" else "#id_reason_0"
    page.get_by_role("alert").locator(f'a[href="{field}"]').wait_for()
    assert page.locator(field).count() == 1
    assert_accessible(page)
