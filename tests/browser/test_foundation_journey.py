"""A newcomer's first visit, in Chromium: sign up, verify from the outbox, sign in, edit
the profile and send the contact form. Every page is checked with axe-core."""

import pytest
from django.core import mail

from members.models import User
from network.models import ContactMessage
from tests.browser.conftest import assert_accessible, link_in_last_email, sign_in
from tests.members.factories import TopicFactory

PASSWORD = "a-calm-long-passphrase"


@pytest.mark.django_db(transaction=True)
def test_newcomer_signs_up_verifies_signs_in_edits_profile_and_contacts_us(page):
    TopicFactory(name="Leaving care and Staying Close")

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Create an account").click()
    assert_accessible(page)
    page.get_by_label("Your name").fill("Sam Newcomer")
    page.get_by_label("Email").fill("sam.newcomer@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create an account", exact=True).click()

    page.get_by_role("heading", name="Verify your email address").wait_for()
    assert_accessible(page)
    link = link_in_last_email(r"https?://\S+/accounts/confirm-email/\S+/")
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Your account").wait_for()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "sam.newcomer@example.org", PASSWORD)
    page.get_by_role("heading", name="Your account").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Edit your profile").click()
    assert_accessible(page)
    page.get_by_label("Job title").fill("Registered manager")
    page.get_by_label("Organisation").fill("Harbour Lights Homes (fictional)")
    page.get_by_label("What best describes your work?").select_option("provider")
    page.get_by_label("Region").select_option("north-west")
    page.get_by_label("Leaving care and Staying Close").check()
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile has been saved.").wait_for()
    assert_accessible(page)
    user = User.objects.get(email="sam.newcomer@example.org")
    assert user.job_title == "Registered manager"
    assert user.region == "north-west"

    page.get_by_role("link", name="Contact").click()
    assert_accessible(page)
    page.get_by_label("Subject").fill("Joining as a provider")
    page.get_by_label("Message").fill("Do you offer organisation seats for a group of homes?")
    page.get_by_text("characters left").wait_for()  # the live counter
    page.get_by_role("button", name="Send message").click()
    page.get_by_text("Your message has been sent").wait_for()
    assert_accessible(page)
    assert ContactMessage.objects.get().subject == "Joining as a provider"
    assert mail.outbox[-1].subject == "Contact form: Joining as a provider"


@pytest.mark.django_db(transaction=True)
def test_contact_form_errors_are_announced_and_keep_what_was_typed(page):
    page.goto("/contact/")
    page.get_by_label("Name").fill("Jo")
    page.get_by_label("Subject").fill("A question")
    page.get_by_role("button", name="Send message").click()

    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.get_by_label("Subject").input_value() == "A question"
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_layout_works_on_a_small_phone_screen(new_page):
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto("/")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320
    assert_accessible(page)
