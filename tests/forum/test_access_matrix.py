"""Every forum URL against every role, as forum/access_expectations.py promises."""

import pytest
from django.urls import get_resolver, reverse

from forum import access_expectations
from forum.models import ForumPreference

pytestmark = pytest.mark.django_db


def forum_url_names() -> set[str]:
    resolver = get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "forum":
            names |= {f"forum:{p.name}" for p in pattern.url_patterns if p.name}
    return names


def test_every_forum_url_has_an_expectation():
    assert forum_url_names() == set(access_expectations.EXPECTED)


@pytest.mark.parametrize("role", access_expectations.ROLES)
def test_each_role_gets_what_the_matrix_says(request, client, role):
    people = {
        name: request.getfixturevalue(name)
        for name in access_expectations.ROLES
        if name != "anonymous"
    }
    for person in people.values():
        ForumPreference.objects.get_or_create(user=person)
    kwargs = access_expectations.url_kwargs(people)
    if role != "anonymous":
        client.force_login(people[role])
    wrong = []
    for name, expected in access_expectations.EXPECTED.items():
        status = expected.get(role, expected.get("*"))
        response = client.get(reverse(name, kwargs=kwargs.get(name, {})))
        if response.status_code != status:
            wrong.append((name, status, response.status_code))
    assert wrong == []
