"""The library in Chromium: search, narrow by a facet, open a members-only resource as a
visitor, as a registered non-member (a free read, then none left) and as a member, and
download its file as a member while a non-member is refused. Pages are checked with
axe-core."""

import pytest

from members.access import AccessLevel
from tests.browser.conftest import assert_accessible, sign_in
from tests.members.factories import PASSWORD, TopicFactory
from tests.practice_library.factories import ResourceFactory, ResourceTypeFactory, attach

BODY = "Start the conversation with the young person early."


@pytest.fixture
def library(settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 1
    guide = ResourceTypeFactory(name="Practice guide")
    leaving_care = TopicFactory(name="Leaving care and Staying Close")
    education = TopicFactory(name="Education")
    gated = ResourceFactory(
        title="Staying Close explained",
        resource_type=guide,
        topics=[leaving_care],
        access_level=AccessLevel.MEMBERS,
        summary="How Staying Close lets young people leaving a home live nearby.",
        body=f"## First steps\n\n{BODY}",
    )
    attach(gated, name="Staying Close planning checklist.pdf", title="Planning checklist")
    other = ResourceFactory(
        title="Staying Close in school holidays",
        resource_type=guide,
        topics=[education],
        access_level=AccessLevel.MEMBERS,
        summary="Keeping education going when a young person is staying close.",
        body="Members-only notes on school holidays.",
    )
    return {"gated": gated, "other": other}


@pytest.mark.django_db(transaction=True)
def test_visitor_searches_filters_by_topic_and_meets_the_members_gate(page, library):
    page.goto("/library/")
    assert_accessible(page)
    page.get_by_label("Search the library").fill("staying close")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("heading", name="2 resources for “staying close”").wait_for()

    page.get_by_label("Leaving care and Staying Close (1)").check()
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("heading", name="1 resource for “staying close”").wait_for()
    assert "topic=leaving-care-and-staying-close" in page.url  # a shareable address
    assert_accessible(page)

    page.get_by_role("link", name="Staying Close explained").click()
    page.get_by_role("heading", name="This resource is for members").wait_for()
    assert BODY not in page.content()
    assert page.get_by_role("link", name="Join the network").is_visible()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_registered_user_reads_with_a_free_read_then_is_refused_the_file(page, library, registered):
    sign_in(page, registered.email, PASSWORD)

    page.goto(library["other"].get_absolute_url())
    page.get_by_text("free reads left").wait_for()
    assert "0 free reads left" in page.content()
    assert_accessible(page)

    page.goto(library["gated"].get_absolute_url())
    page.get_by_role("heading", name="This resource is for members").wait_for()
    assert BODY not in page.content()
    assert page.get_by_role("link", name="Planning checklist").count() == 0
    assert_accessible(page)

    attachment = library["gated"].attachments.get()
    response = page.goto(f"{library['gated'].get_absolute_url()}files/{attachment.pk}/")
    assert response.status == 403
    page.get_by_role("heading", name="This file is for members").wait_for()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_member_reads_and_downloads_the_file(page, library, member):
    sign_in(page, member.email, PASSWORD)

    page.goto("/library/?q=staying+close")
    page.get_by_role("link", name="Staying Close explained").click()
    page.get_by_text(BODY).wait_for()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Planning checklist").click()
    download = download_info.value
    assert download.suggested_filename == "Staying Close planning checklist.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"


@pytest.mark.django_db(transaction=True)
def test_a_filter_reached_with_tab_is_never_hidden_behind_the_apply_bar(page):
    # Enough topics and types that the filters run past the bottom of the window, where
    # the sticky "Apply filters" bar sits over them.
    for n in range(14):
        ResourceFactory(
            title=f"Placement guide {n}",
            resource_type=ResourceTypeFactory(name=f"Type {n}"),
            topics=[TopicFactory(name=f"Topic {n}")],
        )
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("/library/?q=placement")
    page.get_by_label("Search the library").focus()

    hidden = []
    for _ in range(60):
        page.keyboard.press("Tab")
        hidden += page.evaluate(
            """() => {
                const box = document.activeElement;
                if (box.type !== 'checkbox') return [];
                const bar = document.querySelector('.library-filters__apply');
                const a = box.getBoundingClientRect(), b = bar.getBoundingClientRect();
                return a.top >= b.top && a.bottom <= b.bottom ? [box.id] : [];
            }"""
        )

    assert hidden == []


@pytest.mark.django_db(transaction=True)
def test_a_long_word_searched_for_does_not_widen_a_phone_s_page(page):
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto("/library/?q=https://www.example.org/guidance/" + "a" * 120)

    assert "No resources found" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
def test_screen_readers_are_told_where_a_highlighted_word_starts_and_ends(page, library):
    page.goto("/library/?q=nearby")
    mark = page.locator(".library-item__snippet mark").first
    mark.wait_for()

    said = mark.evaluate(
        "m => [getComputedStyle(m, '::before').content, getComputedStyle(m, '::after').content]"
    )
    hidden = mark.evaluate("m => getComputedStyle(m, '::before').clipPath")

    assert said == ['" highlight "', '" end highlight "']
    assert hidden == "inset(50%)"
    assert_accessible(page)
