"""Take the README gallery's screenshots from the demo, so that they show the site as it is.

Start the demo first, then run this against it:

    make run                                   # or: make run PORT=8101
    .venv/bin/python scripts/screenshots.py    # --base-url http://127.0.0.1:8101

It signs in as the demo roles (README, "Demo logins") with Debian's Chromium (never
`playwright install`), saves 1280x800 PNGs into docs/ and reduces each to a palette of
256 colours, which keeps text sharp and files well under 150 KB. A login that is led to
set up two-factor first (the moderator) sets up an authenticator app for the shots and
removes it at the end, so the demo login asks for it again, as the README says.
"""

import argparse
import base64
import hashlib
import hmac
import shutil
import struct
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

DEMO_PASSWORD = "network-demo-2026"
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OUT = Path(__file__).resolve().parent.parent / "docs"


def sign_in(page: Page, email: str, password: str) -> bool:
    """Sign in; True if the login was led to set up two-factor and this set it up."""
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    # The "signed in" message shows once, on the page after signing in; use it up here.
    page.goto("/account/")
    if "/accounts/2fa/" not in page.url:
        return False
    # The demo's moderator sets up two-factor at their first visit, as moderators must.
    page.goto("/accounts/2fa/totp/activate/")
    confirm_password(page, password)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    return True


def two_factor_remove(page: Page, password: str) -> None:
    """Leave the login as the README describes it: asking for two-factor at first visit."""
    page.goto("/accounts/2fa/totp/deactivate/")
    confirm_password(page, password)
    page.get_by_role("button", name="Deactivate").click()
    page.wait_for_load_state()


def confirm_password(page: Page, password: str) -> None:
    page.wait_for_load_state()
    if "/accounts/reauthenticate/" in page.url:
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238: SHA-1, 30 s, 6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(time.time() // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def first_link(page: Page, selector: str) -> None:
    page.locator(selector).first.click()
    page.wait_for_load_state()


def library_search(page: Page) -> None:
    page.goto("/library/?q=inspection")


def a_resource(page: Page) -> None:
    page.goto("/library/")
    first_link(page, ".library-item a")


def a_thread(page: Page) -> None:
    page.goto("/forum/")
    first_link(page, ".forum-table tbody th > a")  # the first room
    first_link(page, ".forum-table tbody th > a:not(.tag)")  # its latest thread, from the top


def an_edition(page: Page) -> None:
    page.goto("/newsletter/archive/")
    first_link(page, "main a[href*='/newsletter/archive/']")


# (file name, who is signed in (None: a visitor), how to reach the page, caption)
SHOTS: list[tuple[str, str | None, Callable[[Page], None], str]] = [
    ("home.png", None, lambda page: page.goto("/"), "The home page for a visitor"),
    (
        "home-member.png",
        "provider@example.org",
        lambda page: page.goto("/"),
        "The home page for a member",
    ),
    ("library-search.png", "provider@example.org", library_search, "Searching the library"),
    ("resource.png", "provider@example.org", a_resource, "A resource in the library"),
    ("thread.png", "provider@example.org", a_thread, "A thread in the members' forum"),
    ("account.png", "provider@example.org", lambda page: page.goto("/account/"), "An account"),
    (
        "moderation-queue.png",
        "moderator@example.org",
        lambda page: page.goto("/forum/moderation/"),
        "The moderators' review queue",
    ),
    ("edition.png", "provider@example.org", an_edition, "A newsletter edition in the archive"),
]


def optimise(path: Path) -> int:
    """A 256-colour palette without dithering: the site's flat colours and text survive."""
    image = Image.open(path).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(path, optimize=True)
    return path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="the running demo")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="the demo logins' password")
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go (docs/)")
    args = parser.parse_args()

    try:
        urllib.request.urlopen(f"{args.base_url}/healthz", timeout=10)
    except (urllib.error.URLError, OSError) as error:
        print(f"No demo answers at {args.base_url} ({error}). Start it with make run.")
        return 1
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Chromium is not installed: sudo apt-get install chromium")
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        contexts = {}
        set_up = []
        for name, email, reach, caption in SHOTS:
            if email not in contexts:
                contexts[email] = browser.new_context(base_url=args.base_url, viewport=VIEWPORT)
                page = contexts[email].new_page()
                if email and sign_in(page, email, args.password):
                    set_up.append(page)
            page = contexts[email].pages[0]
            reach(page)
            path = args.out / name
            page.screenshot(path=str(path))
            size = optimise(path)
            print(f"{path}  {size // 1024} KB  {caption}: {page.url}")
        for page in set_up:
            two_factor_remove(page, args.password)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
