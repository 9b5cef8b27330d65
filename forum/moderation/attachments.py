"""Taking down one file attached to a post while the post stays as it is.

A document (or an image readers already see) that names a child would otherwise cost
the thread the whole post: hiding it is the only other way to take the file out of
sight. Taken down, the file is deleted from storage once the decision is committed (as
a rejected image's is, in actions.py), nobody opens it again, moderators included, and
its name goes too: "J_Smith_care_plan.pdf" can itself say who a child is. The post then
says only that the moderators removed a file (and its type), to readers, its author and
moderators alike. The moderation log records it against the post, by the attachment's
id, with its type and a fingerprint of its name, never the name: the log can be changed
by nobody, so it must not keep what was taken down, and the record needs only to say
which file went (the row keeps its id, type, size and date) and, should its author ask
about "J_Smith_care_plan.pdf", to confirm it was that one. Its author is told, as of an
image that was not approved, without the name.

An image still waiting for approval is not taken down but rejected (actions.py).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from forum import tasks
from forum.models import AttachmentApproval, ModerationActionKind, PostAttachment, content_hash
from forum.moderation.checks import check_moderates, clean_reason
from forum.services.audit import audit_record
from network.files import protected_files_discard

_NOT_UP = {
    AttachmentApproval.PENDING: "This image is still waiting for approval: reject it instead.",
    AttachmentApproval.REJECTED: "This file has already been deleted.",
    AttachmentApproval.REMOVED: "This file has already been removed.",
}


def attachment_remove(*, actor, attachment: PostAttachment, reason: str = "") -> PostAttachment:
    """Take down a file attached to a post: its stored file and its name are deleted, the
    post shows that the moderators removed a file, and its author is told why."""
    post = attachment.post
    check_moderates(actor, post.thread.category)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        attachment = PostAttachment.objects.select_for_update().get(pk=attachment.pk)
        if attachment.approval != AttachmentApproval.APPROVED:
            raise ValidationError(_NOT_UP[attachment.approval], code="state")
        name = attachment.original_filename
        attachment.approval = AttachmentApproval.REMOVED
        attachment.original_filename = ""
        attachment.decided_by = actor
        attachment.decided_at = timezone.now()
        attachment.save(update_fields=["approval", "original_filename", "decided_by", "decided_at"])
        # It may name a child: its bytes go once the decision is saved (a rollback
        # keeps them, with the attachment as it was).
        protected_files_discard([attachment.file.name])
        entry = audit_record(
            actor=actor,
            action=ModerationActionKind.REMOVE_FILE,
            post=post,
            reason=reason,
            details={
                "attachment": attachment.pk,
                "kind": attachment.kind,
                "name_hash": content_hash(name),
            },
        )
        tasks.moderation_notice_send.delay_on_commit(entry.pk)
    return attachment
