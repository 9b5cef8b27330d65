"""Page numbers: whatever `?page=` holds, every paginated page answers with a page.

Run against PostgreSQL too, where a huge OFFSET is an integer overflow in SQL.
"""

import pytest
from django.urls import reverse

from network.pagination import MAX_PAGE_NUMBER, page_number
from tests.forum.factories import PostFactory, ThreadFactory
from tests.practice_library.factories import ResourceFactory

HUGE = "100000000000000000000"
HOSTILE = [HUGE, "9" * 5000, "-3", "0", "1e9", "two", "", "1.5", "NaN", "١٢"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        (" 4 ", 4),
        ("007", 7),
        ("0", 1),
        ("-2", 1),
        ("two", 1),
        ("1e9", 1),
        ("١٢", 1),
        (HUGE, MAX_PAGE_NUMBER),
        ("9" * 5000, MAX_PAGE_NUMBER),
    ],
)
def test_a_page_parameter_becomes_a_page_number_from_one_to_the_maximum(value, expected):
    assert page_number(value) == expected


def test_a_page_past_the_last_is_the_last_page():
    assert page_number("12", last=5) == 5
    assert page_number(HUGE, last=5) == 5
    assert page_number("2", last=0) == 1


@pytest.fixture
def forum_thread(db):
    post = PostFactory(
        thread=ThreadFactory(title="Care planning after a placement move"),
        body="How do you plan care when a child moves between homes?",
    )
    return post.thread


@pytest.mark.django_db
@pytest.mark.parametrize("page", HOSTILE)
def test_every_paginated_page_answers_a_hostile_page_number_with_a_page(
    client, forum_thread, page, moderator
):
    ResourceFactory(title="Care planning in practice")
    client.force_login(moderator)
    pages = {
        reverse("practice_library:index"): {"q": "care"},
        reverse("practice_library:index") + "?": {},
        reverse("forum:search"): {"q": "care"},
        reverse("forum:category", args=[forum_thread.category.slug]): {},
        forum_thread.get_absolute_url(): {},
        reverse("forum:moderation_queue"): {},
    }

    for url, query in pages.items():
        response = client.get(url, {**query, "page": page})

        assert response.status_code in (200, 302), f"{url}?page={page}"
        if response.status_code == 302:
            # The thread sends a page past its end to its last page.
            assert response["Location"].endswith("?page=1")
