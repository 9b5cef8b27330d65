"""Admin lists over tables that grow for years count only their first rows, filter by
year without a date hierarchy, and say so (network/admin_lists.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from forum.models import Post
from network import admin_lists
from network.admin_lists import CappedCountPaginator, year_filter
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def few_count_up_to(monkeypatch):
    monkeypatch.setattr(admin_lists, "COUNT_UP_TO", 4)


def test_the_paginator_counts_every_row_up_to_its_limit(few_count_up_to):
    thread_with_posts(posts=4)
    paginator = CappedCountPaginator(Post.objects.order_by("-created_at"), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (4, False, 2)


def test_past_its_limit_the_paginator_stops_counting_and_says_so(few_count_up_to):
    thread_with_posts(posts=7)
    paginator = CappedCountPaginator(Post.objects.order_by("-created_at"), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (4, True, 2)


def test_the_paginator_counts_in_one_bounded_query(few_count_up_to, django_assert_num_queries):
    thread_with_posts(posts=7)
    paginator = CappedCountPaginator(Post.objects.order_by("-created_at"), 2)
    with django_assert_num_queries(1) as captured:
        assert paginator.count == 4
    assert "LIMIT 5" in captured.captured_queries[0]["sql"]
    assert "ORDER BY" not in captured.captured_queries[0]["sql"]


def _year_filter(params: dict):
    filter_class = year_filter("created_at", "year written")
    request = RequestFactory().get("/", params)
    # The admin passes each parameter as the list of its values.
    values = {name: [value] for name, value in params.items()}
    return filter_class(request, values, Post, admin.site._registry[Post])


def _posts_in_years(*years: int) -> None:
    thread = thread_with_posts(posts=len(years))
    for post, year in zip(thread.posts.order_by("post_number"), years, strict=True):
        post.created_at = datetime(year, 6, 1, 12, tzinfo=UTC)
        post.save(update_fields=["created_at"])


def test_the_year_filter_offers_every_year_from_the_newest_to_the_oldest():
    _posts_in_years(2019, 2022)
    years = [value for value, _ in _year_filter({}).lookup_choices]
    assert years == ["2022", "2021", "2020", "2019"]


def test_the_year_filter_keeps_the_rows_of_the_chosen_year():
    _posts_in_years(2019, 2022, 2022)
    chosen = _year_filter({"created_at_year": "2022"}).queryset(None, Post.objects.all())
    assert sorted(post.created_at.year for post in chosen) == [2022, 2022]


@pytest.mark.parametrize("value", ["abc", "0000", "99999", "２０２２", "2022 "])
def test_a_year_that_is_not_one_lists_nothing_rather_than_failing(value):
    _posts_in_years(2022)
    chosen = _year_filter({"created_at_year": value}).queryset(None, Post.objects.all())
    assert list(chosen) == []


def test_an_empty_table_offers_no_years():
    assert _year_filter({}).lookup_choices == []


def test_a_long_list_says_there_are_more_and_offers_no_select_all(staff_client, few_count_up_to):
    thread_with_posts(posts=6)
    response = staff_client.get(reverse("admin:forum_post_changelist"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "More than 4 posts: narrow the list with a filter or a search" in page
    assert "More than 4 results" in page
    assert "Select all 4 posts" not in page
    assert '<span class="question' not in page


def test_a_short_list_is_counted_as_django_counts_it(staff_client):
    thread_with_posts(posts=3)
    page = staff_client.get(reverse("admin:forum_post_changelist")).content.decode()
    assert "3 posts" in page
    assert "More than" not in page


def test_the_year_filter_stands_in_for_the_date_hierarchy(staff_client):
    thread_with_posts(posts=1, created=timezone.now() - timedelta(days=400))
    page = staff_client.get(reverse("admin:forum_post_changelist")).content.decode()
    assert "By year written" in page
    assert 'class="toplinks"' not in page  # Django's date hierarchy


def test_a_long_list_offers_no_counts_beside_its_filters(staff_client):
    thread_with_posts(posts=1)
    page = staff_client.get(reverse("admin:forum_post_changelist"), {"_facets": "True"})
    assert "Show counts" not in page.content.decode()
    assert "Hide counts" not in page.content.decode()
