"""Forum search on PostgreSQL: title matches first (best-ranked), then threads holding a
matching post by latest activity, pages running on from one list into the other, and
each thread's snippet from one of its matching posts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from forum import search
from forum.models import Post, PostState
from forum.services import publishing
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ranked search is PostgreSQL's"
)


def _thread(room, title: str, body: str, *, hours_ago: int, posts: int = 1):
    thread = thread_with_posts(posts=posts, category=room, title=title)
    for post in thread.posts.all():
        post.body = body
        post.save(update_fields=["body"])
        publishing.post_search_index(post)
    active = timezone.now() - timedelta(hours=hours_ago)
    type(thread).objects.filter(pk=thread.pk).update(last_post_at=active)
    return thread


@pytest.fixture
def five_threads(room):
    """Two titles that match "debrief" and three threads matched by a post only."""
    return {
        "title, older": _thread(room, "Debrief after incidents", "Notes.", hours_ago=30),
        "title, newer": _thread(room, "Debrief templates", "Forms.", hours_ago=20),
        "post, newest": _thread(room, "Night shifts", "We debrief at six.", hours_ago=1),
        "post, middle": _thread(room, "Agency staff", "A short debrief helps.", hours_ago=5),
        "post, oldest": _thread(room, "Handovers", "Debrief first, then rota.", hours_ago=40),
    }


def _titles(results) -> list[str]:
    return [result.thread.title for result in results]


def test_title_matches_come_first_then_threads_by_latest_activity(member, five_threads):
    results, has_next = search.search(member, "debrief")

    assert _titles(results[:2]) == sorted(
        ["Debrief after incidents", "Debrief templates"],
        key=lambda title: title != "Debrief templates",  # equal rank: newer activity first
    )
    assert _titles(results[2:]) == ["Night shifts", "Agency staff", "Handovers"]
    assert has_next is False


def test_pages_run_on_from_title_matches_into_post_matches(member, five_threads, monkeypatch):
    monkeypatch.setattr(search, "RESULTS_PER_PAGE", 2)

    pages = [search.search(member, "debrief", page=number) for number in (1, 2, 3)]

    assert [_titles(results) for results, _ in pages] == [
        ["Debrief templates", "Debrief after incidents"],
        ["Night shifts", "Agency staff"],
        ["Handovers"],
    ]
    assert [has_next for _, has_next in pages] == [True, True, False]


def test_a_page_can_hold_the_last_title_match_and_the_first_post_match(
    member, five_threads, monkeypatch
):
    monkeypatch.setattr(search, "RESULTS_PER_PAGE", 3)

    results, has_next = search.search(member, "debrief")

    assert _titles(results) == ["Debrief templates", "Debrief after incidents", "Night shifts"]
    assert has_next is True


def test_a_thread_matched_by_title_and_post_is_listed_once(member, room):
    _thread(room, "Debrief templates", "Our debrief form.", hours_ago=2)

    results, _ = search.search(member, "debrief")

    assert _titles(results) == ["Debrief templates"]


def test_the_snippet_comes_from_a_matching_visible_post_of_the_thread(member, room):
    thread = thread_with_posts(posts=3, category=room, title="Rotas")
    first, second, third = thread.posts.order_by("post_number")
    for post, body in [
        (first, "Nothing to see here."),
        (second, "The debrief we wrote is held back."),
        (third, "A debrief after every restraint, written together."),
    ]:
        post.body = body
        post.save(update_fields=["body"])
        publishing.post_search_index(post)
    Post.objects.filter(pk=second.pk).update(state=PostState.HELD)

    (result,), _ = search.search(member, "debrief")

    assert result.post_number == 3
    assert "<mark>debrief</mark> after every restraint" in result.snippet_html


def test_the_snippet_says_where_it_cut_a_long_post(member, room):
    words = " ".join(f"word{n}" for n in range(60))
    _thread(room, "Rotas", f"{words} debrief {words}.", hours_ago=1)

    (result,), _ = search.search(member, "debrief")

    assert result.snippet_html.startswith("… ")
    assert result.snippet_html.endswith(" …")
    assert "<mark>debrief</mark>" in result.snippet_html


def test_the_snippet_of_a_whole_short_post_has_no_ellipsis(member, room):
    _thread(room, "Rotas", "A debrief after every restraint.", hours_ago=1)

    (result,), _ = search.search(member, "debrief")

    assert result.snippet_html == "A <mark>debrief</mark> after every restraint."


@pytest.mark.parametrize("posts", [1, 60])
def test_search_makes_the_same_number_of_queries_however_long_the_threads(
    member, room, django_assert_max_num_queries, posts
):
    _thread(room, "Handovers", "A debrief at every handover.", hours_ago=1, posts=posts)
    _thread(room, "Debrief notes", "A debrief.", hours_ago=2)
    search.search(member, "debrief")  # what the person may read, worked out once

    # Title matches, their threads, threads matched by posts, the best post of each,
    # the snippets.
    with django_assert_max_num_queries(5):
        results, _ = search.search(member, "debrief")

    assert _titles(results) == ["Debrief notes", "Handovers"]
