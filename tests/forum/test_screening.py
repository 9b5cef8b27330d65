from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from forum import screening
from forum.models import HoldReason, PostState, ReviewItem, ReviewKind, WatchPattern
from forum.services import posting, publishing
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


def matched_names(text: str) -> set[str]:
    return {match.pattern.name for match in screening.screen_text(text).matches}


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("She moved to a flat near M1 1AE last week", "UK postcode"),
        ("The home is at sw1a 2aa", "UK postcode"),
        ("call me on 07700 900123", "Phone number"),
        ("or on +44 20 7946 0018", "Phone number"),
        ("write to jo.bloggs@example.org", "Email address"),
        ("born 12/03/2011", "Date like 12/03/2011"),
        ("a young man aged 14 arrived", "Age, like 'aged 14'"),
        ("DOB attached", "Date of birth"),
        ("NHS 943 476 5919 on the form", "NHS number"),
    ],
)
def test_starting_watch_list_catches_identifying_details(text, pattern):
    assert pattern in matched_names(text)


@pytest.mark.parametrize(
    "text",
    [
        "82% of homes were rated good or outstanding in 2019",
        "16- and 17-year-olds in unregulated settings rose to 6,100",
        "Regulation 44 visits and the 2016 review's 34 recommendations",
        "Our Ofsted rating moved from requires improvement to good",
    ],
)
def test_starting_watch_list_lets_ordinary_sector_talk_through(text):
    assert matched_names(text) == set()


def test_nhs_number_must_pass_the_mod_11_check():
    assert screening.nhs_number_is_valid("943 476 5919")
    assert not screening.nhs_number_is_valid("943 476 5918")
    assert "NHS number" not in matched_names("reference 123 456 7890 on the invoice")


def test_word_pattern_matches_whole_words_in_any_case():
    regex = screening.compile_pattern("word", "care plan")
    assert regex.search("Her CARE  PLAN says")
    assert not regex.search("careplanning")


def test_wildcard_pattern_matches_letters_for_the_star():
    regex = screening.compile_pattern("wildcard", "Larch*")
    assert regex.search("at Larchfield today")
    assert not regex.search("at Oaklarch today")  # the pattern starts a word


def test_invalid_regular_expression_is_refused_with_a_message():
    pattern = WatchPattern(name="Broken", kind="regex", pattern="(unclosed", action="hold")
    with pytest.raises(ValidationError) as error:
        pattern.full_clean()
    assert "not a valid regular expression" in str(error.value)


def test_pattern_matching_empty_text_is_refused():
    with pytest.raises(ValueError, match="empty text"):
        screening.compile_pattern("regex", "x*")


def test_blocking_pattern_refuses_the_post_with_its_message(room, member):
    with pytest.raises(ValidationError) as error:
        posting.thread_create(
            author=member,
            category=room,
            title="Referral paperwork",
            body="Her NHS number is 943 476 5919",
            confirmed_child_safety=True,
        )
    assert "looks like an NHS number" in " ".join(error.value.messages)


def test_post_matching_a_hold_pattern_is_held_with_the_patterns_recorded(room, member):
    post = posting.thread_create(
        author=member,
        category=room,
        title="Moving on plans",
        body="He is aged 15 and moving to a flat next month.",
        confirmed_child_safety=True,
    )
    assert post.state == PostState.HELD
    assert post.hold_reason == HoldReason.WATCH_LIST
    item = ReviewItem.objects.get(post=post)
    assert item.kind == ReviewKind.HELD
    assert [p.name for p in item.matched_patterns.all()] == ["Age, like 'aged 14'"]


def test_highlight_spans_mark_the_matching_text():
    text = "Contact 07700 900123 please"
    pieces = screening.highlight_spans(text, screening.screen_text(text))
    assert ("07700 900123", True) in pieces
    assert "".join(piece for piece, _ in pieces) == text


def test_new_member_first_posts_are_held(settings, room, member):
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 2
    first = posting.thread_create(
        author=member, category=room, title="Hello from a new manager", body="Hello all.",
        confirmed_child_safety=True,
    )  # fmt: skip
    assert first.state == PostState.HELD
    assert first.hold_reason == HoldReason.NEW_MEMBER
    publishing.post_publish(post=first, actor=None)
    second = posting.post_reply(author=member, thread=first.thread, body="A second post.")
    assert second.state == PostState.HELD
    publishing.post_publish(post=second, actor=None)
    third = posting.post_reply(author=member, thread=first.thread, body="A third post.")
    assert third.state == PostState.VISIBLE


def test_held_first_posts_deleted_before_review_leave_a_member_new(settings, room, member):
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 2
    thread = thread_with_posts(category=room, posts=1)
    for body in ("A first post.", "A second post."):
        held = posting.post_reply(
            author=member, thread=thread, body=body, confirmed_child_safety=True
        )
        posting.post_remove(user=member, post=held)

    third = posting.post_reply(author=member, thread=thread, body="A third post.")

    assert third.state == PostState.HELD


def test_every_post_in_a_premoderated_category_is_held(room, member):
    room.is_premoderated = True
    room.save()
    post = posting.thread_create(
        author=member, category=room, title="Missing from care protocols", body="Ours is new.",
        confirmed_child_safety=True,
    )  # fmt: skip
    assert post.hold_reason == HoldReason.PREMODERATED


def test_moderators_posts_are_never_held(room, moderator):
    room.is_premoderated = True
    room.save()
    post = posting.thread_create(
        author=moderator, category=room, title="House rules for this room",
        body="Please read before posting.", confirmed_child_safety=True,
    )  # fmt: skip
    assert post.state == PostState.VISIBLE


# --- Linear-time screening (RE2) --------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (r"(\w)\1", "Back-references"),
        (r"(?<!\d)\d{4}", "Lookarounds"),
        (r"care(?= plan)", "Lookarounds"),
    ],
)
def test_patterns_that_need_backtracking_are_refused_when_saved(pattern, message):
    watch = WatchPattern(name="Slow", kind="regex", pattern=pattern, action="hold")
    with pytest.raises(ValidationError) as error:
        watch.full_clean()
    assert message in str(error.value)


def test_nested_quantifiers_are_accepted_and_cannot_backtrack():
    regex = screening.compile_pattern("regex", r"(a+)+$")
    assert regex.search("a" * 30 + "!") is None
    assert regex.search("xx aaa").text == "aaa"


def test_every_starting_pattern_runs_on_the_linear_matcher():
    for watch in WatchPattern.objects.all():
        compiled = screening.compile_pattern(watch.kind, watch.pattern)
        assert type(compiled).__module__ == "forum.patterns", watch.name


def test_word_pattern_respects_letters_beyond_ascii_at_its_edges():
    regex = screening.compile_pattern("word", "sian")
    assert regex.search("ask Sian today")
    assert not regex.search("ask Siansiân today")
    assert not regex.search("ask ésian today")


def test_digit_edged_patterns_find_neighbouring_numbers():
    found = [m.text for m in screening.screen_text("call 07700 900123,07700 900456 now").matches]
    assert found == ["07700 900123", "07700 900456"]


def test_models_do_not_import_the_screening_module():
    import forum.models

    source = Path(forum.models.__file__).read_text()
    assert "forum.screening" not in source
