"""The queue tells a moderator when a post was edited after it came to them (what was
reported is then in its history), and not when the edit came before the report."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from forum.models import AttachmentApproval, Post, PostAttachment, ReportReason, ReviewItem
from forum.services import publishing, reports
from tests.forum.factories import member_of_type, thread_with_posts

pytestmark = pytest.mark.django_db

EDITED_NOTE = "Edited by its author since it came to the queue"


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def test_an_edit_before_the_report_on_a_post_whose_image_waited_is_not_called_later(mod_client):
    """The item opened for the image an hour ago; the author edited, then a member
    reported the post as it now reads."""
    post = thread_with_posts(posts=2).posts.get(post_number=2)
    image = PostAttachment(
        post=post,
        original_filename="rota board.png",
        content_type="image/png",
        extension="png",
        is_image=True,
        approval=AttachmentApproval.PENDING,
    )
    image.file.save("rota.png", ContentFile(b"png"), save=False)
    image.save()
    publishing.image_review_open(post)
    ReviewItem.objects.filter(post=post).update(created_at=timezone.now() - timedelta(hours=1))
    Post.objects.filter(pk=post.pk).update(
        body="Rotas, edited.", edited_at=timezone.now() - timedelta(minutes=5)
    )
    post.refresh_from_db()
    reports.report_create(reporter=member_of_type(), post=post, reason=ReportReason.ABUSIVE)

    response = mod_client.get(reverse("forum:moderation_queue"))

    assert "Reported: post #2" in response.text
    assert EDITED_NOTE not in response.text
