"""Staff turn on two-factor authentication before the admin opens, in Chromium."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings

from tests.browser.conftest import assert_accessible, sign_in
from tests.members.factories import PASSWORD, UserFactory

_used_counters: set[int] = set()


def _current_code(secret: str) -> str:
    """The code an authenticator app shows now. A code read in the last seconds of its
    window can reach the server in the next one, and a code already used is refused, so
    wait for a fresh window in either case, as a person would."""
    period = getattr(settings, "MFA_TOTP_PERIOD", 30)
    while True:
        now = time.time()
        counter = int(now // period)
        if counter not in _used_counters and period - now % period > 5:
            break
        time.sleep(period - now % period + 0.5)
    _used_counters.add(counter)
    return format_hotp_value(hotp_value(secret, counter))


@pytest.mark.django_db(transaction=True)
def test_staff_set_up_an_authenticator_app_then_reach_the_admin(page):
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
    page.get_by_label("Authenticator code").fill(_current_code(secret))
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
    page.get_by_label("Code").fill(_current_code(secret))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto("/admin/")
    page.get_by_role("heading", name="Site administration").wait_for()
