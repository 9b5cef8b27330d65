"""A member reports a post once at a time. After the moderators have decided, the same
member may report it again if it was edited since (an edit after review can add a
child's name), but not the unchanged post for another reason."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from forum.models import ForumPreference, PostState, Report, ReportReason, ReviewItem
from forum.moderation import actions
from forum.moderation.queue import Decision
from forum.services import posting, reports

pytestmark = pytest.mark.django_db

NAMES_A_CHILD = "Our new lad, Tyler from the Larchfield estate, settled in well."


@pytest.fixture
def post(room, member):
    ForumPreference.objects.create(user=member, child_safety_confirmed_at=timezone.now())
    return posting.thread_create(
        author=member, category=room, title="Settling in", body="Settling-in plans that worked."
    )


@pytest.fixture
def kept_up(post, second_member, moderator):
    """`post`, reported by the second member as abusive; a moderator disagreed."""
    reports.report_create(reporter=second_member, post=post, reason=ReportReason.ABUSIVE)
    item = ReviewItem.objects.get(post=post)
    actions.review_resolve(actor=moderator, item=item, decision=Decision.DISAGREE)
    return post


def edit(post, body: str = NAMES_A_CHILD):
    return posting.post_edit(editor=post.author, post=post, body=body)


def test_a_post_edited_after_the_decision_may_be_reported_again(kept_up, second_member):
    edit(kept_up)

    report = reports.report_create(
        reporter=second_member, post=kept_up, reason=ReportReason.IDENTIFIES_CHILD
    )

    item = report.review_item
    assert item.is_open and item.is_urgent
    assert ReviewItem.objects.filter(post=kept_up).count() == 2
    kept_up.refresh_from_db()
    assert kept_up.state == PostState.HIDDEN


def test_an_unchanged_post_may_not_be_reported_again_after_a_decision_for_another_reason(
    kept_up, second_member
):
    with pytest.raises(ValidationError, match="already looked at this post") as refused:
        reports.report_create(
            reporter=second_member, post=kept_up, reason=ReportReason.IDENTIFIES_CHILD
        )

    assert refused.value.code == "decided"
    assert Report.objects.filter(post=kept_up).count() == 1


def test_an_edit_before_the_decision_does_not_open_reporting_again(post, second_member, moderator):
    reports.report_create(reporter=second_member, post=post, reason=ReportReason.ABUSIVE)
    edit(post, "Settling-in plans that worked, and what did not.")
    item = ReviewItem.objects.get(post=post)
    actions.review_resolve(actor=moderator, item=item, decision=Decision.DISAGREE)

    with pytest.raises(ValidationError, match="already looked at this post"):
        reports.report_create(reporter=second_member, post=post, reason=ReportReason.SPAM)


def test_a_second_report_while_the_first_waits_is_refused_even_after_an_edit(post, second_member):
    reports.report_create(reporter=second_member, post=post, reason=ReportReason.ABUSIVE)
    edit(post)

    with pytest.raises(ValidationError, match="already reported this post") as refused:
        reports.report_create(
            reporter=second_member, post=post, reason=ReportReason.IDENTIFIES_CHILD
        )

    assert refused.value.code == "again"


def test_reported_again_the_post_is_refused_again_while_the_new_report_waits(
    kept_up, second_member
):
    edit(kept_up)
    reports.report_create(reporter=second_member, post=kept_up, reason=ReportReason.SPAM)

    with pytest.raises(ValidationError, match="already reported this post"):
        reports.report_create(reporter=second_member, post=kept_up, reason=ReportReason.ABUSIVE)


def test_the_database_keeps_one_report_per_member_in_a_queue_item(post, second_member):
    first = reports.report_create(reporter=second_member, post=post, reason=ReportReason.SPAM)

    with pytest.raises(IntegrityError):
        Report.objects.create(
            post=post,
            reporter=second_member,
            reason=ReportReason.ABUSIVE,
            review_item=first.review_item,
            created_at=timezone.now() + timedelta(seconds=1),
        )


def test_the_report_form_says_at_once_that_the_moderators_decided_on_the_unchanged_post(
    client, kept_up, second_member
):
    client.force_login(second_member)

    response = client.get(f"/forum/post/{kept_up.pk}/report/")

    assert "already looked at this post after your report" in response.text
    assert "Send report" not in response.text
    assert "Moderators read every report" not in response.text  # no report to be made


def test_the_report_form_is_offered_again_once_the_post_was_edited(client, kept_up, second_member):
    edit(kept_up)
    client.force_login(second_member)

    response = client.get(f"/forum/post/{kept_up.pk}/report/")

    assert "Send report" in response.text
    assert "already" not in response.text
