"""A moderator works through the review queue in Chromium: sees a reported post with its
reason and reporter, hides it, and records a resolution with a private note; takes down
a reported document and leaves its post up. Every page is checked with axe-core."""

import pytest
from django.core.files.base import ContentFile

from forum.models import (
    AttachmentApproval,
    ModerationAction,
    PostAttachment,
    PostRevision,
    PostState,
    Resolution,
    ReviewNote,
)
from forum.moderation import actions
from tests.browser.conftest import assert_accessible, signed_in
from tests.forum.factories import (
    held_post,
    member_of_type,
    reported_item,
    thread_with_posts,
)


@pytest.mark.django_db(transaction=True)
def test_moderator_hides_a_reported_post_from_the_queue_and_resolves_it_with_a_note(
    new_page, live_server, moderator
):
    thread = thread_with_posts(posts=2, title="Settling a new arrival")
    post = thread.posts.get(post_number=2)
    post.body = "Our new resident from Fictional Road settled in fast."
    post.save(update_fields=["body"])
    item = reported_item(post=post, reason="personal_data")
    reporter = item.reports.get().reporter

    # Signed in past two-factor, which moderators must have (forum/middleware.py).
    page = signed_in(new_page, live_server, moderator)
    page.goto("/forum/moderation/")
    page.get_by_role("heading", name="Review queue").wait_for()
    assert_accessible(page)
    entry = page.locator(f"#item-{item.pk}")
    entry.get_by_text("Personal data about staff or a third party").first.wait_for()
    assert str(reporter) in entry.inner_text()
    assert "Fictional Road" in entry.inner_text()

    entry.get_by_label("Reason for hiding post 2 (optional)").fill("Names a placement street")
    entry.get_by_role("button", name="Hide post 2").click()
    page.get_by_text("Post #2 is hidden.").wait_for()
    assert_accessible(page)
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN

    entry = page.locator(f"#item-{item.pk}")
    entry.get_by_label("Agree: hide the post").check()
    entry.get_by_label("Private note for the moderators (optional)").fill(
        "Street name removed from view; member reminded of the guidance."
    )
    entry.get_by_role("button", name="Record decision on post #2").click()
    page.get_by_text("Nothing is waiting for review.").wait_for()
    assert_accessible(page)

    item.refresh_from_db()
    assert item.resolution == Resolution.AGREE
    assert ReviewNote.objects.get(item=item).text.startswith("Street name removed")
    assert ModerationAction.objects.filter(post=post, action="hide").count() == 1

    page.get_by_role("link", name="Resolved items").click()
    page.get_by_text("Street name removed from view").wait_for()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_moderator_redacts_a_post_and_every_moderation_page_is_accessible(
    new_page, live_server, moderator
):
    thread = thread_with_posts(posts=2, title="Education plans")
    post = thread.posts.get(post_number=2)
    actions.post_moderator_edit(
        actor=moderator,
        post=post,
        body="Tilly Marsh in our home has a new school place.",
        reason="Formatting",
    )
    item = reported_item(post=post, reason="child")
    held = held_post(body="Our placement for a boy aged 13 starts Monday.")
    writer = member_of_type(name="Rowan Pike")

    # Signed in past two-factor, which moderators must have (forum/middleware.py).
    page = signed_in(new_page, live_server, moderator)
    page.goto(f"/forum/moderation/item/{item.pk}/")
    page.get_by_text("Could identify a child or young person").first.wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Redact post 2").first.click()
    page.get_by_role("heading", name="Redact post #2 in “Education plans”").wait_for()
    assert_accessible(page)
    page.get_by_label("Text of the post (Markdown)").fill(
        "A young person in our home has a new school place."
    )
    page.get_by_label("Reason, shown to readers").fill("Could identify a child")
    page.get_by_role("button", name="Redact the post").click()
    page.get_by_text("earlier version").first.wait_for()
    assert_accessible(page)
    assert not PostRevision.objects.filter(body__icontains="Tilly").exists()
    assert "Tilly" not in page.content()

    for address in [
        f"/forum/moderation/thread/{thread.pk}/",
        f"/forum/moderation/thread/{thread.pk}/move/",
        f"/forum/moderation/thread/{thread.pk}/merge/",
        f"/forum/moderation/post/{held.pk}/",
        f"/forum/moderation/member/{writer.pk}/suspend/",
        "/forum/moderation/suspensions/",
    ]:
        page.goto(address)
        page.locator("h1").first.wait_for()
        assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_moderator_takes_down_a_reported_document_and_the_post_stays_up(
    new_page, live_server, moderator
):
    post = thread_with_posts(posts=2, title="Placement reviews").posts.get(post_number=2)
    document = PostAttachment(
        post=post,
        original_filename="Review notes.pdf",
        content_type="application/pdf",
        extension="pdf",
        size_bytes=2048,
    )
    document.file.save("review.pdf", ContentFile(b"%PDF-1.4 review notes"), save=False)
    document.save()
    item = reported_item(post=post, reason="personal_data")

    page = signed_in(new_page, live_server, moderator)
    page.goto(f"/forum/moderation/item/{item.pk}/")
    page.get_by_role("heading", name="Attached files").wait_for()
    assert_accessible(page)

    page.get_by_label("Reason for removing Review notes.pdf (optional)").fill(
        "Names a young person"
    )
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Remove file Review notes.pdf").click()
    page.get_by_text(
        "The file (PDF) is removed from post #2: it is deleted, with its name."
    ).wait_for()
    assert_accessible(page)

    assert asked and asked[0].startswith("Remove Review notes.pdf for good?")
    document.refresh_from_db()
    assert document.approval == AttachmentApproval.REMOVED
    post.refresh_from_db()
    assert post.state == PostState.VISIBLE
