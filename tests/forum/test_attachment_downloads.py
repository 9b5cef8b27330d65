"""A post's files as its readers' browsers get them: served through the access policy
each time, so that a file a moderator has taken down is not shown again from a copy."""

import pytest
from django.core.files.base import ContentFile

from forum.models import AttachmentApproval, PostAttachment
from forum.moderation import actions
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db


def _document_on(post) -> PostAttachment:
    attachment = PostAttachment(
        post=post,
        original_filename="Visit actions.pdf",
        content_type="application/pdf",
        extension="pdf",
        is_image=False,
        metadata_stripped=True,
        approval=AttachmentApproval.APPROVED,
        size_bytes=20,
    )
    attachment.file.save("visit-actions.pdf", ContentFile(b"%PDF-1.4 visit notes"), save=False)
    attachment.save()
    return attachment


def test_a_browser_asks_again_before_showing_a_post_s_file_it_has_kept(client, room, member):
    post = thread_with_posts(posts=2, category=room).posts.get(post_number=2)
    attachment = _document_on(post)
    client.force_login(member)

    response = client.get(f"/forum/attachment/{attachment.pk}/")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_kept_copy_of_a_hidden_post_s_file_is_refused_when_the_browser_asks_again(
    client, room, member, moderator
):
    post = thread_with_posts(posts=2, category=room).posts.get(post_number=2)
    attachment = _document_on(post)
    client.force_login(member)
    first = client.get(f"/forum/attachment/{attachment.pk}/")
    actions.post_hide(actor=moderator, post=post, reason="Names a child's school")

    again = client.get(
        f"/forum/attachment/{attachment.pk}/",
        headers={"if-none-match": first["ETag"], "if-modified-since": first["Last-Modified"]},
    )

    assert again.status_code == 404
