"""A moderator takes down one file attached to a post (a document, or an image readers
see) and leaves the post up: the stored file is deleted, nobody opens it again, its name
(which can itself identify a child) goes with it, the post shows only that the
moderators removed a file, the post's moderation log records it, and its author is told,
as of an image that was not approved, without the name."""

import os

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from forum.models import (
    AttachmentApproval,
    ModerationAction,
    ModerationActionKind,
    PostAttachment,
    PostState,
    ReportReason,
    content_hash,
)
from forum.moderation import attachments
from network.mail import site_url
from tests.forum.factories import (
    category_moderator,
    member_of_type,
    reported_item,
    thread_with_posts,
)

pytestmark = pytest.mark.django_db

# The smallest valid PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63600000000200010de2219b000000"
    "0049454e44ae426082"
)


@pytest.fixture
def writer():
    return member_of_type(name="Femi Adebayo", email="femi@example.org")


@pytest.fixture
def post(writer, room):
    """Post 2 of a thread in `room`, written by `writer`, visible."""
    reply = thread_with_posts(posts=2, category=room).posts.get(post_number=2)
    reply.author = writer
    reply.save(update_fields=["author"])
    return reply


def _attach(post, *, filename="J_Smith_care_plan.pdf", image=False, approval="approved"):
    attachment = PostAttachment(
        post=post,
        original_filename=filename,
        content_type="image/png" if image else "application/pdf",
        extension="png" if image else "pdf",
        is_image=image,
        metadata_stripped=True,
        approval=approval,
        size_bytes=2048,
    )
    content = PNG if image else b"%PDF-1.4 handover, naming a young person"
    attachment.file.save(filename, ContentFile(content), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def document(post):
    return _attach(post)


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def _signed_in(person) -> Client:
    other = Client()
    other.force_login(person)
    return other


def _remove(client, attachment, **data):
    return client.post(
        reverse("forum:moderation_attachment_remove", kwargs={"pk": attachment.pk}), data
    )


def test_a_moderator_takes_down_a_document_and_the_post_stays_up(mod_client, document):
    response = _remove(mod_client, document, reason="Names a young person")

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.approval == AttachmentApproval.REMOVED
    document.post.refresh_from_db()
    assert document.post.state == PostState.VISIBLE


def test_taking_down_a_file_deletes_it_from_storage(
    mod_client, document, django_capture_on_commit_callbacks
):
    stored = document.file.path
    assert os.path.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        _remove(mod_client, document)

    assert not os.path.exists(stored)


def test_a_file_taken_down_is_not_found_by_readers_or_moderators(
    mod_client, document, second_member
):
    link = reverse("forum:attachment", kwargs={"pk": document.pk})
    reader = _signed_in(second_member)
    before = reader.get(link)
    assert before.status_code == 200
    # What the reader's browser kept, it must ask about again before showing it.
    assert before["Cache-Control"] == "private, no-cache"

    _remove(mod_client, document)

    assert reader.get(link).status_code == 404
    assert mod_client.get(link).status_code == 404


def test_taking_down_a_file_forgets_its_name(mod_client, document):
    _remove(mod_client, document)

    document.refresh_from_db()
    assert document.original_filename == ""
    assert (document.extension, document.size_bytes) == ("pdf", 2048)


def test_the_thread_shows_where_the_file_was_that_the_moderators_removed_it_without_its_name(
    mod_client, document, second_member
):
    _remove(mod_client, document)

    page = _signed_in(second_member).get(document.post.get_absolute_url(), follow=True).text

    assert "A file (PDF) was removed by the moderators." in page
    assert "J_Smith" not in page
    assert reverse("forum:attachment", kwargs={"pk": document.pk}) not in page
    assert "Post 2: what worked for us" in page


def test_the_author_sees_a_file_was_removed_by_the_moderators_without_its_name(
    mod_client, document, writer
):
    _remove(mod_client, document)

    page = _signed_in(writer).get(document.post.get_absolute_url(), follow=True).text

    assert "A file (PDF) was removed by the moderators." in page
    assert "J_Smith" not in page


def test_moderators_pages_do_not_show_a_removed_file_s_name(mod_client, document):
    item = reported_item(post=document.post, reason=ReportReason.IDENTIFIES_CHILD)
    _remove(mod_client, document)

    for address in (
        document.post.get_absolute_url(),
        reverse("forum:moderation_post", kwargs={"pk": document.post_id}),
        reverse("forum:moderation_item", kwargs={"pk": item.pk}),
    ):
        page = mod_client.get(address, follow=True).text
        assert "was removed by the moderators" in page
        assert "J_Smith" not in page


def test_taking_down_a_file_is_logged_in_the_post_s_moderation_history(
    mod_client, moderator, document
):
    _remove(mod_client, document, reason="Names a young person")

    entry = ModerationAction.objects.get(action=ModerationActionKind.REMOVE_FILE)
    assert (entry.post_id, entry.actor_id) == (document.post_id, moderator.pk)
    assert entry.reason == "Names a young person"
    assert entry.details == {
        "attachment": document.pk,
        "kind": "PDF",
        "name_hash": content_hash("J_Smith_care_plan.pdf"),
    }
    history = mod_client.get(reverse("forum:moderation_post", kwargs={"pk": document.post_id}))
    assert "Removed an attached file" in history.text


def test_the_author_is_told_which_post_lost_a_file_and_why_without_its_name(
    moderator, document, django_capture_on_commit_callbacks
):
    post = document.post
    with django_capture_on_commit_callbacks(execute=True):
        attachments.attachment_remove(
            actor=moderator, attachment=document, reason="Names a young person"
        )

    [message] = mail.outbox
    assert message.to == ["femi@example.org"]
    assert message.subject == (
        f"A file you attached in “{post.thread.title}” was removed by a moderator"
    )
    written = f"{post.created_at:%-d %B %Y}"
    assert (
        f"removed a file you attached to your post in “{post.thread.title}” on {written}."
        in message.body
    )
    assert f"Your post: {site_url(post.get_absolute_url())}" in message.body
    assert "The moderator's reason: Names a young person" in message.body
    [(html, _)] = message.alternatives
    assert "J_Smith" not in message.body
    assert "J_Smith" not in html


def test_a_member_who_does_not_moderate_cannot_take_a_file_down(
    client, document, second_member, django_capture_on_commit_callbacks
):
    client.force_login(second_member)

    with django_capture_on_commit_callbacks(execute=True):
        response = _remove(client, document)

    assert response.status_code == 403
    document.refresh_from_db()
    assert document.approval == AttachmentApproval.APPROVED
    assert os.path.exists(document.file.path)
    assert not ModerationAction.objects.exists()


def test_a_moderator_of_another_room_cannot_take_a_file_down(document, open_room):
    elsewhere = category_moderator(open_room)

    with pytest.raises(PermissionDenied):
        attachments.attachment_remove(actor=elsewhere, attachment=document)


def test_an_image_readers_see_can_be_taken_down(
    mod_client, post, django_capture_on_commit_callbacks
):
    image = _attach(post, filename="garden.png", image=True)
    stored = image.file.path

    with django_capture_on_commit_callbacks(execute=True):
        _remove(mod_client, image)

    image.refresh_from_db()
    assert image.approval == AttachmentApproval.REMOVED
    assert not os.path.exists(stored)
    page = mod_client.get(post.get_absolute_url(), follow=True).text
    assert "An image was removed by the moderators." in page
    assert "garden.png" not in page
    assert mod_client.get(reverse("forum:moderation_image", args=[image.pk])).status_code == 404


def test_an_image_waiting_for_approval_is_rejected_not_taken_down(moderator, post):
    image = _attach(post, filename="garden.png", image=True, approval="pending")

    with pytest.raises(ValidationError, match="reject it instead"):
        attachments.attachment_remove(actor=moderator, attachment=image)


def test_a_file_already_taken_down_is_not_taken_down_twice(mod_client, document):
    _remove(mod_client, document)

    response = _remove(mod_client, document, next="/forum/moderation/")

    assert "This file has already been removed." in mod_client.get(response.url).text
    assert ModerationAction.objects.filter(action=ModerationActionKind.REMOVE_FILE).count() == 1


def test_a_reason_too_long_is_refused_and_the_file_stays(mod_client, document):
    response = _remove(mod_client, document, reason="x" * 301)

    assert "301" in mod_client.get(response.url).text
    document.refresh_from_db()
    assert document.approval == AttachmentApproval.APPROVED


def test_the_queue_item_page_offers_to_take_down_each_attached_file(mod_client, post):
    document = _attach(post)
    image = _attach(post, filename="garden.png", image=True)
    item = reported_item(post=post, reason=ReportReason.IDENTIFIES_CHILD)

    page = mod_client.get(reverse("forum:moderation_item", kwargs={"pk": item.pk})).text

    for attachment in (document, image):
        action = reverse("forum:moderation_attachment_remove", kwargs={"pk": attachment.pk})
        assert f'action="{action}"' in page
    back = reverse("forum:moderation_item", kwargs={"pk": item.pk})
    assert f'name="next" value="{back}#item-{item.pk}"' in page


def test_taking_down_from_the_queue_item_page_comes_back_to_it(mod_client, document):
    item = reported_item(post=document.post, reason=ReportReason.IDENTIFIES_CHILD)
    back = reverse("forum:moderation_item", kwargs={"pk": item.pk})

    response = _remove(mod_client, document, next=back)

    assert response.url == back
    page = mod_client.get(back).text
    assert "The file (PDF) is removed from post #2: it is deleted, with its name." in page
    assert "A file (PDF) was removed by the moderators: it is deleted, with its name." in page


def test_the_post_s_moderation_page_offers_to_take_down_its_files(mod_client, post):
    document = _attach(post)
    image = _attach(post, filename="garden.png", image=True)

    page = mod_client.get(reverse("forum:moderation_post", kwargs={"pk": post.pk})).text

    for attachment in (document, image):
        action = reverse("forum:moderation_attachment_remove", kwargs={"pk": attachment.pk})
        assert f'action="{action}"' in page
    assert "Reason for removing J_Smith_care_plan.pdf (optional)" in page
