"""Every moderation URL answers each role as forum/moderation_access_expectations.py says,
and every URL pattern of forum/moderation_urls.py has an expectation."""

import pytest
from django.urls import reverse

from forum.moderation import access_expectations as expectations
from forum.moderation import urls as moderation_urls
from tests import roles
from tests.forum.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_every_moderation_url_has_an_expectation():
    names = {f"forum:{pattern.name}" for pattern in moderation_urls.urlpatterns}
    assert names == set(expectations.EXPECTED)


@pytest.mark.parametrize("role", expectations.ROLES)
def test_each_role_gets_what_the_expectations_say(role, request, client):
    people = {
        name: request.getfixturevalue(name) for name in expectations.ROLES if name != "anonymous"
    }
    kwargs = expectations.url_kwargs(people)
    if role != "anonymous":
        client.force_login(people[role])
    wrong = []
    for name, expected_by_role in expectations.EXPECTED.items():
        expected = expected_by_role.get(role, expected_by_role.get("*"))
        response = client.get(reverse(name, kwargs=kwargs.get(name)))
        if response.status_code != expected:
            wrong.append(f"{name}: {response.status_code}, expected {expected}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_a_suspended_moderator_cannot_moderate_until_the_suspension_ends(staff):
    from django.utils import timezone

    from forum import access
    from forum.models import Suspension

    moderator = roles.moderator()
    category = CategoryFactory()
    Suspension.objects.create(
        member=moderator,
        until=timezone.now() + timezone.timedelta(days=7),
        reason="Under review by the network's staff",
        created_by=staff,
    )

    assert not access.is_forum_moderator(moderator)
    assert not access.is_category_moderator(moderator, category)
    assert not access.can_suspend_from_forum(moderator)
