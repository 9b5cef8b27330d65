"""Every newsletter URL answers each role as newsletter/access_expectations.py says."""

import pytest
from django.urls import reverse

from newsletter import access_expectations as expectations

pytestmark = pytest.mark.django_db


def expected(name: str, role: str) -> int:
    table = expectations.EXPECTED[name]
    return table.get(role, table["*"])


@pytest.mark.parametrize("role", expectations.ROLES)
def test_every_newsletter_url_answers_each_role_as_expected(client, request, role):
    person = None if role == "anonymous" else request.getfixturevalue(role)
    kwargs = expectations.url_kwargs({role: person})
    if person is not None:
        client.force_login(person)

    for name in expectations.EXPECTED:
        response = client.get(reverse(name, kwargs=kwargs.get(name, {})))

        assert response.status_code == expected(name, role), (name, role)


def test_every_newsletter_url_has_an_expectation():
    from newsletter.urls import app_name, urlpatterns

    names = {f"{app_name}:{pattern.name}" for pattern in urlpatterns}

    assert names == set(expectations.EXPECTED)
