"""Redaction reaches what moderators wrote and what reporters quoted about the post."""

import pytest

from forum.models import ModerationAction, ModerationActionKind, Report, ReviewNote
from forum.moderation import redaction
from tests.forum.factories import PostFactory, reported_item, thread_with_posts

pytestmark = pytest.mark.django_db

SECRET = "Jayden Okafor"


def _reported_post_naming_a_child(moderator):
    post = PostFactory(
        thread=thread_with_posts(posts=1),
        body=f"We support {SECRET}, aged 14, and his school is doing well.",
    )
    item = reported_item(post=post, reason="other", details=f"This names {SECRET} in full.")
    ReviewNote.objects.create(item=item, author=moderator, text=f"Check: is {SECRET} real?")
    return post, item


def _redact(moderator, post):
    return redaction.post_redact(
        actor=moderator,
        post=post,
        body="We support a young person and their school is doing well.",
        reason="Could identify a child",
    )


def test_redaction_takes_the_removed_words_out_of_report_details(moderator):
    post, item = _reported_post_naming_a_child(moderator)
    _redact(moderator, post)
    report = Report.objects.get(review_item=item)
    assert "Jayden" not in report.details and "Okafor" not in report.details
    assert report.details == "This names [redacted] [redacted] in full."


def test_redaction_takes_the_removed_words_out_of_moderators_notes(moderator):
    post, item = _reported_post_naming_a_child(moderator)
    _redact(moderator, post)
    note = ReviewNote.objects.get(item=item)
    assert note.text == "Check: is [redacted] [redacted] real?"


def test_redaction_leaves_notes_that_never_held_the_words(moderator):
    post, item = _reported_post_naming_a_child(moderator)
    ReviewNote.objects.create(item=item, author=moderator, text="Hidden while we check.")
    _redact(moderator, post)
    assert ReviewNote.objects.filter(text="Hidden while we check.").exists()
    entry = ModerationAction.objects.get(action=ModerationActionKind.REDACT)
    assert entry.details["records_scrubbed"] == 2


def test_redaction_leaves_common_words_taken_out_with_a_name_in_the_records(moderator):
    post, item = _reported_post_naming_a_child(moderator)  # "his" goes with the name
    ReviewNote.objects.create(item=item, author=moderator, text="Ask the author about his source.")

    _redact(moderator, post)

    assert ReviewNote.objects.filter(text="Ask the author about his source.").exists()
