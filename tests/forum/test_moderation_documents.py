"""A report may be about a file attached to a post rather than its text: the moderator
deciding on it sees the post's attached documents, in the queue and on the post's page,
and can open them while the post is hidden."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from forum.models import AttachmentApproval, PostAttachment, ReportReason
from tests.forum.factories import reported_item, thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def reported_document():
    """A PDF attached to post 2, reported as identifying a child (so hidden at once)."""
    post = thread_with_posts(posts=2).posts.get(post_number=2)
    document = PostAttachment(
        post=post,
        original_filename="Handover checklist.pdf",
        content_type="application/pdf",
        extension="pdf",
        is_image=False,
        metadata_stripped=True,
        approval=AttachmentApproval.APPROVED,
        size_bytes=2048,
    )
    document.file.save("handover.pdf", ContentFile(b"%PDF-1.4 handover"), save=False)
    document.save()
    reported_item(post=post, reason=ReportReason.IDENTIFIES_CHILD)
    return document


def test_the_queue_shows_a_reported_post_s_attached_documents(mod_client, reported_document):
    response = mod_client.get(reverse("forum:moderation_queue"))

    link = reverse("forum:attachment", kwargs={"pk": reported_document.pk})
    assert "Attached files" in response.text
    assert f'<a href="{link}">Handover checklist.pdf</a>' in response.text


def test_the_moderator_post_page_shows_the_post_s_attached_documents(mod_client, reported_document):
    response = mod_client.get(
        reverse("forum:moderation_post", kwargs={"pk": reported_document.post_id})
    )

    link = reverse("forum:attachment", kwargs={"pk": reported_document.pk})
    assert f'<a href="{link}">Handover checklist.pdf</a> <span class="meta">(PDF, 2.0' in (
        response.text
    )


def test_the_moderator_opens_the_document_of_the_hidden_post(mod_client, reported_document):
    response = mod_client.get(reverse("forum:attachment", kwargs={"pk": reported_document.pk}))

    assert response.status_code == 200
