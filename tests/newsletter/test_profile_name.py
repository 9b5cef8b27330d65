"""The newsletter and digests greet a person by the name on their profile."""

import pytest
from django.urls import reverse

from newsletter.models import Subscriber
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_a_renamed_person_is_greeted_by_their_new_name(client, registered):
    SubscriberFactory(user=registered, email=registered.email, name=registered.name)
    client.force_login(registered)

    client.post(
        reverse("members:profile"),
        {
            "name": "Grace Lewis-Hart",
            "job_title": registered.job_title,
            "organisation_name": registered.organisation_name,
            "region": registered.region,
        },
    )

    assert Subscriber.objects.get(user=registered).display_name == "Grace Lewis-Hart"
