from tests.browser.conftest import assert_accessible


def test_home_page_renders_and_is_accessible(page, db):
    page.goto("/")
    assert "English Residential Network" in page.title()
    assert_accessible(page)
