"""A newcomer's first hour, on a phone (390 px) and a desk (1280 px), and at 320 px: sign in
by keyboard, find a library result in the first screen, use the library's filters with
or without JavaScript, and read every page type without scrolling sideways (WCAG 1.4.10).
Every page visited is checked with axe-core."""

import pytest
from django.utils import timezone

from members.access import AccessLevel
from members.models import MemberType
from newsletter.models import Edition
from tests import roles
from tests.browser.conftest import assert_accessible, sign_in, signed_in
from tests.forum.factories import CategoryFactory, member_of_type, thread_with_posts
from tests.members.factories import PASSWORD, PlanFactory, TopicFactory, UserFactory
from tests.newsletter.factories import EditionFactory, SectionFactory
from tests.practice_library.factories import ResourceFactory, ResourceTypeFactory

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
NARROWEST = {"width": 320, "height": 800}
# Long enough to overflow a 320 px screen unless the page lets it wrap.
LONG_EMAIL = "commissioning.and.contracts.team@northmoor-borough-council.example.org"

TOPICS = [
    "Leadership and management",
    "Workforce and training",
    "Inspection and quality",
    "Commissioning and contracts",
    "Safeguarding",
    "Education",
    "Health and wellbeing",
    "Therapeutic practice",
    "Leaving care and Staying Close",
    "Participation and children's voice",
    "Data and research",
    "Policy and reviews",
]
TYPES = ["Practice guide", "Case study", "Research summary", "Policy and review"]


@pytest.fixture
def library():
    """A library with every topic and several types, so the filters are long."""
    topics = [TopicFactory(name=name) for name in TOPICS]
    types = [ResourceTypeFactory(name=name) for name in TYPES]
    return [
        ResourceFactory(
            title=f"{topic.name}: a practice guide for homes",
            resource_type=types[number % len(types)],
            topics=[topic],
            access_level=AccessLevel.PUBLIC,
            summary=f"What good practice in {topic.name.lower()} looks like in a children's home.",
        )
        for number, topic in enumerate(topics)
    ]


@pytest.fixture
def every_page_type(library):
    """One page of each type, and a member (with a long email address) to see them."""
    PlanFactory(name="Provider annual", member_type=MemberType.PROVIDER)
    reader = member_of_type(MemberType.PROVIDER, email=LONG_EMAIL, name="Jo Whitfield")
    category = CategoryFactory(name="Commissioning and contracts", description="Frameworks.")
    thread = thread_with_posts(
        category=category,
        author=reader,
        posts=3,
        title="Spot purchasing versus frameworks: what is working for you?",
    )
    edition = EditionFactory(
        status=Edition.Status.SENT,
        finished_at=timezone.now(),
        subject="Sufficiency and the framework contract",
        archive_access=Edition.ArchiveAccess.PUBLIC,
    )
    SectionFactory(edition=edition)
    return {
        "home": "/",
        "library search": "/library/?q=practice",
        "a resource": library[0].get_absolute_url(),
        "forum index": "/forum/",
        "a category": category.get_absolute_url(),
        "a thread": thread.get_absolute_url(),
        "account": "/account/",
        "membership": "/membership/",
        "newsletter archive": "/newsletter/archive/",
        "an edition": f"/newsletter/archive/{edition.pk}/",
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390px", "1280px"])
def test_sign_in_by_keyboard_tab_goes_from_email_to_password_and_enter_signs_in(new_page, viewport):
    UserFactory(email="jo@example.org")
    page = new_page(viewport)
    page.goto("/accounts/login/")
    assert_accessible(page)

    page.locator("#id_login").focus()
    page.keyboard.type("jo@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Your account").wait_for()


@pytest.mark.django_db(transaction=True)
def test_empty_sign_in_says_what_to_enter(new_page):
    page = new_page(PHONE)
    page.goto("/accounts/login/")

    page.get_by_role("button", name="Sign in", exact=True).click()

    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.get_by_text("Enter your email address").first.is_visible()
    assert page.get_by_text("Enter your password").first.is_visible()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_library_on_a_phone_shows_a_result_in_the_first_screen(new_page, library):
    page = new_page(PHONE)
    page.goto("/library/")

    first = page.locator(".library-item").first.bounding_box()
    assert first["y"] + 60 <= PHONE["height"], f"the first result starts at {first['y']} px"
    assert not page.locator(".library-filters").evaluate("details => details.open")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_library_filters_on_a_phone_open_and_apply_from_the_disclosure(new_page, library):
    page = new_page(PHONE)
    page.goto("/library/")

    page.locator(".library-filters__summary").click()
    page.get_by_label("Safeguarding").check()
    apply = page.get_by_role("button", name="Apply filters")
    assert apply.bounding_box()["y"] < PHONE["height"]  # it sticks to the screen's bottom
    apply.click()

    page.get_by_role("heading", name="1 resource").wait_for()
    assert "topic=" in page.url
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_library_on_a_desk_keeps_apply_filters_in_view_of_the_first_checkbox(new_page, library):
    page = new_page(DESK)
    page.goto("/library/")

    assert page.locator(".library-filters").evaluate("details => details.open")
    checkbox = page.locator(".library-facet input").first
    checkbox.scroll_into_view_if_needed()
    apply = page.get_by_role("button", name="Apply filters").bounding_box()
    assert apply["y"] + apply["height"] <= DESK["height"]
    assert apply["y"] - checkbox.bounding_box()["y"] < DESK["height"]
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_library_filters_work_without_javascript(browser, live_server, library):
    context = browser.new_context(
        base_url=live_server.url, viewport=DESK, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/library/")

        page.locator(".library-filters__summary").click()
        page.get_by_label("Education").check()
        page.get_by_role("button", name="Apply filters").click()

        page.get_by_role("heading", name="1 resource").wait_for()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_every_page_type_reflows_at_320_px_without_scrolling_sideways(new_page, every_page_type):
    visitor = new_page(NARROWEST)
    member = new_page(NARROWEST)
    sign_in(member, LONG_EMAIL, PASSWORD)
    visits = [(visitor, "sign-in", "/accounts/login/")]
    visits += [(member, name, url) for name, url in every_page_type.items()]

    too_wide, too_tall = [], []
    for page, name, url in visits:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROWEST["width"]:
            too_wide.append(f"{name} ({url}): {width} px")
        header = page.locator(".site-header").bounding_box()["height"]
        if header > NARROWEST["height"] / 5:
            too_tall.append(f"{name} ({url}): header {header:.0f} px")
        assert_accessible(page)
    assert not too_wide, "pages wider than 320 px:\n" + "\n".join(too_wide)
    assert not too_tall, "headers over a fifth of the screen:\n" + "\n".join(too_tall)


@pytest.mark.django_db(transaction=True)
def test_forum_tables_keep_their_headers_for_screen_readers_when_stacked(new_page, every_page_type):
    page = new_page(NARROWEST)
    sign_in(page, LONG_EMAIL, PASSWORD)
    page.goto(every_page_type["forum index"])

    table = page.get_by_role("table", name="Forum categories")
    assert table.get_by_role("columnheader", name="Threads").count() == 1
    assert table.get_by_role("rowheader").count() == 1
    assert table.get_by_role("cell").first.is_visible()


@pytest.mark.django_db(transaction=True)
def test_header_rows_do_not_wrap_for_visitors_or_staff(new_page, live_server):
    visitor = new_page()
    staff = signed_in(new_page, live_server, roles.staff())

    for viewport in ({"width": 1024, "height": 800}, DESK):
        for page in (visitor, staff):
            page.set_viewport_size(viewport)
            page.goto("/")
            lines = page.evaluate(
                """() => [...document.querySelectorAll('.site-header ul')].map(
                    list => new Set([...list.children].map(item => item.offsetTop)).size)"""
            )
            assert lines == [1, 1], f"{page.url} at {viewport['width']} px"
        heights = [p.locator(".site-header").bounding_box()["height"] for p in (visitor, staff)]
        assert abs(heights[0] - heights[1]) <= 2, f"at {viewport['width']} px"


@pytest.mark.django_db(transaction=True)
def test_skip_to_reply_moves_to_the_reply_box_of_a_thread(new_page, every_page_type):
    page = new_page(DESK)
    sign_in(page, LONG_EMAIL, PASSWORD)
    page.goto(every_page_type["a thread"])

    page.get_by_role("link", name="Skip to reply").click()
    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.closest('#reply') !== null")
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"


@pytest.mark.django_db(transaction=True)
def test_post_actions_share_one_baseline(new_page, every_page_type):
    page = new_page(DESK)
    sign_in(page, LONG_EMAIL, PASSWORD)
    page.goto(every_page_type["a thread"])

    # Where each action's text sits: the box of its first line of text, not of the element
    # (a button's padding would move its box but not its words).
    bottoms = page.locator(".forum-post__actions").first.evaluate(
        """footer => [...footer.querySelectorAll('a, button')].map(action => {
            const text = document.createRange();
            text.selectNodeContents(action.firstChild);
            return Math.round(text.getBoundingClientRect().bottom);
        })"""
    )
    assert len(bottoms) >= 3
    assert max(bottoms) - min(bottoms) <= 1, bottoms


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_type", ["a thread", "a resource"])
def test_a_page_that_starts_with_breadcrumbs_has_space_above_them(
    new_page, every_page_type, page_type
):
    page = new_page(DESK)
    sign_in(page, LONG_EMAIL, PASSWORD)
    page.goto(every_page_type[page_type])

    gap = page.evaluate(
        """() => {
            const crumbs = document.querySelector('.breadcrumbs').getBoundingClientRect();
            const above = document.querySelector('main .subnav') || document.querySelector('.site-header');
            return crumbs.top - above.getBoundingClientRect().bottom;
        }"""
    )
    assert gap >= 16


@pytest.mark.django_db(transaction=True)
def test_account_page_keeps_an_email_address_on_one_line_in_its_narrow_panel(new_page):
    UserFactory(email="commissioner@example.org", job_title="Placements commissioner")
    page = new_page(DESK)
    sign_in(page, "commissioner@example.org", PASSWORD)
    page.goto("/account/")

    lines = page.locator("dd", has_text="commissioner@example.org").evaluate(
        """dd => {
            const text = document.createRange();
            text.selectNodeContents(dd);
            return new Set([...text.getClientRects()].map(line => Math.round(line.top))).size;
        }"""
    )
    assert lines == 1
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/"])
def test_links_standing_alone_are_big_enough_to_tap(new_page, path):
    from axe_playwright_python.sync_playwright import Axe

    page = new_page(PHONE)
    page.goto(path)

    results = Axe().run(page, options={"runOnly": ["target-size"]})

    small = [node["target"] for v in results.response["violations"] for node in v["nodes"]]
    assert small == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/accounts/password/change/", "/accounts/reauthenticate/"])
def test_forgot_your_password_is_big_enough_to_tap_for_someone_signed_in(
    new_page, live_server, path
):
    page = signed_in(new_page, live_server, UserFactory(), **PHONE)
    page.goto(path)

    link = page.get_by_role("link", name="Forgot your password?").bounding_box()

    assert link["height"] >= 24


@pytest.mark.django_db(transaction=True)
def test_the_address_given_to_password_managers_is_out_of_sight(new_page, live_server):
    page = signed_in(new_page, live_server, UserFactory(), **PHONE)
    page.goto("/accounts/password/change/")

    assert page.locator('input[autocomplete="username"]').is_hidden()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_sign_out_in_the_header_shows_the_focus_as_the_header_links_do(new_page, live_server):
    page = signed_in(new_page, live_server, UserFactory(), **PHONE)
    page.goto("/")
    sign_out = page.get_by_role("button", name="Sign out")
    your_account = page.get_by_role("link", name="Your account")

    your_account.focus()
    page.keyboard.press("Tab")

    assert sign_out.evaluate("button => document.activeElement === button")
    looks = "element => getComputedStyle(element).backgroundColor"
    assert sign_out.evaluate(looks) == "rgb(255, 213, 79)"
    your_account.focus()
    assert your_account.evaluate(looks) == "rgb(255, 213, 79)"
