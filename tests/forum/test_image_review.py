"""An image waiting for a moderator always has a way into the review queue while its
post is up: hidden and shown again, the post brings its waiting images back with it."""

import pytest

from forum.models import AttachmentApproval, PostAttachment, ReportReason, ReviewItem, ReviewKind
from forum.moderation import actions
from forum.moderation.queue import Decision
from forum.services import publishing, reports
from tests.forum.factories import member_of_type, thread_with_posts

pytestmark = pytest.mark.django_db


def _post_with_a_waiting_image():
    post = thread_with_posts(posts=2).posts.get(post_number=2)
    PostAttachment.objects.create(
        post=post,
        file="forum/ab/garden",
        original_filename="garden.png",
        content_type="image/png",
        extension="png",
        size_bytes=100,
        is_image=True,
        metadata_stripped=True,
        approval=AttachmentApproval.PENDING,
    )
    publishing.image_review_open(post)
    return post


def test_a_post_shown_again_after_its_reports_were_upheld_brings_its_waiting_image_to_the_queue(
    moderator,
):
    post = _post_with_a_waiting_image()
    reports.report_create(
        reporter=member_of_type(), post=post, reason=ReportReason.IDENTIFIES_CHILD
    )
    item = ReviewItem.objects.get(post=post, resolved_at__isnull=True)
    actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)
    assert not ReviewItem.objects.filter(post=post, resolved_at__isnull=True).exists()

    actions.post_restore(actor=moderator, post=post, reason="The report was mistaken")

    [waiting] = ReviewItem.objects.filter(post=post, resolved_at__isnull=True)
    assert waiting.kind == ReviewKind.IMAGE


def test_a_post_shown_again_with_its_image_item_still_open_gets_no_second_item(moderator):
    post = _post_with_a_waiting_image()
    actions.post_hide(actor=moderator, post=post, reason="Checking the photo")

    actions.post_restore(actor=moderator, post=post, reason="Nothing wrong")

    assert ReviewItem.objects.filter(post=post, resolved_at__isnull=True).count() == 1
