"""A form sent with an out-of-date security token (signed in or out in another tab, a
page open for days) answers in the site's layout and shows back what was written."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    """A client that checks CSRF tokens, as a browser's requests are checked."""
    return Client(enforce_csrf_checks=True)


def stale_form_post(browser: Client, path: str, data: dict, **headers):
    browser.get("/contact/")  # the page sets this browser's token cookie
    return browser.post(path, {**data, "csrfmiddlewaretoken": "x" * 64}, **headers)


def test_out_of_date_form_says_to_send_it_again_in_the_site_layout(browser):
    response = stale_form_post(browser, "/contact/", {"subject": "Fees"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Please send the form again" in html
    assert "sign in or out in another tab" in html
    assert 'class="site-header"' in html


def test_what_was_written_is_shown_back_escaped(browser):
    response = stale_form_post(
        browser,
        "/contact/",
        {"subject": "Fees", "message": "Our <b>fees</b> rose by 4% this year.", "email": "a@b.org"},
    )
    html = response.content.decode()
    assert "Our &lt;b&gt;fees&lt;/b&gt; rose by 4% this year.</textarea>" in html
    assert "Fees</textarea>" in html
    assert "a@b.org" not in html  # only what someone wrote at length or as a title


def test_a_password_is_never_shown_back(browser):
    response = stale_form_post(
        browser, "/accounts/login/", {"login": "a@b.org", "password": "correct horse"}
    )
    assert response.status_code == 403
    assert "correct horse" not in response.content.decode()


def test_without_the_cookie_it_asks_to_allow_cookies(browser):
    response = browser.post("/contact/", {"message": "Hello"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Allow cookies for this site" in html
    assert "Hello</textarea>" in html


def test_back_link_returns_to_the_form_of_this_site_only(browser):
    back = stale_form_post(browser, "/contact/", {}, HTTP_REFERER="http://testserver/contact/")
    assert 'href="http://testserver/contact/">Back to the form' in back.content.decode()
    elsewhere = stale_form_post(browser, "/contact/", {}, HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in elsewhere.content.decode()
