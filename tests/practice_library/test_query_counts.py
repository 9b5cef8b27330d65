"""The library's pages run a fixed number of SQL queries whatever the amount of data:
each page is asked for with a small and a larger library, under the same ceiling."""

import pytest
from django.urls import reverse

from members.access import AccessLevel
from practice_library.models import Bookmark, RecentRead
from tests.members.factories import TopicFactory
from tests.practice_library.factories import ResourceFactory, ResourceTypeFactory, attach

pytestmark = pytest.mark.django_db

SIZES = [3, 30]

# Ceilings, counted once and kept. They include the session, the user, the membership
# look-ups and (in tests, where each test runs in a transaction) savepoints. Search on
# SQLite counts each facet with its own query; on PostgreSQL one statement counts all.
# A signed-in reader's pages also count their unread forum notifications for the header,
# and ask whether the reader moderates (moderators set up two-factor first:
# forum/middleware.py).
INDEX_QUERIES = 8
SEARCH_QUERIES = 17
DETAIL_QUERIES = 32  # a registered reader: the free read and the recent read are written
MY_LIBRARY_QUERIES = 14


def make_library(size: int):
    """`size` resources over several types, topics and audiences, related to each other."""
    types = [ResourceTypeFactory(name=name) for name in ("Practice guide", "Case study")]
    topics = [TopicFactory(name=name) for name in ("Safeguarding", "Education", "Workforce")]
    resources = []
    for n in range(size):
        resources.append(
            ResourceFactory(
                title=f"Kinship care guide {n}",
                resource_type=types[n % 2],
                topics=topics[: 1 + n % 3],
                audiences=["provider", "commissioner"][: 1 + n % 2],
                access_level=AccessLevel.MEMBERS,
            )
        )
    first = resources[0]
    first.related.add(*resources[1:])
    for _ in range(min(size, 5)):
        attach(first)
    return resources


@pytest.mark.parametrize("size", SIZES)
def test_library_index_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, size):
    make_library(size)

    with django_assert_max_num_queries(INDEX_QUERIES):
        response = client.get(reverse("practice_library:index"))

    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_search_with_facets_runs_a_fixed_number_of_queries(
    client, member, django_assert_max_num_queries, size
):
    make_library(size)
    client.force_login(member)
    query = {"q": "kinship guide", "type": "practice-guide", "topic": "safeguarding"}

    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = client.get(reverse("practice_library:index"), query)

    assert response.status_code == 200
    assert response.context["page"].object_list


@pytest.mark.parametrize("size", SIZES)
def test_resource_page_runs_a_fixed_number_of_queries(
    client, registered, django_assert_max_num_queries, size
):
    resources = make_library(size)
    client.force_login(registered)  # the costliest reader: a free read is counted

    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(resources[0].get_absolute_url())

    assert response.status_code == 200
    assert "Related resources" in response.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_my_library_runs_a_fixed_number_of_queries(
    client, registered, django_assert_max_num_queries, size
):
    for resource in make_library(size):
        Bookmark.objects.create(user=registered, resource=resource)
        RecentRead.objects.create(user=registered, resource=resource)
    client.force_login(registered)

    with django_assert_max_num_queries(MY_LIBRARY_QUERIES):
        response = client.get(reverse("practice_library:my_library"))

    assert response.status_code == 200
    assert len(response.context["bookmarks"]) == size
