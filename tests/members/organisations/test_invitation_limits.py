"""How many invitation emails an organisation admin may send: revoking an invitation frees
its seat, so without a limit an admin could send the site's emails to any address."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import Invitation
from tests.members.factories import InvitationFactory, organisation_with_seats

pytestmark = pytest.mark.django_db

ADDRESS = "kim@northmoor.example.org"


@pytest.fixture
def council(client):
    organisation, admin = organisation_with_seats(
        seats=3, name="Northmoor Council", slug="northmoor-council"
    )
    client.force_login(admin)
    return organisation


def invite(client, organisation, email=ADDRESS):
    return client.post(
        reverse("members:invitation_create", kwargs={"slug": organisation.slug}),
        {"email": email},
    )


def revoke_all(client, organisation):
    for invitation in Invitation.objects.filter(revoked_at__isnull=True):
        client.post(
            reverse(
                "members:invitation_revoke",
                kwargs={"slug": organisation.slug, "pk": invitation.pk},
            )
        )


def test_inviting_revoking_and_inviting_one_address_again_stops_after_three_emails(
    client, council, django_capture_on_commit_callbacks
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert invite(client, council).status_code == 302
        revoke_all(client, council)
    with django_capture_on_commit_callbacks(execute=True):
        refused = invite(client, council)

    assert refused.status_code == 400
    assert "You have sent a lot of invitations in the last hour" in refused.text
    assert "Please try again in an hour." in refused.text
    assert f'value="{ADDRESS}"' in refused.text
    assert [email.to for email in mail.outbox] == [[ADDRESS]] * 3


def test_an_admin_sending_invitations_to_many_addresses_is_stopped_at_the_hourly_limit(
    client, settings, council
):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "organisation_invitation": "2/h/user,3/h/key",
    }
    invite(client, council, "ash@northmoor.example.org")
    invite(client, council, "bo@northmoor.example.org")

    refused = invite(client, council, "cy@northmoor.example.org")

    assert refused.status_code == 400
    assert "You have sent a lot of invitations in the last hour" in refused.text
    assert not Invitation.objects.filter(email="cy@northmoor.example.org").exists()


def test_sending_an_invitation_again_counts_towards_the_limit_of_its_address(
    client, settings, council, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "organisation_invitation": "60/h/user,1/h/key",
    }
    invitation = InvitationFactory(
        organisation=council, email=ADDRESS, sent_at=timezone.now() - timedelta(days=1)
    )
    url = reverse("members:invitation_resend", kwargs={"slug": council.slug, "pk": invitation.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        Invitation.objects.filter(pk=invitation.pk).update(
            sent_at=timezone.now() - timedelta(days=1)
        )
        refused = client.post(url, follow=True)

    assert "You have sent a lot of invitations in the last hour" in refused.text
    assert len(mail.outbox) == 1
