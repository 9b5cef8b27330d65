"""Files chosen for a new thread or a reply survive a preview and a refusal: listed as
"Attached: name (size)" with a Remove button, and attached when the post is sent, on a
phone (390 px) and a desk (1280 px)."""

import pytest
from playwright.sync_api import expect

from forum.models import PostAttachment
from members.models import MemberType
from tests.browser.conftest import assert_accessible, signed_in
from tests.forum.factories import CategoryFactory, member_of_type, thread_with_posts


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_files_chosen_for_a_thread_and_a_reply_survive_preview_and_refusal(
    new_page, live_server, settings, tmp_path, width
):
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 0
    room = CategoryFactory(name="Workforce and training", slug="workforce-and-training")
    member = member_of_type(MemberType.PROVIDER, name="Jo Whitfield", email="jo@example.org")
    checklist = tmp_path / "induction-checklist.pdf"
    checklist.write_bytes(b"%PDF-1.4 fictional induction checklist")
    rota = tmp_path / "rota.csv"
    rota.write_bytes(b"day,shift\nMonday,early\n")
    page = signed_in(new_page, live_server, member, width=width, height=844)

    page.goto(f"/forum/c/{room.slug}/new/")
    page.get_by_label("Your post").fill("Our induction checklist and rota, attached.")
    page.get_by_label("Attachments").set_input_files([checklist, rota])
    page.get_by_label("I confirm that my post does not identify a child").check()
    page.get_by_role("button", name="Start thread").click()

    # Refused for its missing title: both files are still there.
    expect(page.locator(".error-summary")).to_contain_text("Enter title")
    kept = page.locator(".kept-files li")
    expect(kept).to_have_count(2)
    expect(kept.first).to_contain_text("Attached: induction-checklist.pdf")
    assert_accessible(page)

    page.get_by_role("button", name="Remove rota.csv").click()
    expect(page.get_by_text("“rota.csv” is no longer attached.")).to_be_visible()
    expect(kept).to_have_count(1)
    assert_accessible(page)

    # Enter in the title sends the post, not the Remove button that comes first.
    page.get_by_label("Title").fill("Induction week checklist")
    page.get_by_label("Title").press("Enter")
    expect(page.get_by_role("heading", name="Induction week checklist")).to_be_visible()
    expect(page.get_by_role("link", name="induction-checklist.pdf")).to_be_visible()

    thread = thread_with_posts(posts=1, category=room, author=member)
    page.goto(thread.get_absolute_url())
    page.locator("#reply").get_by_label("Your post").fill("And the rota.")
    page.locator("#reply").get_by_label("Attachments").set_input_files(rota)
    page.locator("#reply").get_by_role("button", name="Preview").click()
    expect(page.locator(".kept-files li")).to_contain_text("Attached: rota.csv")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("link", name="rota.csv")).to_be_visible()
    assert sorted(PostAttachment.objects.values_list("original_filename", flat=True)) == [
        "induction-checklist.pdf",
        "rota.csv",
    ]
