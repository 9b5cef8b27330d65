"""A member with a staff grant asks to change their member type, in Chromium: the profile
offers no type, the request form explains where the type comes from, and the account page
shows the request waiting. Every page is checked with axe-core."""

import pytest

from members.models import MemberType, MemberTypeChangeRequest
from tests.browser.conftest import assert_accessible, sign_in
from tests.members.factories import PASSWORD, GrantFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_grant_member_asks_for_another_type_and_sees_it_waiting(page):
    grant = GrantFactory(
        user=UserFactory(email="hannah.policy@example.org", name="Hannah Clarke"),
        member_type=MemberType.POLICY,
    )
    sign_in(page, grant.user.email, PASSWORD)
    page.get_by_role("heading", name="Your account").wait_for()

    page.get_by_role("link", name="Edit your profile").click()
    assert page.get_by_label("What best describes your work?").count() == 0
    page.goto("/account/")
    page.get_by_role("link", name="Ask to change your member type").click()
    page.get_by_text("Only the membership team can change it.").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Send the request").click()
    page.get_by_text("There is a problem").first.wait_for()  # nothing chosen yet
    assert_accessible(page)
    page.get_by_label("The member type you should have").select_option("commissioner")
    page.get_by_label("Why?").fill("I moved to the fictional council's commissioning team.")
    page.get_by_role("button", name="Send the request").click()

    page.get_by_text("Waiting for the membership team.").wait_for()
    assert_accessible(page)
    assert MemberTypeChangeRequest.objects.get().requested_type == MemberType.COMMISSIONER
