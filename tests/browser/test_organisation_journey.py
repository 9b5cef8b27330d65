"""An organisation admin fills the seats, in Chromium: invites a colleague (and is told
when the seats run out), the colleague accepts from the email in a second browser, the
seat appears, and the admin takes it back. Every page is checked with axe-core."""

import re

import pytest
from django.core import mail

from members.models import Seat
from tests.browser.conftest import assert_accessible, sign_in, signed_in
from tests.members.factories import (
    PASSWORD,
    InvitationFactory,
    UserFactory,
    organisation_with_seats,
)

COLLEAGUE = "kim.lowe@northmoor.example.org"


def invitation_path() -> str:
    """The path of the invitation link in the newest email (the host is SITE_URL's)."""
    match = re.search(r"/account/invitations/[^/\s]+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


@pytest.mark.django_db(transaction=True)
def test_org_admin_invites_colleague_who_accepts_then_admin_removes_them(new_page):
    organisation, admin = organisation_with_seats(
        seats=2,
        name="Northmoor Council (fictional)",
        slug="northmoor-council",
        admin=UserFactory(email="ruth@northmoor.example.org", name="Ruth Adeyemi"),
    )
    UserFactory(email=COLLEAGUE, name="Kim Lowe")

    admin_page = new_page()
    sign_in(admin_page, admin.email, PASSWORD)
    admin_page.get_by_role("link", name="Manage seats").click()
    admin_page.get_by_role("heading", name="Northmoor Council (fictional)").wait_for()
    assert_accessible(admin_page)

    admin_page.get_by_label("Colleague's email address").fill(COLLEAGUE)
    admin_page.get_by_role("button", name="Send invitation").click()
    admin_page.get_by_text(f"Invitation sent to {COLLEAGUE}").wait_for()
    assert mail.outbox[-1].to == [COLLEAGUE]
    path = invitation_path()

    # The second seat is held by the invitation: a third person is refused, clearly.
    admin_page.get_by_label("Colleague's email address").fill("lee@northmoor.example.org")
    admin_page.get_by_role("button", name="Send invitation").click()
    admin_page.get_by_role("heading", name="There is a problem").wait_for()
    admin_page.get_by_text("All 2 seats are taken or held by invitations").first.wait_for()
    assert admin_page.get_by_label("Colleague's email address").input_value() == (
        "lee@northmoor.example.org"
    )
    assert_accessible(admin_page)

    colleague_page = new_page()
    colleague_page.goto(path)
    colleague_page.get_by_role("heading", name="Join Northmoor Council (fictional)").wait_for()
    assert_accessible(colleague_page)
    colleague_page.locator("main").get_by_role("link", name="Sign in").click()
    colleague_page.locator("#id_login").fill(COLLEAGUE)
    colleague_page.locator("#id_password").fill(PASSWORD)
    colleague_page.get_by_role("button", name="Sign in", exact=True).click()
    colleague_page.get_by_role("button", name="Accept and take a seat").click()
    colleague_page.get_by_text("you now hold a seat").wait_for()
    colleague_page.get_by_text("You are a member").wait_for()
    assert_accessible(colleague_page)

    admin_page.goto(f"/account/organisation/{organisation.slug}/")
    admin_page.get_by_role("cell", name="Kim Lowe").wait_for()
    admin_page.get_by_text("2 of 2").wait_for()
    remove = admin_page.get_by_role("button", name=re.compile(f"^Remove.*{re.escape(COLLEAGUE)}"))
    # The browser asks first; turning it down removes no one.
    admin_page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    admin_page.wait_for_timeout(300)
    assert Seat.objects.filter(user__email=COLLEAGUE).exists()
    asked = []
    admin_page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    remove.click()
    admin_page.get_by_text("Kim Lowe no longer holds a seat").wait_for()
    assert asked and COLLEAGUE in asked[0]
    assert_accessible(admin_page)
    assert not Seat.objects.filter(user__email=COLLEAGUE).exists()

    colleague_page.goto("/account/")
    colleague_page.get_by_text("Your seat at Northmoor Council (fictional) ended on").wait_for()


@pytest.mark.django_db(transaction=True)
def test_an_invitation_s_send_again_and_revoke_stay_on_a_320_px_screen(new_page, live_server):
    organisation, admin = organisation_with_seats(seats=5, name="Northmoor Council (fictional)")
    InvitationFactory(organisation=organisation, invited_by=admin, email=COLLEAGUE)
    page = signed_in(new_page, live_server, admin, width=320, height=800)

    page.goto(f"/account/organisation/{organisation.slug}/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    revoke = page.get_by_role("button", name=re.compile(f"^Revoke.*{re.escape(COLLEAGUE)}"))
    revoke = revoke.bounding_box()
    assert revoke["x"] + revoke["width"] <= 320
    assert_accessible(page)
