"""allauth's security notices, in the site's words: what changed and what to do."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.urls import reverse

from tests.members.factories import PASSWORD


def _change_address(client, person, new_address: str) -> None:
    client.force_login(person)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": new_address})
    sent = EmailAddress.objects.get(email=new_address)
    mail.outbox.clear()
    client.post(reverse("account_confirm_email", args=[EmailConfirmationHMAC(sent).key]))


@pytest.mark.django_db
def test_the_old_address_is_not_sent_to_a_password_reset_that_would_reach_the_new_one(
    client, registered
):
    _change_address(client, registered, "someone.else@example.org")

    (notice,) = mail.outbox
    assert "/accounts/password/reset/" not in notice.body
    assert "Reply to this email at once" in notice.body


@pytest.mark.django_db
def test_a_changed_password_notice_still_says_to_reset_it(client, registered):
    client.force_login(registered)
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "placement-stability-2026",
            "password2": "placement-stability-2026",
        },
    )

    assert "/accounts/password/reset/" in mail.outbox[-1].body
