"""Sign-up, verification, sign-in, password reset, email and password changes, two-factor
and sessions: allauth, configured for the portal."""

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY as TOTP_SECRET_SESSION_KEY
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from members.models import User
from tests import roles
from tests.members.factories import PASSWORD, UserFactory

GOOD_PASSWORD = "placement-stability-2026"


def _sign_up(client, email="newcomer@example.org", password=GOOD_PASSWORD, name="Sam Newcomer"):
    return client.post(
        reverse("account_signup"),
        {"name": name, "email": email, "password1": password, "password2": password},
    )


def _confirmation_path() -> str:
    return re.search(r"https?://[^/]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[-1].body)[1]


@pytest.mark.django_db
def test_sign_up_sends_a_verification_email_and_does_not_sign_in_yet(client):
    response = _sign_up(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="newcomer@example.org")
    assert user.name == "Sam Newcomer"
    assert not EmailAddress.objects.get(user=user).verified
    assert "/accounts/confirm-email/" in mail.outbox[-1].body
    assert client.get(reverse("members:account")).status_code == 302


@pytest.mark.django_db
def test_verification_email_speaks_in_the_networks_name_not_example_com(client):
    _sign_up(client)

    body = mail.outbox[-1].body
    assert "English Residential Network" in body
    assert "example.com" not in body


@pytest.mark.django_db
def test_verification_email_carries_no_name_typed_by_whoever_signed_up(client):
    # Anyone may sign up with anyone's address: a "name" of theirs in the email would let
    # the site carry their words (a link, an advert) to a stranger's inbox.
    _sign_up(client, email="stranger@example.org", name="Cheap loans at loans.example")

    assert mail.outbox[-1].to == ["stranger@example.org"]
    assert "loans" not in mail.outbox[-1].body
    assert "/accounts/confirm-email/" in mail.outbox[-1].body


@pytest.mark.django_db
def test_the_confirmation_page_shows_no_name_typed_by_whoever_signed_up(client):
    _sign_up(client, email="stranger@example.org", name="Cheap loans at loans.example")
    client.logout()

    page = client.get(_confirmation_path()).content.decode()

    assert "stranger@example.org" in page
    assert "loans" not in page


@pytest.mark.django_db
def test_unverified_person_cannot_sign_in_until_they_verify(client):
    _sign_up(client)
    client.logout()

    response = client.post(
        reverse("account_login"), {"login": "newcomer@example.org", "password": GOOD_PASSWORD}
    )

    assert response.url == reverse("account_email_verification_sent")
    assert client.get(reverse("members:account")).status_code == 302


@pytest.mark.django_db
def test_following_the_verification_link_verifies_and_signs_in(client):
    _sign_up(client)

    client.post(_confirmation_path())

    assert EmailAddress.objects.get(email="newcomer@example.org").verified
    assert client.get(reverse("members:account")).status_code == 200


@pytest.mark.django_db
def test_sign_up_refuses_short_and_common_passwords_and_keeps_the_email(client):
    short = _sign_up(client, password="Ab1!short")
    common = _sign_up(client, password="password1234")

    assert "at least 12 characters" in short.content.decode()
    assert "too common" in common.content.decode()
    assert 'value="newcomer@example.org"' in common.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


@pytest.mark.django_db
def test_a_long_password_without_symbols_or_digits_is_accepted(client):
    _sign_up(client, password="walking to the childrens home")

    assert User.objects.filter(email="newcomer@example.org").exists()


@pytest.mark.django_db
def test_signing_up_with_a_registered_email_reveals_nothing(client, registered):
    response = _sign_up(client, email=registered.email)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    # The owner is told by email; the page is the same as for a new address.
    assert mail.outbox[-1].to == [registered.email]
    assert User.objects.filter(email=registered.email).count() == 1


@pytest.mark.django_db
def test_signing_up_with_a_registered_email_hashes_the_password_as_a_new_account_does(
    client, registered
):
    # Time is not asserted: hashing is what made a new address answer a second later.
    with mock.patch("members.account_forms.make_password", wraps=make_password) as hashed:
        _sign_up(client, email=registered.email)

    hashed.assert_called_once_with(GOOD_PASSWORD)


@pytest.mark.django_db
def test_sign_in_is_by_email_and_password(client, registered):
    response = client.post(
        reverse("account_login"), {"login": registered.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get(reverse("members:account")).status_code == 200


@pytest.mark.django_db
def test_wrong_password_message_does_not_say_whether_the_email_exists(client, registered):
    known = client.post(
        reverse("account_login"), {"login": registered.email, "password": "nope-nope-nope"}
    )
    unknown = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "nope-nope-nope"}
    )

    def errors(response):
        return response.context["form"].non_field_errors()

    assert errors(known) == errors(unknown)


@pytest.mark.django_db
def test_password_reset_page_answers_the_same_for_unknown_addresses(client, registered):
    known = client.post(reverse("account_reset_password"), {"email": registered.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert [m.to for m in mail.outbox] == [[registered.email], ["nobody@example.org"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


@pytest.mark.django_db
def test_account_emails_sign_off_with_the_sites_address_not_a_stale_site_row(
    client, registered, settings
):
    from django.contrib.sites.models import Site

    Site.objects.filter(pk=settings.SITE_ID).update(domain="old-staging.example.org")
    settings.SITE_URL = "https://network.example.org"

    client.post(reverse("account_reset_password"), {"email": registered.email})

    body = mail.outbox[0].body
    assert body.rstrip().endswith("https://network.example.org")
    assert "old-staging.example.org" not in body


@pytest.mark.django_db
def test_forgotten_password_can_be_reset_from_the_emailed_link(client, registered):
    client.post(reverse("account_reset_password"), {"email": registered.email})
    path = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)[1]

    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "a-brand-new-long-password", "password2": "a-brand-new-long-password"},
    )

    registered.refresh_from_db()
    assert registered.check_password("a-brand-new-long-password")


def test_a_refused_new_password_after_a_reset_is_summarised(client, registered):
    client.post(reverse("account_reset_password"), {"email": registered.email})
    path = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(path, follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "short", "password2": "short"},
    )

    assert "There is a problem" in response.content.decode()


@pytest.mark.django_db
def test_sign_in_is_rate_limited(client, registered, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    for _ in range(3):
        client.post(
            reverse("account_login"), {"login": registered.email, "password": "wrong-password!"}
        )

    response = client.post(
        reverse("account_login"), {"login": registered.email, "password": PASSWORD}
    )

    # Even the right password is refused until the limit resets.
    assert "too many failed attempts to sign in" in response.content.decode()
    assert client.get(reverse("members:account")).status_code == 302


@pytest.mark.django_db
def test_sign_up_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    _sign_up(client, email="one@example.org")
    client.logout()
    _sign_up(client, email="two@example.org")
    client.logout()

    response = _sign_up(client, email="three@example.org")

    assert response.status_code == 429
    assert not User.objects.filter(email="three@example.org").exists()


@pytest.mark.django_db
def test_password_reset_is_rate_limited(client, registered, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/m/ip"}
    for _ in range(2):
        client.post(reverse("account_reset_password"), {"email": registered.email})

    response = client.post(reverse("account_reset_password"), {"email": registered.email})

    assert response.status_code == 429


@pytest.mark.django_db
def test_client_ip_is_read_from_the_proxy_header_behind_one_proxy(rf, settings):
    from allauth.account.adapter import get_adapter

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2")

    assert get_adapter().get_client_ip(request) == "203.0.113.7"


@pytest.mark.django_db
def test_a_forged_extra_forwarded_address_is_not_trusted(rf, settings):
    from allauth.account.adapter import get_adapter

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", REMOTE_ADDR="10.0.0.2")

    assert get_adapter().get_client_ip(request) == "203.0.113.7"


@pytest.mark.django_db
def test_changing_email_needs_a_recent_sign_in(client, registered):
    client.force_login(registered)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = client.post(
            reverse("account_email"), {"action_add": "", "email": "new@example.org"}
        )

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="new@example.org").exists()


def test_a_refused_new_email_address_is_summarised_and_tied_to_its_field(client, registered):
    client.force_login(registered)

    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "jo.whitfield@harbourlights"}
    )

    page = response.content.decode()
    assert "There is a problem" in page
    assert 'aria-describedby="id_email_error"' in page
    assert 'value="jo.whitfield@harbourlights"' in page


@pytest.mark.django_db
def test_changing_password_needs_the_current_password(client, registered):
    client.force_login(registered)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )

    assert response.status_code == 200
    registered.refresh_from_db()
    assert registered.check_password(PASSWORD)


@pytest.mark.django_db
def test_the_person_is_told_by_email_when_their_password_is_changed(client, registered):
    client.force_login(registered)
    mail.outbox.clear()

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )

    [message] = mail.outbox
    assert message.to == [registered.email]
    assert "Your password has been changed." in message.body
    assert "/accounts/password/reset/" in message.body  # what to do if it was not them


@pytest.mark.django_db
def test_the_old_address_is_told_when_an_account_s_address_changes(client, registered):
    old_address = registered.email
    client.force_login(registered)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": "jo.new@example.org"})
    mail.outbox.clear()
    sent = EmailAddress.objects.get(email="jo.new@example.org")
    from allauth.account.models import EmailConfirmationHMAC

    client.post(reverse("account_confirm_email", args=[EmailConfirmationHMAC(sent).key]))

    assert [m.to for m in mail.outbox] == [[old_address]]
    assert "jo.new@example.org" in mail.outbox[0].body


@pytest.mark.django_db
def test_signed_in_person_sees_their_sessions(client, registered):
    client.force_login(registered)
    client.get(reverse("home"))

    response = client.get(reverse("usersessions_list"))

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_sessions_list_names_this_device_and_each_session_s_browser_and_address(
    registered,
):
    office = Client(HTTP_USER_AGENT="Firefox on the office PC")
    phone = Client(HTTP_USER_AGENT="Safari on a phone")
    for device in (office, phone):
        device.post(reverse("account_login"), {"login": registered.email, "password": PASSWORD})

    html = phone.get(reverse("usersessions_list")).content.decode()

    assert html.count("<h2>This device</h2>") == 1
    assert html.count("<h2>Another device</h2>") == 1
    assert "Firefox on the office PC" in html
    assert "Safari on a phone" in html
    assert html.count("<dt>IP address</dt><dd>127.0.0.1</dd>") == 2


@pytest.mark.django_db
def test_the_sessions_list_names_a_known_browser_in_words_beside_its_full_string(registered):
    user_agent = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    office = Client(HTTP_USER_AGENT=user_agent)
    office.post(reverse("account_login"), {"login": registered.email, "password": PASSWORD})

    html = office.get(reverse("usersessions_list")).content.decode()

    assert "<dd>Chrome on Windows<span" in html
    assert user_agent in html


@pytest.mark.django_db
def test_signing_out_on_other_devices_keeps_this_one(client, registered):
    elsewhere = Client()
    elsewhere.post(reverse("account_login"), {"login": registered.email, "password": PASSWORD})
    client.post(reverse("account_login"), {"login": registered.email, "password": PASSWORD})
    assert "Sign out on other devices" in client.get(reverse("usersessions_list")).content.decode()

    client.post(reverse("usersessions_list"))

    assert client.get(reverse("members:account")).status_code == 200
    assert elsewhere.get(reverse("members:account")).status_code == 302


@pytest.mark.django_db
def test_two_factor_page_offers_authenticator_app_security_keys_and_recovery_codes(
    client, registered
):
    client.post(reverse("account_login"), {"login": registered.email, "password": PASSWORD})

    response = client.get(reverse("mfa_index"))

    text = response.content.decode()
    assert response.status_code == 200
    assert reverse("mfa_activate_totp") in text
    assert "Security Keys" in text or "security key" in text.lower()


@pytest.mark.django_db
def test_staff_without_two_factor_are_sent_to_set_it_up_before_the_admin(client):
    client.force_login(roles.staff_without_two_factor())

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_index")


@pytest.mark.django_db
def test_a_superuser_without_staff_status_or_two_factor_is_sent_to_set_it_up_as_staff_are(
    client,
):
    client.force_login(UserFactory(is_superuser=True))

    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain == [(reverse("mfa_index"), 302)]
    text = response.content.decode()
    assert "Staff accounts need two-factor authentication" in text
    assert "You moderate the forum" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse_lazy("forum:moderation_queue"),
        reverse_lazy("forum:moderation_suspensions"),
        reverse_lazy("members:account"),
        reverse_lazy("practice_library:index"),
        reverse_lazy("home"),
    ],
)
def test_staff_without_two_factor_reach_no_page_but_setting_it_up(client, url):
    client.force_login(roles.staff_without_two_factor())

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == reverse("mfa_index")


@pytest.mark.django_db
def test_staff_without_two_factor_see_no_organisations_engagement(client, org_admin):
    organisation = org_admin.seats.get().organisation
    client.force_login(roles.staff_without_two_factor())

    response = client.get(reverse("insight:organisation", kwargs={"slug": organisation.slug}))

    assert response.status_code == 302
    assert response.url == reverse("mfa_index")


@pytest.mark.django_db
def test_staff_without_two_factor_can_set_it_up_and_sign_out(client):
    client.force_login(roles.staff_without_two_factor())

    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).url.startswith(
        reverse("account_reauthenticate")
    )
    assert client.get(reverse("account_logout")).status_code == 200


def _set_up_an_authenticator_app(client) -> None:
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[TOTP_SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).exists(), response


@pytest.mark.django_db
def test_a_session_opened_before_two_factor_ends_when_it_is_set_up(
    django_capture_on_commit_callbacks,
):
    staff = roles.staff_without_two_factor()
    owner, other = Client(), Client()
    owner.force_login(staff)
    other.force_login(staff)  # someone else, with the password alone

    other.get(reverse("mfa_index"))
    with django_capture_on_commit_callbacks(execute=True):
        _set_up_an_authenticator_app(owner)

    assert other.get(reverse("forum:moderation_queue")).url.startswith(reverse("account_login"))
    assert owner.get(reverse("forum:moderation_queue")).status_code == 200


@pytest.mark.django_db
def test_staff_with_recovery_codes_alone_are_sent_to_set_up_two_factor(client):
    staff = roles.staff_without_two_factor()
    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x", "used_mask": 0}
    )
    client.force_login(staff)

    response = client.get(reverse("forum:moderation_queue"))

    assert response.url == reverse("mfa_index")


@pytest.mark.django_db
def test_staff_with_two_factor_reach_the_admin(client, staff):
    client.force_login(staff)

    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_the_admin_lists_someones_authenticator_without_its_secret(staff_client, registered):
    app = Authenticator.objects.create(
        user=registered, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )

    listed = staff_client.get(reverse("admin:mfa_authenticator_changelist"))
    shown = staff_client.get(reverse("admin:mfa_authenticator_change", args=[app.pk]))

    assert str(registered) in listed.content.decode()
    assert shown.status_code == 200
    assert "JBSWY3DPEHPK3PXP" not in shown.content.decode()


@pytest.mark.django_db
def test_staff_cannot_set_someones_authenticator_secret_in_the_admin(staff_client, registered):
    app = Authenticator.objects.create(
        user=registered, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )

    staff_client.post(
        reverse("admin:mfa_authenticator_change", args=[app.pk]),
        {
            "user": registered.pk,
            "type": "totp",
            "data": '{"secret": "KNOWNTOTHESTAFF"}',
            "created_at_0": "05/01/2026",
            "created_at_1": "09:00:00",
            "last_used_at_0": "05/01/2026",
            "last_used_at_1": "09:00:00",
        },
    )

    app.refresh_from_db()
    assert app.data == {"secret": "JBSWY3DPEHPK3PXP"}


@pytest.mark.django_db
def test_staff_remove_a_lost_authenticator_in_the_admin(staff_client, registered):
    app = Authenticator.objects.create(
        user=registered, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )

    staff_client.post(reverse("admin:mfa_authenticator_delete", args=[app.pk]), {"post": "yes"})

    assert not Authenticator.objects.filter(pk=app.pk).exists()


@pytest.mark.django_db
def test_admin_sign_in_goes_through_the_sites_sign_in(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_non_staff_cannot_open_the_admin(client, member):
    client.force_login(member)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == 403


@pytest.mark.django_db
def test_pages_need_sign_in_unless_marked_public(client):
    response = client.get(reverse("members:account"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_user_factory_makes_verified_people(db):
    user = UserFactory()

    assert EmailAddress.objects.get(user=user).verified


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.text, re.S)[1].strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, data",
    [
        ("account_signup", {"email": "not an address"}),
        ("account_reset_password", {"email": ""}),
        ("account_login", {"login": "", "password": ""}),
    ],
)
def test_a_refused_account_form_says_error_first_in_the_page_title(client, name, data):
    response = client.post(reverse(name), data)

    assert _title(response).startswith("Error: ")
    assert not _title(response).startswith("Error: Error:")


@pytest.mark.django_db
def test_an_account_page_without_errors_has_its_plain_title(client):
    assert not _title(client.get(reverse("account_signup"))).startswith("Error")


@pytest.mark.django_db
def test_the_pages_after_signing_up_speak_in_the_site_s_words(client):
    _sign_up(client)
    sent = client.get(reverse("account_email_verification_sent")).text
    confirm = client.get(_confirmation_path()).text

    assert "finish creating your account" in sent and "finalize" not in sent
    assert "is your email address." in confirm
    assert "for user" not in confirm


@pytest.mark.django_db
def test_signing_in_says_so_in_the_site_s_words(client):
    UserFactory(email="jo.whitfield@example.org", name="Jo Whitfield")

    response = client.post(
        reverse("account_login"),
        {"login": "jo.whitfield@example.org", "password": PASSWORD},
        follow=True,
    )

    said = [str(message) for message in response.context["messages"]]
    assert "You are signed in as Jo Whitfield." in said


# --- Staff changing a person's address in the admin -----------------------------------


def change_email_in_admin(staff_client, person, new_email):
    path = reverse("admin:members_user_change", args=[person.pk])
    form = staff_client.get(path).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "groups", "user_permissions", "topics")
    }
    data.update(
        email=new_email,
        **{
            "seats-TOTAL_FORMS": "0",
            "seats-INITIAL_FORMS": "0",
            "seats-MIN_NUM_FORMS": "0",
            "seats-MAX_NUM_FORMS": "1000",
        },
    )
    for name in ("last_login", "date_joined", "erased_at"):
        data.pop(name, None)
    return staff_client.post(path, data)


def test_an_address_changed_by_staff_stops_the_old_one_signing_in(
    staff_client, django_capture_on_commit_callbacks
):
    person = UserFactory(email="old.address@northmoor.example.org")  # verified address

    with django_capture_on_commit_callbacks(execute=True):
        response = change_email_in_admin(staff_client, person, "new.address@northmoor.example.org")

    assert response.status_code == 302
    (address,) = EmailAddress.objects.filter(user=person)
    assert (address.email, address.primary, address.verified) == (
        "new.address@northmoor.example.org",
        True,
        False,
    )
    assert not Client().login(email="old.address@northmoor.example.org", password=PASSWORD)


def test_an_address_changed_by_staff_is_confirmed_by_the_person(
    staff_client, django_capture_on_commit_callbacks
):
    person = UserFactory(email="old.address@northmoor.example.org")  # verified address

    with django_capture_on_commit_callbacks(execute=True):
        change_email_in_admin(staff_client, person, "new.address@northmoor.example.org")

    (confirmation,) = [m for m in mail.outbox if "new.address@northmoor.example.org" in m.to]
    assert "/accounts/confirm-email/" in confirmation.body


def test_an_address_staff_type_with_capitals_signs_the_person_in(
    staff_client, django_capture_on_commit_callbacks
):
    person = UserFactory(email="old.address@northmoor.example.org", name="Ruth Smith")
    with django_capture_on_commit_callbacks(execute=True):
        change_email_in_admin(staff_client, person, "Ruth.Smith@Northmoor.Example.org")
    EmailAddress.objects.filter(user=person).update(verified=True)  # the person confirmed

    response = Client().post(
        reverse("account_login"),
        {"login": "Ruth.Smith@Northmoor.Example.org", "password": PASSWORD},
        follow=True,
    )

    assert "You are signed in as Ruth Smith." in [str(m) for m in response.context["messages"]]


def test_staff_cannot_give_an_address_another_account_holds_in_other_capitals(staff_client):
    UserFactory(email="ruth.smith@northmoor.example.org")
    person = UserFactory(email="old.address@northmoor.example.org")

    response = change_email_in_admin(staff_client, person, "Ruth.Smith@northmoor.example.org")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["email"] == ["Another account already signs in with this address."]
    person.refresh_from_db()
    assert person.email == "old.address@northmoor.example.org"


def test_staff_cannot_add_an_account_for_an_address_held_in_other_capitals(staff_client):
    UserFactory(email="ruth.smith@northmoor.example.org")

    response = staff_client.post(
        reverse("admin:members_user_add"),
        {
            "email": "Ruth.Smith@Northmoor.example.org",
            "name": "Ruth Smith",
            "usable_password": "false",
            "seats-TOTAL_FORMS": "0",
            "seats-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "Another account already signs in with this address."
    ]
    assert User.objects.filter(email__iexact="ruth.smith@northmoor.example.org").count() == 1
