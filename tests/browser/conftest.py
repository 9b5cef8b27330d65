"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Chromium comes from the system package (never `playwright install`). Where it is absent
the tests are skipped with that reason; CI installs it, so there they always run.
"""

import os
import re
import shutil
import time

import pytest
from django.core import mail
from django.db import connections

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Playwright's sync API runs an event loop in this thread; the ORM calls that the tests
# make between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                item.add_marker(
                    pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
                )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # Playwright's sync API switches greenlets, each with its own context, so the ORM
        # calls made while it runs open a connection of their own (Django keeps one per
        # context). Close it here, in that context, or dropping the test database at the
        # end of the session finds it still connected.
        connections.close_all()


@pytest.fixture
def new_page(browser, live_server):
    """Make pages in fresh browser contexts (separate cookies), all closed at the end."""
    contexts = []

    def make(viewport: dict | None = None):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    # A click that follows a link returns before the next page has loaded; axe run
    # in between finds no document ("reading 'documentElement'") or loses its
    # context. Wait for the page, and try again if it was still being replaced.
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page)
            break
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(250)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(bad)


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def next_totp_code(clock, secret: str) -> str:
    """The code an authenticator app shows at the start of the next window.

    A code already used is refused, and one read at the end of its window can reach the
    server in the next; a person waits for a fresh code. The clock (time_machine's, for
    the test and the live server, one process) moves on to the next window instead of
    waiting for it.
    """
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from django.conf import settings

    period = getattr(settings, "MFA_TOTP_PERIOD", 30)
    counter = int(time.time() // period) + 1
    clock.move_to(counter * period + 1)
    return format_hotp_value(hotp_value(secret, counter))


def link_in_last_email(pattern: str) -> str:
    """The first link in the newest email in the outbox that matches `pattern`."""
    assert mail.outbox, "no email was sent"
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, f"no link matching {pattern!r} in: {mail.outbox[-1].body}"
    return match.group(0)


def signed_in(new_page, live_server, user, **viewport):
    """A page whose browser holds a session of `user` (tests/roles.py session_cookie)."""
    from django.conf import settings

    from tests.roles import session_cookie

    page = new_page(viewport or None)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_cookie(user),
                "url": live_server.url,
            }
        ]
    )
    return page


def watch_csp(page) -> list[str]:
    """The Content-Security-Policy violations the page reports from now on."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found
