"""Browsing and searching /library/: text search on both backends, facets with counts,
sorting, pagination with shareable query strings, and bad input that is never a 500."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.access import AccessLevel
from practice_library import services
from practice_library.models import Resource, ResourceStatus
from practice_library.search import counting, facets, postgres
from practice_library.search.params import clean_query, required_phrases
from tests.members.factories import TopicFactory
from tests.practice_library.conftest import postgres_only
from tests.practice_library.factories import ResourceFactory, ResourceTypeFactory, attach, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def searched_terms_recorded():
    """The terms of searches that found nothing, as the activity signal records them."""
    from network import activity

    heard = []

    def listen(**kwargs):
        heard.append(kwargs["term"])

    activity.activity.connect(listen)
    yield heard
    activity.activity.disconnect(listen)


def local(*args: int) -> datetime:
    """An aware datetime in the site's time zone (Europe/London)."""
    return datetime(*args, tzinfo=timezone.get_current_timezone())


URL = reverse("practice_library:index")


def titles(response) -> list[str]:
    return [resource.title for resource in response.context["page"].object_list]


def facet(response, name: str) -> dict[str, tuple[int, bool]]:
    """{value: (count, selected)} of one facet on the page."""
    for item in response.context["facets"]:
        if item.name == name:
            return {option.value: (option.count, option.selected) for option in item.options}
    raise AssertionError(f"no facet {name}")


def ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


# --- Browsing ---------------------------------------------------------------------------


def test_library_lists_live_resources_newest_first(client):
    ResourceFactory(title="Older guide", published_at=ago(30))
    ResourceFactory(title="Newer guide", published_at=ago(2))

    response = client.get(URL)

    assert response.status_code == 200
    assert titles(response) == ["Newer guide", "Older guide"]
    assert "2 resources" in response.content.decode()


def test_library_hides_drafts_reviews_archived_and_scheduled_resources(client):
    ResourceFactory(title="Live guide")
    ResourceFactory(title="Draft guide", status=ResourceStatus.DRAFT, published_at=None)
    ResourceFactory(title="Review guide", status=ResourceStatus.REVIEW, published_at=None)
    ResourceFactory(title="Archived guide", status=ResourceStatus.ARCHIVED)
    ResourceFactory(
        title="Scheduled guide", published_at=None, publish_at=timezone.now() + timedelta(days=2)
    )

    response = client.get(URL)

    assert titles(response) == ["Live guide"]


def test_library_lists_members_only_resources_with_their_badge_for_everyone(client):
    ResourceFactory(title="Members guide", access_level=AccessLevel.MEMBERS)

    response = client.get(URL)

    assert titles(response) == ["Members guide"]
    assert "badge--members" in response.content.decode()


def test_each_result_links_to_its_page_with_its_type_date_and_access(client):
    ResourceFactory(
        title="Open guide",
        slug="open-guide",
        access_level=AccessLevel.PUBLIC,
        published_at=local(2026, 3, 9, 23, 30),
    )
    ResourceFactory(title="Account guide", access_level=AccessLevel.REGISTERED)

    text = client.get(URL).content.decode()

    assert (
        f'<a href="{reverse("practice_library:detail", args=["open-guide"])}">Open guide</a>'
        in text
    )
    assert '<time datetime="2026-03-09">9 March 2026</time>' in text
    assert '<span class="badge badge--open">Open to all</span>' in text
    assert '<span class="badge badge--registered">Free with an account</span>' in text


def test_library_works_without_javascript_as_a_plain_get_form(client):
    response = client.get(URL)

    form = re.search(
        r'<form method="get" action="/library/"[^>]*role="search"', response.content.decode()
    )
    assert form is not None


# --- Text search (both backends) -------------------------------------------------------


def test_search_finds_a_word_in_the_title_summary_or_body(client):
    ResourceFactory(title="Supervision for night staff")
    ResourceFactory(summary="How to plan supervision well.")
    ResourceFactory(body="## Notes\n\nRegular supervision helps the team.")
    ResourceFactory(title="Unrelated", summary="Nothing here.", body="Nothing.")

    response = client.get(URL, {"q": "supervision"})

    assert len(titles(response)) == 3
    assert "Unrelated" not in titles(response)


def test_search_needs_every_word(client):
    ResourceFactory(title="Supervision and induction")
    ResourceFactory(title="Supervision only")

    response = client.get(URL, {"q": "supervision induction"})

    assert titles(response) == ["Supervision and induction"]


def test_search_ignores_letter_case(client):
    ResourceFactory(title="Staying Close explained")

    response = client.get(URL, {"q": "STAYING close"})

    assert titles(response) == ["Staying Close explained"]


def test_a_hyphenated_search_finds_the_words_written_apart(client):
    ResourceFactory(title="Working with your key worker", summary="Weekly sessions.")

    response = client.get(URL, {"q": "key-worker"})

    assert titles(response) == ["Working with your key worker"]
    assert 'value="key-worker"' in response.content.decode()


def test_a_hyphenated_search_still_finds_the_hyphenated_words(client):
    ResourceFactory(title="Trauma-informed care at night", summary="Waking night staff.")

    response = client.get(URL, {"q": "trauma-informed"})

    assert titles(response) == ["Trauma-informed care at night"]


def test_search_highlights_matching_words_in_the_summary_snippet(client):
    ResourceFactory(title="A guide", summary="Planning sufficiency with local data.")

    response = client.get(URL, {"q": "sufficiency"})

    assert "<mark>" in response.content.decode()
    assert re.search(r"<mark>sufficiency</mark>", response.content.decode(), re.IGNORECASE)


def test_snippet_shows_the_public_summary_never_the_members_only_body(client):
    ResourceFactory(
        title="Members guide",
        access_level=AccessLevel.MEMBERS,
        summary="A public teaser about restraint.",
        body="The secret members-only paragraph about restraint.",
    )

    response = client.get(URL, {"q": "restraint"})

    assert titles(response) == ["Members guide"]
    assert "secret members-only paragraph" not in response.content.decode()


def test_search_text_is_escaped_in_the_page(client):
    response = client.get(URL, {"q": "<script>alert(1)</script>"})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_list_without_search_text_offers_no_sort_to_carry_into_the_next_search(client):
    # Newest first is the only order without words; a select showing it would send
    # sort=newest with the words typed next, and the search would not rank them.
    ResourceFactory(title="Preparing for inspections")

    html = client.get(URL).content.decode()

    assert 'name="sort"' not in html


def test_a_search_offers_its_sort_with_best_match_chosen(client):
    ResourceFactory(title="Preparing for inspections")

    html = client.get(URL, {"q": "inspections"}).content.decode()

    assert '<option value="relevance" selected>Best match</option>' in html


# --- PostgreSQL full-text search -------------------------------------------------------


@postgres_only
def test_postgres_search_finds_other_forms_of_a_word(client):
    ResourceFactory(title="Preparing for inspections")

    response = client.get(URL, {"q": "inspection"})

    assert titles(response) == ["Preparing for inspections"]


@postgres_only
def test_postgres_search_ranks_title_above_summary_above_body(client):
    ResourceFactory(title="Body match", body="Notes on commissioning.", published_at=ago(1))
    ResourceFactory(title="Summary match", summary="About commissioning.", published_at=ago(2))
    ResourceFactory(title="Commissioning in the title", published_at=ago(3))

    response = client.get(URL, {"q": "commissioning"})

    assert titles(response) == ["Commissioning in the title", "Summary match", "Body match"]


@postgres_only
def test_postgres_search_keeps_a_quoted_phrase_together(client):
    ResourceFactory(title="Staying close to the home")
    ResourceFactory(title="Close the case and keep staying")

    response = client.get(URL, {"q": '"staying close"'})

    assert titles(response) == ["Staying close to the home"]


@postgres_only
@pytest.mark.parametrize("many", [False, True], ids=["counted", "ranked in a window"])
def test_postgres_phrase_ranks_title_then_summary_then_the_rest_where_its_words_meet(
    client, settings, monkeypatch, many
):
    settings.LIBRARY_PAGE_SIZE = 2
    if many:  # the page is read by the ranked tiers, not by the counting pass
        monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
        monkeypatch.setattr(postgres, "RANK_ALL_UP_TO", 1)
        monkeypatch.setattr(counting, "RANK_ALL_UP_TO", 1)
        monkeypatch.setattr(postgres, "RANK_WINDOW", 2)
    ResourceFactory(title="Staying close guide", published_at=ago(5))
    ResourceFactory(title="Guide", summary="On staying close to family.", published_at=ago(4))
    ResourceFactory(
        title="Close review",
        summary="Staying put, and close ties.",
        body="Staying close at last.",
        published_at=ago(1),
    )
    ResourceFactory(title="Close notes", summary="Staying apart, close by.", published_at=ago(2))

    pages = [titles(client.get(URL, {"q": '"staying close"', "page": n})) for n in (1, 2)]

    assert pages == [["Staying close guide", "Guide"], ["Close review"]]


@postgres_only
def test_postgres_search_finds_a_phrase_in_the_body_only_where_its_words_meet(client):
    ResourceFactory(title="First guide", body="Plans for staying close after eighteen.")
    ResourceFactory(title="Second guide", body="Staying put is close to the heart of it.")

    response = client.get(URL, {"q": '"staying close"'})

    assert titles(response) == ["First guide"]


@postgres_only
def test_postgres_search_keeps_a_three_word_phrase_in_order(client):
    ResourceFactory(title="Leaving care grants explained")
    ResourceFactory(title="Care grants when leaving")
    ResourceFactory(title="Leaving care and grants")

    response = client.get(URL, {"q": '"leaving care grants"'})

    assert titles(response) == ["Leaving care grants explained"]


@postgres_only
def test_postgres_search_finds_a_phrase_around_stop_words(client):
    ResourceFactory(title="The voice of the child in reviews")
    ResourceFactory(title="A child with a voice")

    response = client.get(URL, {"q": '"voice of the child"'})

    assert titles(response) == ["The voice of the child in reviews"]


@postgres_only
def test_postgres_search_leaves_out_a_phrase_after_a_minus_sign(client):
    ResourceFactory(title="Staying close in practice")
    ResourceFactory(title="Staying close to home: a case study")
    ResourceFactory(title="Close to home, staying put")

    response = client.get(URL, {"q": 'home -"staying close"'})

    assert titles(response) == ["Close to home, staying put"]


@postgres_only
def test_postgres_search_keeps_a_phrase_and_other_words_together(client):
    ResourceFactory(title="Staying close for care leavers", published_at=ago(1))
    ResourceFactory(title="Staying close", published_at=ago(2))
    ResourceFactory(title="Close ties for care leavers who are staying", published_at=ago(3))

    response = client.get(URL, {"q": '"staying close" leavers'})

    assert titles(response) == ["Staying close for care leavers"]


@postgres_only
def test_postgres_search_with_or_still_finds_either_phrase(client):
    ResourceFactory(title="Staying close")
    ResourceFactory(title="Staying put")
    ResourceFactory(title="Close and staying")

    response = client.get(URL, {"q": '"staying close" or "staying put"'})

    assert sorted(titles(response)) == ["Staying close", "Staying put"]


@postgres_only
def test_postgres_search_leaves_out_words_after_a_minus_sign(client):
    ResourceFactory(title="Restraint and de-escalation")
    ResourceFactory(title="Restraint recording")

    response = client.get(URL, {"q": "restraint -recording"})

    assert titles(response) == ["Restraint and de-escalation"]


@postgres_only
def test_postgres_search_accepts_or_between_words(client):
    ResourceFactory(title="Fostering")
    ResourceFactory(title="Adoption")
    ResourceFactory(title="Kinship")

    response = client.get(URL, {"q": "fostering or adoption"})

    assert sorted(titles(response)) == ["Adoption", "Fostering"]


@postgres_only
def test_postgres_search_finds_words_inside_attached_files(
    client, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(title="A guide with a checklist")
    with django_capture_on_commit_callbacks(execute=True):
        attach(resource, content=pdf_bytes("Notifications to the placing authority"))

    response = client.get(URL, {"q": "notifications"})

    assert titles(response) == ["A guide with a checklist"]


@postgres_only
def test_postgres_snippet_highlights_stemmed_matches(client):
    ResourceFactory(summary="Councils commission placements under frameworks.")

    response = client.get(URL, {"q": "placement"})

    assert "<mark>placements</mark>" in response.content.decode()


def snippet(response) -> str:
    return response.context["page"].object_list[0].snippet


@postgres_only
def test_postgres_snippet_says_where_it_cut_a_long_summary(client):
    words = " ".join(f"word{n}" for n in range(60))
    ResourceFactory(summary=f"{words} restraint {words}.")

    response = client.get(URL, {"q": "restraint"})

    assert snippet(response).startswith("… ")
    assert snippet(response).endswith(" …")
    assert "<mark>restraint</mark>" in snippet(response)


@postgres_only
def test_postgres_snippet_shows_a_summary_without_every_word_whole(client):
    summary = (
        "What homes should do before, during and after a child goes missing: risk "
        "assessment, working with the police and the placing council, and return home "
        "interviews."
    )
    ResourceFactory(summary=summary, body="Children missing from care.")

    response = client.get(URL, {"q": "missing care"})

    assert snippet(response).endswith("and return home interviews.")
    assert "…" not in snippet(response)


# --- Facets ------------------------------------------------------------------------------


def test_facets_count_resources_by_type_topic_audience_and_year(
    client, guide, case_study, safeguarding, education
):
    this_year = timezone.localdate().year
    ResourceFactory(
        resource_type=guide,
        topics=[safeguarding],
        audiences=["provider"],
        published_at=local(this_year - 1, 6, 1),
    )
    ResourceFactory(
        resource_type=guide,
        topics=[safeguarding, education],
        audiences=["provider", "commissioner"],
        published_at=local(this_year - 1, 7, 1),
    )
    ResourceFactory(resource_type=case_study, topics=[education], audiences=["policy"])

    response = client.get(URL)

    assert facet(response, "type") == {"practice-guide": (2, False), "case-study": (1, False)}
    assert facet(response, "topic") == {"safeguarding": (2, False), "education": (2, False)}
    assert facet(response, "audience") == {
        "provider": (2, False),
        "commissioner": (1, False),
        "policy": (1, False),
    }
    year_counts = facet(response, "year")
    assert year_counts[str(this_year - 1)] == (2, False)
    assert sum(count for count, _ in year_counts.values()) == 3


def test_each_facet_option_is_a_labelled_checkbox_with_its_count(client, guide):
    ResourceFactory.create_batch(2, resource_type=guide)

    content = client.get(URL).content.decode()

    assert re.search(
        r'<input type="checkbox" name="type" value="practice-guide" id="facet-type-practice-guide"'
        r' autocomplete="off">'
        r'\s*<label for="facet-type-practice-guide">Practice guide '
        r'<span class="library-facet__count">\(2\)</span></label>',
        content,
    )


def test_going_back_shows_the_filters_of_the_results_not_those_ticked_since(client, guide):
    """A browser going back to a page fills its controls with what was changed there
    before leaving (a box ticked, then Apply); the results are those of the page's own
    address, so its filters and sort must show that address, not the ticks."""
    ResourceFactory(resource_type=guide, title="Preparing for inspections")

    html = client.get(URL, {"q": "inspections"}).content.decode()

    assert re.search(r'<input type="checkbox" name="type"[^>]* autocomplete="off"', html)
    assert '<select id="library-sort" name="sort" autocomplete="off">' in html


def test_facet_counts_of_thousands_are_written_with_commas():
    options = [facets.FacetOption("guide", "Guide", 12_345, False)]
    exact = facets.Facet("type", "Type", options)
    assert (exact.options[0].input_id, exact.options[0].count_text) == (
        "facet-type-guide",
        "12,345",
    )

    options = [
        facets.FacetOption("guide", "Guide", 12_000, False),
        facets.FacetOption("x", "X", 0, False),
    ]
    estimated = facets.Facet("type", "Type", options, approximate=True)
    assert [o.count_text for o in estimated.options] == ["about 12,000", ""]


def test_a_facet_filter_narrows_the_results(client, guide, case_study):
    ResourceFactory(title="Guide", resource_type=guide)
    ResourceFactory(title="Case", resource_type=case_study)

    response = client.get(URL, {"type": "case-study"})

    assert titles(response) == ["Case"]
    assert facet(response, "type")["case-study"] == (1, True)


def test_facet_counts_apply_the_other_filters_but_not_their_own(
    client, guide, case_study, safeguarding, education
):
    ResourceFactory(resource_type=guide, topics=[safeguarding])
    ResourceFactory(resource_type=guide, topics=[education])
    ResourceFactory(resource_type=case_study, topics=[safeguarding])

    response = client.get(URL, {"type": "practice-guide"})

    # Type counts ignore the type filter, so ticking another type shows what it adds.
    assert facet(response, "type") == {"practice-guide": (2, True), "case-study": (1, False)}
    # Topic counts are within practice guides.
    assert facet(response, "topic") == {"safeguarding": (1, False), "education": (1, False)}


def test_two_values_of_one_facet_widen_the_results(client, guide, case_study):
    ResourceFactory(resource_type=guide)
    ResourceFactory(resource_type=case_study)
    ResourceFactory(resource_type=ResourceTypeFactory(name="Data and statistics"))

    response = client.get(URL, {"type": ["practice-guide", "case-study"]})

    assert len(titles(response)) == 2


def test_filters_of_different_facets_all_apply(client, guide, safeguarding):
    ResourceFactory(title="Both", resource_type=guide, audiences=["commissioner"])
    ResourceFactory(title="Guide only", resource_type=guide, audiences=["provider"])

    response = client.get(URL, {"type": "practice-guide", "audience": "commissioner"})

    assert titles(response) == ["Both"]


def test_year_filter_keeps_resources_published_that_year(client):
    this_year = timezone.localdate().year
    ResourceFactory(title="Last year", published_at=local(this_year - 1, 12, 31, 23))
    ResourceFactory(title="Two years ago", published_at=local(this_year - 2, 1, 1, 1))

    response = client.get(URL, {"year": str(this_year - 1)})

    assert titles(response) == ["Last year"]


def test_facets_count_only_resources_matching_the_search(client, guide, case_study):
    ResourceFactory(title="Kinship care", resource_type=guide)
    ResourceFactory(title="Kinship placements", resource_type=case_study)
    ResourceFactory(title="Fostering", resource_type=case_study)

    response = client.get(URL, {"q": "kinship"})

    assert facet(response, "type") == {"practice-guide": (1, False), "case-study": (1, False)}


def test_active_filters_are_listed_each_with_a_link_that_removes_it(client, guide, safeguarding):
    ResourceFactory(resource_type=guide, topics=[safeguarding])

    response = client.get(URL, {"q": "guide", "type": "practice-guide", "topic": "safeguarding"})

    active = dict(response.context["active_filters"])
    assert active["Type: Practice guide"] == "q=guide&topic=safeguarding"
    assert active["Topic: Safeguarding"] == "q=guide&type=practice-guide"


# --- Sorting and pagination -------------------------------------------------------------


def test_sort_by_newest_orders_search_results_by_publication_date(client):
    ResourceFactory(title="Restraint in the title, older", published_at=ago(20))
    ResourceFactory(title="Newer", summary="Mentions restraint.", published_at=ago(1))

    response = client.get(URL, {"q": "restraint", "sort": "newest"})

    assert titles(response) == ["Newer", "Restraint in the title, older"]
    assert '<option value="newest" selected>' in response.content.decode()


def test_search_is_sorted_by_best_match_unless_asked(client):
    ResourceFactory(title="Newer", summary="Mentions restraint.", published_at=ago(1))
    ResourceFactory(title="Restraint in the title, older", published_at=ago(20))

    response = client.get(URL, {"q": "restraint"})

    assert titles(response)[0] == "Restraint in the title, older"
    assert '<option value="relevance" selected>' in response.content.decode()


def test_results_are_paginated_and_next_link_keeps_the_query_string(client, settings, guide):
    settings.LIBRARY_PAGE_SIZE = 2
    for n in range(5):
        ResourceFactory(title=f"Guide {n}", resource_type=guide, published_at=ago(n + 1))

    response = client.get(URL, {"type": "practice-guide", "sort": "newest"})

    assert titles(response) == ["Guide 0", "Guide 1"]
    assert "Page 1 of 3" in response.content.decode()
    assert 'href="?type=practice-guide&amp;sort=newest&amp;page=2" rel="next"' in (
        response.content.decode()
    )
    second = client.get(URL, {"type": "practice-guide", "sort": "newest", "page": "2"})
    assert titles(second) == ["Guide 2", "Guide 3"]


def test_a_shared_url_opens_the_same_search_with_its_filters_ticked(client, guide):
    ResourceFactory(title="Kinship guide", resource_type=guide)

    response = client.get(URL + "?q=kinship&type=practice-guide&sort=newest")

    text = response.content.decode()
    assert 'value="kinship"' in text
    assert re.search(r'name="type" value="practice-guide" id="[^"]+"[^>]* checked', text)
    assert titles(response) == ["Kinship guide"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999", "9" * 50, ""])
def test_a_page_number_out_of_range_or_not_a_number_shows_a_page(client, page):
    ResourceFactory(title="Only one")

    response = client.get(URL, {"page": page})

    assert response.status_code == 200
    assert titles(response) == ["Only one"]


# --- No results and bad input --------------------------------------------------------


def test_no_results_says_so_and_suggests_removing_a_filter(client, guide, case_study):
    ResourceFactory(title="Kinship guide", resource_type=guide)

    response = client.get(URL, {"q": "kinship", "type": "case-study"})

    text = response.content.decode()
    assert titles(response) == []
    assert "No resources found" in text
    assert "Try removing a filter" in text
    assert 'href="?q=kinship">clear all filters' in text


def test_no_results_without_filters_suggests_other_words(client):
    response = client.get(URL, {"q": "zebra"})

    text = response.content.decode()
    assert "Nothing in the library matches “zebra”" in text
    assert "use fewer or more general words" in text


def test_a_search_of_only_common_words_says_they_are_too_common_to_search_on(client):
    ResourceFactory(title="The care of children and the homes they live in")

    response = client.get(URL, {"q": "the and of"})

    text = response.content.decode()
    assert titles(response) == []
    assert "“the and of” holds only words too common to search on" in text
    assert "Use more specific words" in text
    assert "Check the spelling" not in text


def test_a_search_of_only_common_words_is_not_recorded_as_missing_from_the_library(
    client, django_capture_on_commit_callbacks, searched_terms_recorded
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(URL, {"q": "the and of"})

    assert searched_terms_recorded == []


def test_common_words_beside_a_rarer_one_are_left_out_of_the_search(client):
    ResourceFactory(title="Kinship care", summary="Kinship care", body="Kinship care")

    response = client.get(URL, {"q": "the kinship"})

    assert titles(response) == ["Kinship care"]


BAD_QUERIES = [
    '"unbalanced quote',
    '""',
    "a & b | !c",
    "(care) <-> (home)",
    "care:*",
    "' OR 1=1 --",
    "-",
    "or",
    "\\",
    "%_%",
    "café naïve Zürich",
    "日本語 児童養護施設",
    "🏠❤️",
    "\x00null\x01byte",
    "care " * 2_000,
    "   ",
]


@pytest.mark.parametrize("q", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_odd_search_input_gives_a_page_never_an_error(client, q):
    ResourceFactory(title="Care planning")

    response = client.get(URL, {"q": q})

    assert response.status_code == 200


def test_a_very_long_search_is_shortened_and_the_page_says_so(client, settings):
    settings.LIBRARY_SEARCH_MAX_TERMS = 100
    ResourceFactory(title="Care planning")

    response = client.get(URL, {"q": "careplanning " * 30})

    assert response.status_code == 200
    assert "Only the first 15 words were searched." in response.content.decode()
    assert len(response.context["params"].q) <= 200


PHRASE_OF_99_WORDS = '"' + " ".join(f"care{n}" for n in range(99)) + '"'


def test_a_quoted_phrase_of_99_words_is_cut_to_the_word_limit_and_the_page_says_so(
    client, settings
):
    settings.LIBRARY_SEARCH_MAX_TERMS = 12
    ResourceFactory(title="Care planning")

    response = client.get(URL, {"q": PHRASE_OF_99_WORDS})

    searched = response.context["params"].q
    assert response.status_code == 200
    assert "Only the first 12 words were searched." in response.content.decode()
    assert searched == '"' + " ".join(f"care{n}" for n in range(12)) + '"'


def test_the_word_limit_counts_words_not_operators(settings):
    settings.LIBRARY_SEARCH_MAX_TERMS = 3

    assert clean_query("staying or close -semi") == ("staying or close -semi", 0)
    assert clean_query("staying or close -semi leaving") == ("staying or close -semi", 3)
    assert clean_query("staying close or leaving care") == ("staying close or leaving", 3)
    assert clean_query("a b c or d") == ("a b c", 3)


def test_a_search_within_the_word_limit_says_nothing_about_cutting(client):
    ResourceFactory(title="Care planning")

    response = client.get(URL, {"q": '"care planning" or staying close'})

    assert response.context["params"].words_searched == 0
    assert "words were searched" not in response.content.decode()


def test_empty_search_lists_the_whole_library(client):
    ResourceFactory(title="One")
    ResourceFactory(title="Two")

    response = client.get(URL, {"q": ""})

    assert len(titles(response)) == 2


@pytest.mark.parametrize("q", ['""', "-", "...", '" - "', "or"])
def test_a_search_without_a_word_lists_the_whole_library_as_no_search_does(client, q):
    ResourceFactory(title="One")
    ResourceFactory(title="Two")

    response = client.get(URL, {"q": q})

    assert response.context["params"].q == ""
    assert len(titles(response)) == 2
    assert "No resources found" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"type": "no-such-type"},
        {"topic": "no-such-topic"},
        {"audience": "martians"},
        {"year": "1066"},
        {"year": "next"},
        {"year": "²"},
        {"year": "9" * 5000},
        {"sort": "price"},
        {"colour": "blue"},
    ],
    ids=lambda params: next(iter(params)) + "=" + next(iter(params.values()))[:10],
)
def test_unknown_facet_values_are_ignored(client, params):
    ResourceFactory(title="Still listed")

    response = client.get(URL, params)

    assert response.status_code == 200
    assert titles(response) == ["Still listed"]
    assert response.context["active_filters"] == []


def test_a_known_topic_beside_an_unknown_one_still_filters(client, safeguarding):
    ResourceFactory(title="Safeguarding guide", topics=[safeguarding])
    ResourceFactory(title="Other", topics=[TopicFactory(name="Education")])

    response = client.get(URL, {"topic": ["nope", "safeguarding"]})

    assert titles(response) == ["Safeguarding guide"]


# --- Cached results (PostgreSQL) ----------------------------------------------------------


def test_a_new_resource_appears_in_a_search_that_was_just_cached(client):
    ResourceFactory(title="Kinship care, first")
    assert len(titles(client.get(URL, {"q": "kinship"}))) == 1

    ResourceFactory(title="Kinship care, second")

    assert len(titles(client.get(URL, {"q": "kinship"}))) == 2


def test_an_archived_resource_leaves_a_search_that_was_just_cached(client):
    from practice_library import services

    resource = ResourceFactory(title="Kinship care")
    assert len(titles(client.get(URL, {"q": "kinship"}))) == 1

    services.resources_archive(resource_ids=[resource.pk])

    assert titles(client.get(URL, {"q": "kinship"})) == []


@postgres_only
def test_a_repeated_search_is_answered_from_the_kept_results(client):
    ResourceFactory(title="Kinship care")
    client.get(URL, {"q": "kinship"})

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "kinship"})

    assert "Kinship care" in response.content.decode()
    assert not any("practice_library_" in q["sql"] for q in queries.captured_queries)


def test_a_renamed_resource_type_shows_at_once_on_a_kept_search_page(client):
    resource = ResourceFactory(title="Kinship care")
    client.get(URL, {"q": "kinship"})

    resource.resource_type.name = "Practice note"
    resource.resource_type.save()

    assert "Practice note" in client.get(URL, {"q": "kinship"}).content.decode()


def test_a_deleted_resource_leaves_a_kept_search_page_at_once(client):
    ResourceFactory(title="Kinship care")
    gone = ResourceFactory(title="Kinship networks")
    client.get(URL, {"q": "kinship"})

    gone.delete()

    page = client.get(URL, {"q": "kinship"}).content.decode()
    assert "Kinship care" in page and "Kinship networks" not in page


def test_a_kept_search_page_holds_nothing_of_the_member_who_searched_first(client, member):
    ResourceFactory(title="Kinship care")
    client.force_login(member)
    client.get(URL, {"q": "kinship"})
    client.logout()

    page = client.get(URL, {"q": "kinship"}).content.decode()

    assert "Kinship care" in page
    assert "My library" not in page and member.email not in page


def test_a_search_that_finds_nothing_is_recorded_each_time_also_when_kept(
    client, django_capture_on_commit_callbacks, searched_terms_recorded
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(URL, {"q": "Staffing Rotas"})
        client.get(URL, {"q": "Staffing Rotas"})

    assert searched_terms_recorded == ["staffing rotas", "staffing rotas"]


@postgres_only
def test_after_a_change_the_front_page_is_counted_before_the_first_visitor(
    client, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_capture_on_commit_callbacks(execute=True):
        ResourceFactory(title="New guide")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert titles(response) == ["New guide"]
    assert not any("practice_library_searchentry" in q["sql"] for q in queries.captured_queries)


@postgres_only
def test_postgres_relevance_pages_run_on_from_title_to_summary_to_body_matches(client, settings):
    settings.LIBRARY_PAGE_SIZE = 2
    ResourceFactory(title="Body match, older", body="Notes on advocacy.", published_at=ago(9))
    ResourceFactory(title="Body match, newer", body="More on advocacy.", published_at=ago(1))
    ResourceFactory(title="Summary match once", summary="About advocacy.", published_at=ago(2))
    ResourceFactory(
        title="Summary match twice", summary="Advocacy, and advocacy again.", published_at=ago(8)
    )
    ResourceFactory(title="Advocacy for children in homes", published_at=ago(7))

    pages = [titles(client.get(URL, {"q": "advocacy", "page": n})) for n in (1, 2, 3)]

    assert pages == [
        ["Advocacy for children in homes", "Summary match twice"],
        ["Summary match once", "Body match, newer"],
        ["Body match, older"],
    ]


@postgres_only
def test_postgres_search_with_very_many_hits_ranks_the_newest_then_lists_the_older_ones(
    client, settings, monkeypatch
):
    settings.LIBRARY_PAGE_SIZE = 2
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(postgres, "RANK_ALL_UP_TO", 1)
    monkeypatch.setattr(counting, "RANK_ALL_UP_TO", 1)
    monkeypatch.setattr(postgres, "RANK_WINDOW", 2)
    ResourceFactory(
        title="Advocacy guide", summary="Advocacy, and advocacy again.", published_at=ago(9)
    )
    ResourceFactory(title="Advocacy notes", published_at=ago(2))
    ResourceFactory(title="Advocacy review", summary="On advocacy.", published_at=ago(3))

    pages = [titles(client.get(URL, {"q": "advocacy", "page": n})) for n in (1, 2)]

    assert pages == [["Advocacy review", "Advocacy notes"], ["Advocacy guide"]]


@postgres_only
@pytest.mark.parametrize(
    "days", [1.5, 2.5, 3.5, 10], ids=["none above", "one above", "window above", "all above"]
)
def test_postgres_ranking_window_is_read_above_a_date_or_again_without_it(
    client, settings, monkeypatch, days
):
    settings.LIBRARY_PAGE_SIZE = 2
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(postgres, "RANK_ALL_UP_TO", 1)
    monkeypatch.setattr(counting, "RANK_ALL_UP_TO", 1)
    monkeypatch.setattr(postgres, "RANK_WINDOW", 2)
    # The window is the 2 newest title matches: a date with fewer above it is too high.
    monkeypatch.setattr(postgres, "rank_floor", lambda dates, every, window: ago(days))
    ResourceFactory(
        title="Advocacy guide", summary="Advocacy, and advocacy again.", published_at=ago(9)
    )
    ResourceFactory(title="Advocacy notes", published_at=ago(2))
    ResourceFactory(title="Advocacy review", summary="On advocacy.", published_at=ago(3))

    with CaptureQueriesContext(connection) as queries:
        pages = [titles(client.get(URL, {"q": "advocacy", "page": n})) for n in (1, 2)]

    assert pages == [["Advocacy review", "Advocacy notes"], ["Advocacy guide"]]
    assert any("published_at >= " in query["sql"] for query in queries.captured_queries)


@postgres_only
def test_postgres_search_with_very_many_matches_shows_estimated_counts(client, monkeypatch):
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facets, "FEW_IN_SAMPLE", 0)
    for n in range(40):
        ResourceFactory(title=f"Kinship care review {n}")

    response = client.get(URL, {"q": "kinship"})

    content = response.content.decode()
    assert response.context["approximate"] is True
    assert re.search(r"About [0-9,]+ resources", content)
    assert "(about " in content


@postgres_only
def test_postgres_search_counts_exactly_up_to_the_limit(client):
    for n in range(3):
        ResourceFactory(title=f"Kinship care review {n}")

    response = client.get(URL, {"q": "kinship"})

    assert response.context["approximate"] is False
    assert "3 resources" in response.content.decode()


# --- Which phrases every match must hold --------------------------------------------------


@pytest.mark.parametrize(
    ("q", "phrases"),
    [
        ('"care plan"', ["care plan"]),
        ('respite "care plan" review', ["care plan"]),
        ('"care plan" "staying close"', ["care plan", "staying close"]),
        ('"care plan', ["care plan"]),
        ('-"care plan" respite', []),
        ('"care plan" or respite', []),
        ('"care plan" OR "staying close"', []),
        ('respite-"care plan"', []),
        ('"care plan"s', []),
        ('"respite"', []),
        ("care plan", []),
    ],
)
def test_required_phrases_are_only_those_every_match_must_hold(q, phrases):
    assert required_phrases(q) == phrases


@postgres_only
def test_postgres_estimated_search_with_a_narrow_filter_still_counts_its_few_hits(
    client, monkeypatch, guide, case_study
):
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facets, "FEW_IN_SAMPLE", 1_000)
    for n in range(40):
        ResourceFactory(title=f"Kinship care review {n}", resource_type=guide)
    ResourceFactory(title="Kinship care case study", resource_type=case_study)

    response = client.get(URL, {"q": "kinship", "type": "case-study"})

    assert titles(response) == ["Kinship care case study"]
    assert response.context["total_estimated"] is False
    assert "1 resource for" in response.content.decode()


@postgres_only
def test_postgres_estimated_search_pages_newest_first(client, monkeypatch):
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facets, "FEW_IN_SAMPLE", 0)
    for n in range(40):
        ResourceFactory(title=f"Kinship care review {n}", published_at=ago(n + 1))

    response = client.get(URL, {"q": "kinship", "sort": "newest"})

    assert response.context["total_estimated"] is True
    assert titles(response)[:3] == [f"Kinship care review {n}" for n in range(3)]


@postgres_only
@pytest.mark.parametrize(
    "margin, reads_above_the_date, reads_without",
    [(-1, 1, 1), (0, 1, 0)],
    ids=["floor too high", "floor holds the page"],
)
def test_postgres_estimated_page_is_read_above_a_date_from_the_sample_or_without_it(
    client, monkeypatch, settings, margin, reads_above_the_date, reads_without
):
    settings.LIBRARY_PAGE_SIZE = 2
    monkeypatch.setattr(facets, "SAMPLE_EVERY", 2)  # the entries with even ids
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facets, "FEW_IN_SAMPLE", 0)
    monkeypatch.setattr(postgres, "FLOOR_MARGIN", margin)
    resources = sorted(
        (ResourceFactory(title=f"Kinship care review {n}") for n in range(6)),
        key=lambda resource: resource.pk,
    )
    evens = [r for r in resources if r.pk % 2 == 0]
    odds = [r for r in resources if r.pk % 2]
    # Newest first: odd, even, odd, even, odd, even. Page 2 needs the 4 newest hits.
    # The sample (even ids) dates its 1st newest hit at the 2nd newest of all: a floor
    # there holds 2 hits and falls short; its 2nd newest is the 4th of all and holds it.
    newest_first = [odds[0], evens[0], odds[1], evens[1], odds[2], evens[2]]
    for age, resource in enumerate(newest_first, start=1):
        Resource.objects.filter(pk=resource.pk).update(published_at=ago(age))
        services.resource_reindex(resource_id=resource.pk)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "kinship", "sort": "newest", "page": 2})

    assert response.context["total_estimated"] is True
    assert titles(response) == [newest_first[2].title, newest_first[3].title]
    page_reads = [q["sql"] for q in captured if "SELECT e.resource_id FROM" in q["sql"]]
    above = [sql for sql in page_reads if "e.published_at >= " in sql]
    assert len(above) == reads_above_the_date
    assert len(page_reads) - len(above) == reads_without


@postgres_only
def test_postgres_page_past_the_last_of_fewer_results_than_estimated_says_so(
    client, monkeypatch, settings
):
    settings.LIBRARY_PAGE_SIZE = 2
    monkeypatch.setattr(facets, "SAMPLE_EVERY", 1)  # every entry is in the sample
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facets, "FEW_IN_SAMPLE", 0)
    # The sample promised 10 hits; there are 3.
    monkeypatch.setattr(
        facets.Counts,
        "scaled",
        lambda counts, factor: facets.Counts(
            total=10, matched=10, approximate=True, total_estimated=True
        ),
    )
    for n in range(3):
        ResourceFactory(title=f"Kinship care review {n}")

    response = client.get(URL, {"q": "kinship", "page": 4})

    content = response.content.decode()
    assert titles(response) == []
    assert "There are no more results" in content
    assert "Nothing in the library matches" not in content


@postgres_only
def test_postgres_page_past_the_last_of_fewer_results_than_estimated_links_only_to_the_first(
    client, monkeypatch, settings
):
    settings.LIBRARY_PAGE_SIZE = 2
    monkeypatch.setattr(facets, "SAMPLE_EVERY", 1)
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facets, "FEW_IN_SAMPLE", 0)
    # The sample promised 10 hits, five pages; there are 3, two pages.
    monkeypatch.setattr(
        facets.Counts,
        "scaled",
        lambda counts, factor: facets.Counts(
            total=10, matched=10, approximate=True, total_estimated=True
        ),
    )
    for n in range(3):
        ResourceFactory(title=f"Kinship care review {n}")

    content = client.get(URL, {"q": "kinship", "sort": "newest", "page": 4}).content.decode()

    links = re.findall(r'<a href="\?([^"]*)"[^>]*>([^<]*)</a>', content)
    assert ("q=kinship&amp;sort=newest", "Back to the first page of results") in links
    assert not [href for href, _ in links if "page=" in href]
    assert 'rel="prev"' not in content


# --- Which sample counts a search ---------------------------------------------------------


def _counting(answers: dict[int, facets.Counts], asked: list[int]):
    def count(*, every: int) -> facets.Counts:
        asked.append(every)
        return answers[every]

    return count


def test_a_search_matching_very_many_entries_is_counted_from_the_sparse_sample_alone():
    asked: list[int] = []
    sparse = facets.SPARSE_SAMPLE_EVERY
    count = _counting({sparse: facets.Counts(total=300, matched=300)}, asked)

    counts = facets.counts_estimated(count=count, exact_total=lambda: 0)

    assert asked == [sparse]
    assert (counts.total, counts.total_estimated) == (facets.about(300 * sparse), True)


def test_a_narrow_filter_on_a_common_word_is_counted_from_the_finer_sample():
    asked: list[int] = []
    sparse, finer = facets.SPARSE_SAMPLE_EVERY, facets.SAMPLE_EVERY
    count = _counting(
        {
            sparse: facets.Counts(total=3, matched=300),
            finer: facets.Counts(total=100, matched=2_400),
        },
        asked,
    )

    counts = facets.counts_estimated(count=count, exact_total=lambda: 0)

    assert asked == [sparse, finer]
    assert counts.total == facets.about(100 * finer)


@postgres_only
@pytest.mark.django_db(transaction=True)  # autocommit, as a web request runs
def test_postgres_search_leaves_the_connection_s_settings_as_it_found_them(client):
    from django.db import connection

    ResourceFactory(title="Placement stability in practice")
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        before = cursor.fetchone()[0]

    client.get(reverse("practice_library:index"), {"q": "placement"})

    # SET LOCAL rides with each statement and ends with it, so no later query of the
    # request, or of the next request on this connection, is planned without sequential
    # scans (and nothing stays set for the next client of a transaction pooler).
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == before
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] != "0"


def test_resources_refreshed_one_by_one_in_one_transaction_warm_the_library_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    from practice_library import tasks

    warmed = []
    monkeypatch.setattr(tasks.search, "library_warm", lambda: warmed.append("front page"))

    with django_capture_on_commit_callbacks(execute=True):
        for resource in ResourceFactory.create_batch(3):
            services.resource_reindex(resource_id=resource.pk)

    assert warmed == ["front page"]
