"""Every moderation URL answers each role as forum/moderation_access_expectations.py says,
and every URL pattern of forum/moderation_urls.py has an expectation."""

import pytest
from django.urls import reverse

from forum.moderation import access_expectations as expectations
from forum.moderation import urls as moderation_urls

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
