"""What a shared cache (a company's proxy, a CDN in front of the site) may keep: pages
for visitors, which are the same for everyone, and never a page made for someone signed
in, which carries their name, their membership and what only members may read."""

import pytest
from django.urls import reverse

from members.access import AccessLevel
from newsletter import tokens
from tests.newsletter.factories import SubscriberFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_a_members_only_resource_is_marked_private_for_the_member_who_reads_it(client, member):
    resource = ResourceFactory(access_level=AccessLevel.MEMBERS)
    client.force_login(member)

    response = client.get(resource.get_absolute_url())

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_the_account_page_is_marked_private(client, registered):
    client.force_login(registered)

    response = client.get(reverse("members:account"))

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_a_download_made_for_a_signed_in_person_is_marked_private(client, org_admin):
    organisation = org_admin.seats.get().organisation
    client.force_login(org_admin)

    response = client.get(
        reverse("insight:organisation_csv", kwargs={"slug": organisation.slug, "table": "use"})
    )

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_a_page_opened_from_an_emailed_link_with_a_token_is_marked_private(client):
    subscriber = SubscriberFactory(email="sam.reader@example.org", name="Sam Reader")
    token = tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)

    response = client.get(reverse("newsletter:preferences", args=[token]))

    assert response.status_code == 200
    assert "sam.reader@example.org" in response.text
    assert "private" in response["Cache-Control"]


def test_a_visitors_page_is_not_marked_private(client):
    resource = ResourceFactory(access_level=AccessLevel.PUBLIC)

    response = client.get(resource.get_absolute_url())

    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")
