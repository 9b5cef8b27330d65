"""The admin in Chromium, where Django's own widgets needed help: the two-list topic
picker and the autocompletes are named for screen readers, a table that scrolls sideways
on a phone takes focus (static/js/admin-a11y.js), and links in text are underlined
(static/css/admin.css). axe finds nothing serious."""

import pytest

from tests.browser.conftest import assert_accessible, signed_in, watch_csp
from tests.forum.factories import PostFactory
from tests.members.factories import OrganisationFactory, TopicFactory
from tests.practice_library.factories import ResourceFactory
from tests.roles import staff, with_two_factor


@pytest.fixture
def resource_page(new_page, live_server):
    """The change page of a resource with a related resource chosen and no young
    person's version, as staff see it."""
    TopicFactory(name="Workforce and training")
    resource = ResourceFactory(title="Reflective supervision record")
    resource.related.add(ResourceFactory(title="Supervision in practice"))
    page = signed_in(new_page, live_server, with_two_factor(staff()))
    page.goto(f"/admin/practice_library/resource/{resource.pk}/change/")
    page.get_by_role("heading", name="Change resource").wait_for()
    return page


@pytest.mark.django_db(transaction=True)
def test_the_autocomplete_of_one_choice_is_named_by_its_label(resource_page):
    box = resource_page.get_by_role("combobox", name="Young person version:")
    assert box.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_search_boxes_of_the_autocompletes_are_named_by_their_label(resource_page):
    search = resource_page.locator(".field-related .select2-search__field")
    assert search.get_attribute("aria-labelledby") == "id_related-label"
    assert resource_page.locator("#id_related-label").inner_text() == "Related resources:"

    resource_page.get_by_role("combobox", name="Young person version:").click()
    dropdown_search = resource_page.get_by_role("searchbox", name="Young person version:")
    dropdown_search.wait_for()
    assert_accessible(resource_page)
    resource_page.keyboard.press("Escape")

    search.click()
    resource_page.locator("#select2-id_related-results").wait_for()
    assert_accessible(resource_page)


@pytest.mark.django_db(transaction=True)
def test_the_two_list_pickers_filter_boxes_are_named(resource_page):
    # The label holds only an icon, which names the box as an image (a span without a
    # role may not carry a name).
    name = "Type into this box to filter down the list of available topics."
    assert resource_page.get_by_role("img", name=name).count() == 1
    assert resource_page.get_by_role("textbox", name=name).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_resource_change_page_has_no_serious_accessibility_finding(resource_page):
    violations = watch_csp(resource_page)
    resource_page.reload()
    resource_page.get_by_role("combobox", name="Young person version:").wait_for()
    # Before axe runs: it adds a style element of its own, which the policy refuses.
    assert violations == []
    assert_accessible(resource_page)


@pytest.mark.django_db(transaction=True)
def test_a_searchable_list_with_a_help_text_and_a_threads_change_page_read_well(
    new_page, live_server
):
    # The post list's search box has a help text, which made its icon no label for
    # checkers; the thread's change page links to its moderation page inside a sentence.
    post = PostFactory()
    page = signed_in(new_page, live_server, with_two_factor(staff()))
    page.goto("/admin/forum/post/")
    page.get_by_role("textbox", name="Search").wait_for()
    assert_accessible(page)

    page.goto(f"/admin/forum/thread/{post.thread.pk}/change/")
    link = page.get_by_role("link", name="Lock, pin, move, merge or hide this thread")
    assert link.evaluate("a => getComputedStyle(a).textDecorationLine") == "underline"
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_a_sideways_table_with_nothing_to_focus_takes_focus(new_page, live_server):
    # An organisation with no invitation yet: the table of them holds only its headings.
    organisation = OrganisationFactory(name="Tynebridge Council (fictional)")
    phone = signed_in(new_page, live_server, with_two_factor(staff()), width=390, height=800)
    phone.goto(f"/admin/members/organisation/{organisation.pk}/change/")
    invitations = phone.get_by_role("region", name="Invitations")
    assert invitations.get_attribute("tabindex") == "0"
    assert_accessible(phone)

    # A long list gives a count of its results, with a link to show all of them.
    PostFactory()
    phone.goto("/admin/forum/post/")
    phone.get_by_role("link", name="Show all").wait_for()
    assert_accessible(phone)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_wide_admin_tables_scroll_in_their_box_not_the_page(new_page, live_server, width):
    from events.models import Registration
    from tests.events.factories import EventFactory
    from tests.members.factories import UserFactory
    from tests.sector_data.factories import mapped_dataset

    dataset = mapped_dataset(title="Children's homes and places by council, England")
    event = EventFactory(title="Contextual safeguarding for residential teams")
    person = UserFactory(
        name="Oluwaseun Adeyemi-Whitfield",
        organisation_name="Northmoor Borough Council Children's Residential Services",
        email="oluwaseun.adeyemi-whitfield@northmoor-borough-council.example.org",
    )
    Registration.objects.create(
        event=event, user=person, status="confirmed", place=1, name=person.name,
        organisation_name=person.organisation_name,
    )  # fmt: skip
    page = signed_in(new_page, live_server, with_two_factor(staff()), width=width, height=900)

    wide = []
    for path in [
        f"/admin/sector_data/dataset/{dataset.pk}/change/",
        f"/admin/events/event/{event.pk}/register/",
    ]:
        page.goto(path)
        if page.evaluate("document.documentElement.scrollWidth") > width:
            wide.append(path)

    assert wide == []


@pytest.mark.django_db(transaction=True)
def test_an_autocomplete_with_the_focus_shows_an_outline(resource_page):
    resource_page.locator(".field-related .select2-search__field").focus()

    box = resource_page.locator(".field-related .select2-selection")
    outline = box.evaluate("element => getComputedStyle(element).outlineStyle")
    width = box.evaluate("element => parseFloat(getComputedStyle(element).outlineWidth)")
    assert (outline, width) == ("solid", 3)


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_review_date_box_of_the_action_bar_keeps_its_own_height(
    new_page, live_server
):
    ResourceFactory(title="Reflective supervision record")
    phone = signed_in(new_page, live_server, with_two_factor(staff()), width=390, height=800)
    phone.goto("/admin/practice_library/resource/", wait_until="domcontentloaded")
    phone.get_by_role("heading", name="Select resource to change").wait_for()

    box = phone.get_by_label("Review date (for “Set review date”)").bounding_box()
    label = phone.locator("#changelist .actions label").first.bounding_box()

    assert box["height"] < 40
    assert label["height"] < 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_a_lists_filters_and_sorting_icons_are_big_enough_to_tap(new_page, live_server, width):
    from axe_playwright_python.sync_playwright import Axe

    PostFactory()
    page = signed_in(new_page, live_server, with_two_factor(staff()), width=width, height=900)
    # Sorted by two columns: each shows its "remove" and "reverse" icons side by side.
    page.goto("/admin/forum/post/?o=2.1")
    page.get_by_role("link", name="Awaiting review", exact=True).wait_for()

    results = Axe().run(page, options={"runOnly": ["target-size"]})
    # axe leaves the icons out (they sit beside the column's own link): measured here.
    icons = page.locator("#result_list thead .sortoptions a")

    small = [node["target"] for v in results.response["violations"] for node in v["nodes"]]
    assert small == []
    assert icons.count() == 4
    for box in (icons.nth(i).bounding_box() for i in range(4)):
        assert box["width"] >= 24 and box["height"] >= 24
    # Nor do the larger icons lie over the column's own link.
    for column in page.locator("#result_list thead th.sorted").all():
        link = column.locator(".text a").bounding_box()
        assert column.locator(".sortoptions").bounding_box()["x"] >= link["x"] + link["width"]


@pytest.mark.django_db(transaction=True)
def test_a_column_can_be_taken_out_of_the_sorting_from_the_keyboard(new_page, live_server):
    PostFactory()
    page = signed_in(new_page, live_server, with_two_factor(staff()), width=1280, height=900)
    page.goto("/admin/forum/post/?o=2.1")
    remove = page.locator("#result_list thead th.sorted a.sortremove").first

    # Tab from the column before it, as someone without a mouse goes.
    page.locator("#result_list thead th").first.locator("a").first.focus()
    for _ in range(6):
        page.keyboard.press("Tab")
        if remove.evaluate("link => document.activeElement === link"):
            break

    assert remove.evaluate("link => document.activeElement === link")
    page.keyboard.press("Enter")
    # Sorted by the author alone now.
    page.wait_for_url("**/admin/forum/post/?o=2")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_an_organisation_s_page_with_more_seats_than_it_shows_reads_well(
    new_page, live_server, width
):
    from members.models import SeatRemoval
    from tests.members.factories import SeatFactory, UserFactory, organisation_with_seats

    organisation, admin = organisation_with_seats(seats=20)
    for _ in range(22):
        SeatFactory(organisation=organisation)
        SeatRemoval.objects.create(organisation=organisation, user=UserFactory(), removed_by=admin)
    page = signed_in(new_page, live_server, with_two_factor(staff()), width=width, height=800)
    page.goto(f"/admin/members/organisation/{organisation.pk}/change/")

    page.get_by_role("link", name="add a seat").wait_for()
    page.get_by_role("link", name="All 22 seats taken back").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_an_error_on_a_seat_row_is_read_in_full(new_page, live_server):
    from tests.members.factories import UserFactory, organisation_with_seats

    _organisation, admin = organisation_with_seats(
        seats=3, name="Northmoor Council", admin=UserFactory(name="Ada Quinn")
    )
    page = signed_in(new_page, live_server, with_two_factor(staff()), width=390, height=800)
    page.goto(f"/admin/members/user/{admin.pk}/change/")
    page.get_by_role("checkbox", name="Is admin").uncheck()
    page.get_by_role("button", name="Save and continue editing").click()

    error = page.locator(".inline-group .errorlist.nonfield")
    error.get_by_text("Ada Quinn is the only admin of Northmoor Council").wait_for()
    seats = page.locator(".inline-group")
    for scrolled in (0, 400):  # as it opens, and with the table moved sideways
        seats.evaluate("(box, left) => { box.scrollLeft = left; }", scrolled)
        shown, box = error.bounding_box(), seats.bounding_box()
        assert box["x"] <= shown["x"] and shown["x"] + shown["width"] <= box["x"] + box["width"]


@pytest.mark.django_db(transaction=True)
def test_a_list_with_a_long_related_title_fits_its_box_on_a_wide_screen(new_page, live_server):
    # Django keeps a related row's name (a post's thread) on one line: it wraps here.
    PostFactory(
        thread__title="Keeping new residential care workers past their first six months: "
        "what has worked for your home?"
    )
    page = signed_in(new_page, live_server, with_two_factor(staff()), width=1280, height=900)
    page.goto("/admin/forum/post/")

    table, box = page.evaluate(
        "[document.querySelector('#result_list').scrollWidth,"
        " document.querySelector('#changelist .results').clientWidth]"
    )
    assert table <= box
