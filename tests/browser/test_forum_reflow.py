"""A thread on a phone (390 px) reflows: whatever members write (a long line of code, a
long address) stays inside the page, which never scrolls sideways (WCAG 1.4.10)."""

import pytest

from forum.models import Post
from network.markup import render_markdown
from tests.browser.conftest import assert_accessible, signed_in
from tests.forum.factories import member_of_type, thread_with_posts

LONG_CODE = "```\n" + "rota_handover_checklist_" * 20 + "\n```\n\nhttps://example.org/" + "a" * 150


@pytest.mark.django_db(transaction=True)
def test_a_post_with_a_long_line_of_code_does_not_widen_a_phone_s_page(new_page, live_server):
    thread = thread_with_posts(posts=1)
    Post.objects.filter(thread=thread).update(body=LONG_CODE, body_html=render_markdown(LONG_CODE))
    reader = member_of_type()
    page = signed_in(new_page, live_server, reader, width=390, height=844)

    page.goto(thread.get_absolute_url())

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


# The text spacing a reader may set (WCAG 1.4.12), on every element as their style sheet
# would. Set through the page's own style properties, which the CSP allows.
WIDER_TEXT_SPACING = """() => document.querySelectorAll("*").forEach((element) => {
    element.style.setProperty("line-height", "1.5", "important");
    element.style.setProperty("letter-spacing", "0.12em", "important");
    element.style.setProperty("word-spacing", "0.16em", "important");
})"""


@pytest.mark.django_db(transaction=True)
def test_the_reply_box_s_file_picker_keeps_a_320_px_page_inside_the_screen_with_wider_spacing(
    new_page, live_server
):
    thread = thread_with_posts(posts=1)
    reader = member_of_type()
    page = signed_in(new_page, live_server, reader, width=320, height=800)
    page.goto(thread.get_absolute_url())

    page.evaluate(WIDER_TEXT_SPACING)

    assert page.locator("input[type=file]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
