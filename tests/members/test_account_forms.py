"""Signing in, creating an account and managing it speak the site's sentence case (GOV.UK
style), not allauth's Title Case, and say what to do when a field is left empty."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

TITLE_CASE = re.compile(r"\b(?:[A-Z][a-z]+[ -]){1,3}[A-Z][a-z]+\b")
# Proper names are the only Title Case a page may show.
PROPER_NAMES = {"English Residential Network", "Residential Network"}


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def _title_case_in(html: str) -> set[str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S)[1]
    text = re.sub(r"<[^>]+>", " ", _main(html) + " " + title)
    return set(TITLE_CASE.findall(text)) - PROPER_NAMES


def test_sign_in_page_speaks_sentence_case(client):
    html = client.get(reverse("account_login")).content.decode()

    assert re.search(r"<h1>\s*Sign in\s*</h1>", html)
    assert re.search(r"<button[^>]*>\s*Sign in\s*</button>", html)
    assert ">Remember me</label>" in html
    assert _title_case_in(html) == set()


def test_forgot_password_link_comes_after_the_password_field(client):
    html = _main(client.get(reverse("account_login")).content.decode())

    assert html.index('id="id_login"') < html.index('id="id_password"')
    assert html.index('id="id_password"') < html.index("Forgot your password?")


def test_forgot_password_link_comes_after_the_current_password_when_changing_it(client, registered):
    client.force_login(registered)

    html = _main(client.get(reverse("account_change_password")).content.decode())

    assert html.index('id="id_oldpassword"') < html.index("Forgot your password?")
    assert html.index("Forgot your password?") < html.index('id="id_password1"')


def test_forgot_password_link_comes_after_the_password_when_confirming_it_is_you(
    client, registered
):
    client.force_login(registered)

    html = _main(client.get(reverse("account_reauthenticate")).content.decode())

    assert html.index('id="id_password"') < html.index("Forgot your password?")


def test_a_password_help_without_a_link_still_comes_before_the_box(client):
    html = _main(client.get(reverse("account_signup")).content.decode())

    hint = html.index('id="id_password1_helptext"')
    assert hint < html.index('id="id_password1"')


def test_sign_up_page_is_called_create_an_account_like_the_header(client):
    html = client.get(reverse("account_signup")).content.decode()

    assert 'href="/accounts/signup/">Create an account</a>' in html  # the header
    assert re.search(r"<h1>\s*Create an account\s*</h1>", html)
    assert re.search(r"<button[^>]*>\s*Create an account\s*</button>", html)
    assert "Sign Up" not in html


def test_sign_in_page_offers_create_an_account_not_sign_up(client):
    main = _main(client.get(reverse("account_login")).content.decode())

    assert '<a href="/accounts/signup/">Create an account</a>' in main
    assert "sign up" not in main.lower()


def test_empty_sign_in_asks_for_email_address_and_password(client):
    html = client.post(reverse("account_login"), {}).content.decode()

    assert "There is a problem" in html
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert "This field is required." not in html


def test_badly_formed_email_says_what_a_good_one_looks_like(client):
    html = client.post(reverse("account_login"), {"login": "jo", "password": "x"}).content
    assert "Enter an email address in the correct format" in html.decode()


def test_empty_sign_up_says_what_each_field_needs(client):
    html = client.post(reverse("account_signup"), {}).content.decode()

    for message in ("Enter your name", "Enter your email address", "Enter a password"):
        assert message in html
    assert "This field is required." not in html


@pytest.mark.parametrize(
    ("url_name", "signed_in"),
    [
        ("account_login", False),
        ("account_signup", False),
        ("account_reset_password", False),
        ("contact", False),
        ("account_email", True),
        ("account_change_password", True),
    ],
)
def test_forms_have_labels_without_colons_or_placeholders(client, registered, url_name, signed_in):
    if signed_in:
        client.force_login(registered)

    main = _main(client.get(reverse(url_name)).content.decode())

    labels = re.findall(r"<label[^>]*>\s*([^<]*?)\s*</label>", main)
    assert labels
    assert not [label for label in labels if label.endswith(":")]
    assert "placeholder=" not in main


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_pages_for_visitors_speak_sentence_case(client, url_name):
    assert _title_case_in(client.get(reverse(url_name)).content.decode()) == set()


@pytest.mark.parametrize(
    "url_name",
    [
        "account_email",
        "account_change_password",
        "account_logout",
        "account_reauthenticate",
        "mfa_index",
        "mfa_list_webauthn",
        "usersessions_list",
    ],
)
def test_account_pages_speak_sentence_case(client, registered, url_name):
    client.force_login(registered)

    assert _title_case_in(client.get(reverse(url_name)).content.decode()) == set()


def test_compiled_catalog_is_up_to_date_with_its_source():
    """locale/*.po is what people edit and the .mo what Django reads: `make messages`."""
    source = (Path(settings.BASE_DIR) / "locale/en_GB/LC_MESSAGES/django.po").read_text()
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', source, re.M)

    assert len(pairs) > 50
    with translation.override("en-gb"):
        for msgid, msgstr in pairs:
            assert translation.gettext(msgid) == msgstr


def test_sign_in_names_the_address_as_the_username_for_password_managers(client):
    html = _main(client.get(reverse("account_login")).content.decode())

    assert re.search(r'<input type="email" name="login" autocomplete="username"', html)
    assert 'autocomplete="current-password"' in html


def test_a_new_password_after_a_reset_comes_with_the_accounts_address(client, registered):
    from django.core import mail

    client.post(reverse("account_reset_password"), {"email": registered.email})
    path = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)[1]

    html = _main(client.get(path, follow=True).content.decode())

    assert f'autocomplete="username" value="{registered.email}" hidden' in html
    assert 'autocomplete="new-password"' in html


def test_changing_ones_password_comes_with_the_accounts_address(client, registered):
    client.force_login(registered)

    html = _main(client.get(reverse("account_change_password")).content.decode())

    assert f'autocomplete="username" value="{registered.email}" hidden' in html


@pytest.mark.django_db
def test_a_refused_sign_in_says_plainly_what_to_check(client, registered):
    response = client.post(
        reverse("account_login"), {"login": registered.email, "password": "nope-nope-nope"}
    )

    assert response.context["form"].non_field_errors() == [
        "The email address or the password is not right. Check both and try again, or "
        "reset your password."
    ]


@pytest.mark.django_db
def test_a_wrong_current_password_is_named_as_such(client, registered):
    client.force_login(registered)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password", "password1": "x" * 12, "password2": "x" * 12},
    )

    assert "Your current password is not right" in response.content.decode()
    assert "Please type your current password" not in response.content.decode()
