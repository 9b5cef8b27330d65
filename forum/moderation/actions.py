"""Moderation: what moderators do to posts, threads and members, and how the review
queue's items end.

Every operation here is one named action (`<noun>_<verb>`): it checks that the actor may
moderate where it acts (forum/access.py), changes the rows, keeps the denormalised
counters of threads and categories right, and appends one entry to the audit log
(ModerationAction) with the actor, the action, the target, the reason, the time and the
SHA-256 of the content before and after. The log never holds the text a moderator took
out: a redaction also deletes the earlier revisions that held it and rebuilds the
search vector, so the removed words are nowhere in the database afterwards.

The review queue has at most one open item per post (a database constraint). Resolving
an item records agree, disagree or ignore and what that did to the post:

    held post       publish   agree: the post goes up, and its notifications go out now
                    remove    agree: the post stays out of the forum (hidden)
    reported post   hide      agree: the post is hidden (or stays hidden)
                    keep      agree: the post was put right by an edit or a redaction and
                              stays as it is now
                    disagree  no problem found: a post hidden by the reports comes back
                    ignore    no judgement: the post stays exactly as it is now
    image           approving or rejecting the post's waiting images ends the item

The reports on an item end with it. A post that is up after its item ends (a held
post published, a report disagreed with) while images still wait for approval gets a
fresh image item, so the images are not forgotten.

The other modules of this package: redaction, threads, suspensions, attachments (one
file taken down, the post left up) and the queue's reading side (queue.py); checks.py
holds what every action checks first.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from forum import tasks
from forum.models import (
    AttachmentApproval,
    ModerationAction,
    ModerationActionKind,
    Post,
    PostAttachment,
    PostRevision,
    PostState,
    Resolution,
    ReviewItem,
    ReviewKind,
    ReviewNote,
    ThreadState,
    content_hash,
)
from forum.moderation import outcomes, reversals
from forum.moderation.checks import check_moderates, check_not_own, clean_reason, locked_post
from forum.moderation.queue import Decision
from forum.services import posting, publishing
from forum.services.audit import audit_record
from forum.services.publishing import (
    category_recount,
    post_search_index,
    thread_recount,
)
from network.markup import MARKUP_RENDERER_VERSION, render_markdown

# --- Posts ---------------------------------------------------------------------------------


def _set_state(post: Post, state: str) -> None:
    """A moderator decided whether the post is up: it no longer waits on its reports."""
    post.state = state
    post.state_changed_at = timezone.now()
    post.hidden_by_reports = False
    post.save(update_fields=["state", "state_changed_at", "hidden_by_reports"])


def _close_open_item(post: Post, *, actor, resolution: str, kinds: Iterable[str]) -> None:
    ReviewItem.objects.filter(post=post, resolved_at__isnull=True, kind__in=list(kinds)).update(
        resolution=resolution, resolved_by=actor, resolved_at=timezone.now()
    )


def publish_held_post(*, actor, post: Post) -> Post:
    """Approve a post held for review: it becomes visible (its thread too, if it opens
    one), counts, is searchable, its author is told, and the notifications it did not
    send while held go out after the commit. Its held queue item ends as agreed."""
    check_moderates(actor, post.thread.category)
    check_not_own(actor, post)
    with transaction.atomic(durable=True):
        post = locked_post(post)
        if post.state != PostState.HELD:
            raise ValidationError("This post is not waiting for review.", code="state")
        _close_open_item(post, actor=actor, resolution=Resolution.AGREE, kinds=[ReviewKind.HELD])
        publishing.post_publish(post=post, actor=actor)
    return post


def _reject(post: Post, *, actor, reason: str) -> None:
    _set_state(post, PostState.HIDDEN)
    thread = post.thread
    if post.post_number == 1 and thread.state == ThreadState.HELD:
        # The thread never went up; it stays out of every listing.
        thread.state = ThreadState.HIDDEN
        thread.save(update_fields=["state"])
    entry = audit_record(
        actor=actor,
        action=ModerationActionKind.REJECT,
        post=post,
        reason=reason,
        hash_before=content_hash(post.body),
        hash_after=content_hash(post.body),
    )
    tasks.moderation_notice_send.delay_on_commit(entry.pk)


def post_reject(*, actor, post: Post, reason: str = "") -> Post:
    """Refuse a held post: it never goes up (hidden: moderators alone read it from now)."""
    check_moderates(actor, post.thread.category)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        post = locked_post(post)
        if post.state != PostState.HELD:
            raise ValidationError("This post is not waiting for review.", code="state")
        _close_open_item(post, actor=actor, resolution=Resolution.AGREE, kinds=[ReviewKind.HELD])
        _reject(post, actor=actor, reason=reason)
    return post


def _hide(post: Post, *, actor, reason: str) -> dict:
    """Callers have checked that the post is not hidden already. Returns what the hiding
    reversed (reversals.reversal_details), {} for none."""
    # A post the moderators kept up and now hide: its reporters hear of it (reversals).
    details = reversals.reversal_details(post, showing=False)
    publishing.post_hide(post=post, actor=actor, reason=reason, details=details)
    return details


def post_hide(*, actor, post: Post, reason: str = "") -> Post:
    """Take a visible post out of sight: readers see "hidden by the moderators"."""
    check_moderates(actor, post.thread.category)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        post = locked_post(post)
        if post.state != PostState.VISIBLE:
            raise ValidationError("Only a visible post can be hidden.", code="state")
        _hide(post, actor=actor, reason=reason)
    return post


def _was_rejected_unseen(post: Post) -> bool:
    """Was this post refused while held, so that readers have never seen it?"""
    log = ModerationAction.objects.filter(post_id=post.pk)
    return (
        log.filter(action=ModerationActionKind.REJECT).exists()
        and not log.filter(action=ModerationActionKind.APPROVE).exists()
    )


def _hidden_by_a_moderator(post: Post) -> bool:
    """Was the post's latest hiding a moderator's own (whose notice told its author),
    rather than its reports'?"""
    latest = (
        ModerationAction.objects.filter(
            post_id=post.pk,
            action__in=[ModerationActionKind.HIDE, ModerationActionKind.AUTO_HIDE],
        )
        .order_by("-pk")
        .values_list("action", flat=True)
        .first()
    )
    return latest == ModerationActionKind.HIDE


def _restore(post: Post, *, actor, reason: str) -> dict:
    """Returns what the showing reversed (reversals.reversal_details), {} for none."""
    if _was_rejected_unseen(post):
        # Showing a post that was refused while held is its first publication: it gets
        # its thread back, its author is told and its notifications go out now.
        publishing.post_publish(
            post=post, actor=actor, reason=reason, thread_state_from=ThreadState.HIDDEN
        )
        return {}
    # Read before this decision is logged: shown again after a moderator hid it, the post
    # is news to its author and its reporters (reversals).
    details = reversals.reversal_details(post, showing=True)
    _set_state(post, PostState.VISIBLE)
    if post.post_number == 1:
        publishing.thread_restore_with_opening_post(post.thread, actor)
    thread_recount(post.thread)
    category_recount(post.thread.category)
    post_search_index(post)
    # Its images still waiting lost their queue item when it was hidden (a hidden post
    # keeps none for them): back up, the post needs one again, or they wait unseen.
    publishing.image_review_open(post)
    entry = audit_record(
        actor=actor,
        action=ModerationActionKind.RESTORE,
        post=post,
        reason=reason,
        hash_before=content_hash(post.body),
        hash_after=content_hash(post.body),
        details=details,
    )
    if details:
        tasks.decision_reversed_send.delay_on_commit(entry.pk)
    return details


def post_restore(*, actor, post: Post, reason: str = "") -> Post:
    """Show a hidden post again (a held post is approved instead; see publish_held_post)."""
    check_moderates(actor, post.thread.category)
    check_not_own(actor, post)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        post = locked_post(post)
        if post.state != PostState.HIDDEN:
            raise ValidationError("Only a hidden post can be restored.", code="state")
        _restore(post, actor=actor, reason=reason)
    return post


def body_rewrite(post: Post, *, actor, body: str, reason: str) -> None:
    post.body = body
    post.body_html = render_markdown(body)
    post.renderer_version = MARKUP_RENDERER_VERSION
    post.edited_at = timezone.now()
    post.edited_by = actor
    post.edit_reason = reason
    post.save(
        update_fields=[
            "body",
            "body_html",
            "renderer_version",
            "edited_at",
            "edited_by",
            "edit_reason",
        ]
    )
    post_search_index(post)


def post_moderator_edit(
    *, actor, post: Post, body: str, reason: str, based_on: str | None = None
) -> Post:
    """Edit a post as a moderator. The reason is shown to readers under the post
    ("Edited by a moderator: …"); the earlier text is kept as a revision."""
    check_moderates(actor, post.thread.category)
    body = posting.clean_body(body)
    reason = clean_reason(
        reason, required=True, what="Give a reason: readers see it under the post."
    )
    with transaction.atomic(durable=True):
        post = locked_post(post)
        if post.state == PostState.REMOVED:
            raise ValidationError("This post was removed by its author.", code="state")
        posting.check_unchanged_since(post.body, based_on)
        if body == post.body:
            raise ValidationError("The text is unchanged.", code="unchanged")
        before = content_hash(post.body)
        PostRevision.objects.create(post=post, body=post.body, edited_by=actor, reason=reason)
        body_rewrite(post, actor=actor, body=body, reason=reason)
        audit_record(
            actor=actor,
            action=ModerationActionKind.EDIT,
            post=post,
            reason=reason,
            hash_before=before,
            hash_after=content_hash(body),
        )
    return post


# --- Images ---------------------------------------------------------------------------------


def _decide_image(attachment: PostAttachment, *, actor, approval: str, reason: str) -> None:
    post = attachment.post
    check_moderates(actor, post.thread.category)
    if approval == AttachmentApproval.APPROVED:
        check_not_own(actor, post)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        attachment = PostAttachment.objects.select_for_update().get(pk=attachment.pk)
        if not attachment.is_image or attachment.approval != AttachmentApproval.PENDING:
            raise ValidationError("This image is not waiting for approval.", code="state")
        if approval == AttachmentApproval.APPROVED and not attachment.metadata_stripped:
            raise ValidationError(
                "This image is still being prepared (its location and camera details are "
                "being removed). Try again in a minute.",
                code="preparing",
            )
        attachment.approval = approval
        attachment.decided_by = actor
        attachment.decided_at = timezone.now()
        attachment.save(update_fields=["approval", "decided_by", "decided_at"])
        if approval == AttachmentApproval.REJECTED:
            # A rejected image may show a child: its bytes go once the decision is saved.
            stored = attachment.file
            transaction.on_commit(lambda: stored.delete(save=False))
        entry = audit_record(
            actor=actor,
            action=(
                ModerationActionKind.APPROVE_IMAGE
                if approval == AttachmentApproval.APPROVED
                else ModerationActionKind.REJECT_IMAGE
            ),
            post=post,
            reason=reason,
            details={"attachment": attachment.pk},
        )
        if approval == AttachmentApproval.REJECTED:
            tasks.moderation_notice_send.delay_on_commit(entry.pk)
        still_waiting = post.attachments.filter(
            is_image=True, approval=AttachmentApproval.PENDING
        ).exists()
        if not still_waiting:
            _close_open_item(
                post, actor=actor, resolution=Resolution.AGREE, kinds=[ReviewKind.IMAGE]
            )


def attachment_approve(*, actor, attachment: PostAttachment, reason: str = "") -> None:
    """Let readers see an image attached to a post."""
    _decide_image(attachment, actor=actor, approval=AttachmentApproval.APPROVED, reason=reason)


def attachment_reject(*, actor, attachment: PostAttachment, reason: str = "") -> None:
    """Refuse an image: nobody sees it, and its file is deleted."""
    _decide_image(attachment, actor=actor, approval=AttachmentApproval.REJECTED, reason=reason)


# --- Ending queue items ----------------------------------------------------------------------

# The decisions that leave a hidden post hidden (the others show it or never saw it up).
_LEAVE_HIDDEN = frozenset({Decision.HIDE, Decision.KEEP, Decision.IGNORE})


def review_resolve(*, actor, item: ReviewItem, decision: str, note: str = "") -> ReviewItem:
    """End a queue item with a decision (see the module docstring for what each does to
    the post), a recorded resolution, and optionally a private note."""
    check_moderates(actor, item.post.thread.category)
    choices = Decision.choices_for(item)
    if decision not in choices:
        raise ValidationError("Choose what to do with this post.", code="decision")
    # Only taking their own post down is a moderator's to decide: publishing it,
    # disagreeing with its reports, or closing them with the post left as it is (keep,
    # ignore) is another moderator's judgement.
    if decision not in (Decision.HIDE, Decision.REMOVE):
        check_not_own(actor, item.post)
    note = (note or "").strip()
    with transaction.atomic(durable=True):
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        if not item.is_open:
            raise ValidationError(
                "Another moderator has already dealt with this item.", code="resolved"
            )
        post = locked_post(item.post)
        item.resolution = Decision.RESOLUTION[decision]
        item.resolved_by = actor
        item.resolved_at = timezone.now()
        item.save(update_fields=["resolution", "resolved_by", "resolved_at"])
        if note:
            ReviewNote.objects.create(item=item, author=actor, text=note[:2000])
        label = choices[decision]
        if decision == Decision.PUBLISH:
            if post.state != PostState.HELD:
                raise ValidationError("This post is no longer waiting for review.", code="state")
            publishing.post_publish(post=post, actor=actor)
        elif decision == Decision.REMOVE:
            if post.state != PostState.HELD:
                raise ValidationError("This post is no longer waiting for review.", code="state")
            _reject(post, actor=actor, reason=label)
        # A decision that leaves hidden a post its reports hid (agreeing, keeping it as it
        # is now, or closing the item) is the one its author hears of: readers now see
        # that the moderators hid it (hiding a visible post tells them through _hide). A
        # post a moderator hid by hand while its reports waited was told of then: once is
        # enough.
        leaves_hidden = decision in _LEAVE_HIDDEN and post.state == PostState.HIDDEN
        tell = leaves_hidden and not _hidden_by_a_moderator(post)
        # Left hidden after the moderators had kept it up: its reporters hear that it is
        # hidden now (reversals).
        reversed_keep = reversals.reversal_details(post, showing=False) if leaves_hidden else {}
        reversed_earlier = reversed_keep
        if decision == Decision.HIDE and post.state == PostState.VISIBLE:
            reversed_earlier = _hide(post, actor=actor, reason=label)
        elif decision == Decision.DISAGREE and post.state == PostState.HIDDEN:
            reversed_earlier = _restore(post, actor=actor, reason=label)
        # Images still waiting (a report that arrived meanwhile took over their
        # item, or a held post just went up) keep an item of their own.
        publishing.image_review_open(post)
        if post.hidden_by_reports:
            # Whatever was decided, a moderator has now left the post hidden: it no longer
            # waits on its reports, and readers are told the moderators hid it.
            post.hidden_by_reports = False
            post.save(update_fields=["hidden_by_reports"])
        entry = audit_record(
            actor=actor,
            action=ModerationActionKind.RESOLVE,
            post=post,
            reason=label,
            details={
                "item": item.pk,
                "kind": item.kind,
                "resolution": item.resolution,
                "decision": decision,
                "reports": item.report_count,
                # Whether the post is up after it: a post left as it was may be either.
                "post_state": post.state,
                **reversed_keep,
                # Its reporters hear of a reversal from the reversal email alone.
                **({outcomes.TOLD_AS_REVERSAL: True} if reversed_earlier else {}),
            },
        )
        if tell:
            tasks.moderation_notice_send.delay_on_commit(entry.pk)
        if reversed_keep:
            tasks.decision_reversed_send.delay_on_commit(entry.pk)
        if item.report_count:
            tasks.report_decided_send.delay_on_commit(entry.pk)
