"""Staff turn on two-factor authentication before the admin opens, in Chromium."""

import time

import pytest
import time_machine

from tests.browser.conftest import assert_accessible, next_totp_code, sign_in, signed_in
from tests.members.factories import PASSWORD, UserFactory
from tests.roles import staff_without_two_factor


@pytest.mark.django_db(transaction=True)
def test_staff_set_up_an_authenticator_app_then_reach_the_admin(page):
    with time_machine.travel(time.time(), tick=True) as clock:
        _set_up_and_sign_in_again(page, clock)


def _set_up_and_sign_in_again(page, clock):
    UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)

    sign_in(page, "staff@example.org", PASSWORD)
    page.goto("/admin/")
    page.get_by_text("Staff accounts need two-factor authentication").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Activate").first.click()
    # Turning on two-factor asks for the password again first.
    page.get_by_role("heading", name="Confirm it is you").wait_for()
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(next_totp_code(clock, secret))
    page.get_by_role("button", name="Activate").click()
    page.get_by_role("heading", name="Recovery codes").first.wait_for()

    page.goto("/admin/")
    page.get_by_role("heading", name="Site administration").wait_for()
    assert_accessible(page)

    # Next time, the password alone is not enough.
    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "staff@example.org", PASSWORD)
    page.get_by_role("heading", name="Two-factor authentication").wait_for()
    assert_accessible(page)
    page.get_by_label("Code").fill(next_totp_code(clock, secret))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto("/admin/")
    page.get_by_role("heading", name="Site administration").wait_for()


@pytest.mark.django_db(transaction=True)
def test_the_authenticator_secret_can_be_reached_read_whole_and_copied_on_a_phone(
    new_page, live_server
):
    page = signed_in(new_page, live_server, staff_without_two_factor(), width=320, height=800)
    page.goto("/accounts/2fa/totp/activate/")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    secret = page.get_by_role("textbox", name="Authenticator secret")
    assert secret.is_enabled() and not secret.is_editable()
    secret.focus()
    assert secret.evaluate("box => document.activeElement === box")
    # All of it in sight, wrapped, with nothing to scroll inside the box.
    assert secret.evaluate(
        "box => box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight"
    )
    assert len(secret.input_value()) >= 16
    assert page.get_by_role("img", name="QR code for your authenticator app").count() == 1
    assert_accessible(page)
