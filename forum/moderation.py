"""Moderation: what moderators do to posts, threads and members, and how the review
queue's items end.

Every operation here is one named action (`<noun>_<verb>`): it checks that the actor may
moderate where it acts (members/access.py), changes the rows, keeps the denormalised
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
"""

import difflib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from forum import screening, services
from forum.models import (
    AttachmentApproval,
    Category,
    Follow,
    ModerationAction,
    ModerationActionKind,
    Notification,
    NotificationKind,
    Post,
    PostAttachment,
    PostRevision,
    PostState,
    Report,
    Resolution,
    ReviewItem,
    ReviewKind,
    ReviewNote,
    Suspension,
    Thread,
    ThreadState,
    content_hash,
)
from forum.services import (
    audit_record,
    category_recount,
    post_search_index,
    thread_recount,
    thread_search_index,
)
from members import access
from network.markup import MARKUP_RENDERER_VERSION, render_markdown

logger = logging.getLogger(__name__)

# The queue item kind for images waiting on a post that is already up (the members' side
# opens these when a post with images is published).
IMAGE_REVIEW = "image"

# The members' side's Celery task that tells followers, mentioned and quoted members about
# a post that has just become visible. Named by string: the hook below enqueues it.
POST_ANNOUNCE_TASK = "forum.tasks.post_notify"

REASON_MAX_LENGTH = 300


class Decision:
    """What a moderator decides on a queue item (see the module docstring)."""

    PUBLISH = "publish"
    REMOVE = "remove"
    HIDE = "hide"
    KEEP = "keep"
    DISAGREE = "disagree"
    IGNORE = "ignore"

    FOR_HELD = {
        PUBLISH: "Agree: publish the post",
        REMOVE: "Agree: remove the post (it stays out of the forum)",
    }
    FOR_REPORTED = {
        HIDE: "Agree: hide the post",
        KEEP: "Agree, and I have edited or redacted the post: leave it as it is now",
        DISAGREE: "Disagree: nothing wrong, show the post again",
        IGNORE: "Ignore: close the item and leave the post as it is now",
    }
    RESOLUTION = {
        PUBLISH: Resolution.AGREE,
        REMOVE: Resolution.AGREE,
        HIDE: Resolution.AGREE,
        KEEP: Resolution.AGREE,
        DISAGREE: Resolution.DISAGREE,
        IGNORE: Resolution.IGNORE,
    }

    @classmethod
    def choices_for(cls, item: ReviewItem) -> dict[str, str]:
        if item.kind == ReviewKind.HELD:
            return cls.FOR_HELD
        if item.kind == ReviewKind.REPORTED:
            return cls.FOR_REPORTED
        return {}


# --- Checks ------------------------------------------------------------------------------


def _check_moderates(actor, category: Category) -> None:
    if not access.is_category_moderator(actor, category):
        raise PermissionDenied("You do not moderate this category.")


def _clean_reason(reason: str, *, required: bool = False, what: str = "Give a reason.") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError(what, code="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            f"Keep the reason to {REASON_MAX_LENGTH} characters (it has {len(reason)}).",
            code="reason",
        )
    return reason


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError("The post cannot be empty.", code="body")
    limit = settings.FORUM_POST_MAX_LENGTH
    if len(body) > limit:
        raise ValidationError(
            f"Keep the post to {limit:,} characters (it has {len(body):,}).", code="body"
        )
    return body


# --- Counters and search -------------------------------------------------------------------


def _recount(thread: Thread) -> None:
    thread_recount(thread)
    category_recount(thread.category)


# --- Hooks to the members' side --------------------------------------------------------------


def post_announce(post: Post) -> None:
    """Hook: after the commit, send the notifications a newly visible post owes (followers,
    mentions, quotes), through the members' side's task POST_ANNOUNCE_TASK. A post held
    for review sent none when it was written; this is when they go out."""
    post_id = post.pk

    def enqueue() -> None:
        from network.celery import app

        task = app.tasks.get(POST_ANNOUNCE_TASK)
        if task is None:
            logger.error("no task %s to announce post %s", POST_ANNOUNCE_TASK, post_id)
            return
        task.delay(post_id)

    transaction.on_commit(enqueue)


# --- Posts ---------------------------------------------------------------------------------


def _set_state(post: Post, state: str) -> None:
    post.state = state
    post.state_changed_at = timezone.now()
    post.save(update_fields=["state", "state_changed_at"])


def _close_open_item(post: Post, *, actor, resolution: str, kinds: Iterable[str]) -> None:
    ReviewItem.objects.filter(post=post, resolved_at__isnull=True, kind__in=list(kinds)).update(
        resolution=resolution, resolved_by=actor, resolved_at=timezone.now()
    )


def _open_image_item_if_waiting(post: Post) -> None:
    """A visible post whose images still wait keeps an item in the queue for them."""
    if post.state != PostState.VISIBLE:
        return
    waiting = post.attachments.filter(is_image=True, approval=AttachmentApproval.PENDING)
    if waiting.exists() and not ReviewItem.objects.filter(post=post, resolved_at=None).exists():
        ReviewItem.objects.create(post=post, kind=IMAGE_REVIEW)


def _publish(
    post: Post, *, actor, reason: str = "", thread_state_from: str = ThreadState.HELD
) -> None:
    _set_state(post, PostState.VISIBLE)
    thread = post.thread
    if post.post_number == 1 and thread.state == thread_state_from:
        thread.state = ThreadState.VISIBLE
        thread.save(update_fields=["state"])
        thread_search_index(thread)
    _recount(thread)
    post_search_index(post)
    audit_record(
        actor=actor,
        action=ModerationActionKind.APPROVE,
        post=post,
        reason=reason,
        hash_before=content_hash(post.body),
        hash_after=content_hash(post.body),
    )
    if post.author_id:
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=post.author_id,
                    kind=NotificationKind.POST_APPROVED,
                    thread=thread,
                    post=post,
                    actor=actor,
                )
            ],
            ignore_conflicts=True,
        )
    post_announce(post)


def publish_held_post(*, actor, post: Post) -> Post:
    """Approve a post held for review: it becomes visible (its thread too, if it opens
    one), counts, is searchable, its author is told, and the notifications it did not
    send while held go out after the commit. Its held queue item ends as agreed."""
    _check_moderates(actor, post.thread.category)
    with transaction.atomic(durable=True):
        post = _locked(post)
        if post.state != PostState.HELD:
            raise ValidationError("This post is not waiting for review.", code="state")
        _close_open_item(post, actor=actor, resolution=Resolution.AGREE, kinds=[ReviewKind.HELD])
        _publish(post, actor=actor)
        _open_image_item_if_waiting(post)
    return post


def _reject(post: Post, *, actor, reason: str) -> None:
    _set_state(post, PostState.HIDDEN)
    thread = post.thread
    if post.post_number == 1 and thread.state == ThreadState.HELD:
        # The thread never went up; it stays out of every listing.
        thread.state = ThreadState.HIDDEN
        thread.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action=ModerationActionKind.REJECT,
        post=post,
        reason=reason,
        hash_before=content_hash(post.body),
        hash_after=content_hash(post.body),
    )


def post_reject(*, actor, post: Post, reason: str = "") -> Post:
    """Refuse a held post: it never goes up (its author still sees it, as hidden)."""
    _check_moderates(actor, post.thread.category)
    reason = _clean_reason(reason)
    with transaction.atomic(durable=True):
        post = _locked(post)
        if post.state != PostState.HELD:
            raise ValidationError("This post is not waiting for review.", code="state")
        _close_open_item(post, actor=actor, resolution=Resolution.AGREE, kinds=[ReviewKind.HELD])
        _reject(post, actor=actor, reason=reason)
    return post


def _hide(post: Post, *, actor, reason: str) -> None:
    """Callers have checked that the post is not hidden already."""
    services.post_hide(post=post, actor=actor, reason=reason)


def post_hide(*, actor, post: Post, reason: str = "") -> Post:
    """Take a visible post out of sight: readers see "hidden by the moderators"."""
    _check_moderates(actor, post.thread.category)
    reason = _clean_reason(reason)
    with transaction.atomic(durable=True):
        post = _locked(post)
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


def _restore(post: Post, *, actor, reason: str) -> None:
    if _was_rejected_unseen(post):
        # Showing a post that was refused while held is its first publication: it gets
        # its thread back, its author is told and its notifications go out now.
        _publish(post, actor=actor, reason=reason, thread_state_from=ThreadState.HIDDEN)
        return
    _set_state(post, PostState.VISIBLE)
    _recount(post.thread)
    post_search_index(post)
    audit_record(
        actor=actor,
        action=ModerationActionKind.RESTORE,
        post=post,
        reason=reason,
        hash_before=content_hash(post.body),
        hash_after=content_hash(post.body),
    )


def post_restore(*, actor, post: Post, reason: str = "") -> Post:
    """Show a hidden post again (a held post is approved instead; see publish_held_post)."""
    _check_moderates(actor, post.thread.category)
    reason = _clean_reason(reason)
    with transaction.atomic(durable=True):
        post = _locked(post)
        if post.state != PostState.HIDDEN:
            raise ValidationError("Only a hidden post can be restored.", code="state")
        _restore(post, actor=actor, reason=reason)
    return post


def _locked(post: Post) -> Post:
    """The post's row, locked for the rest of the transaction (two moderators acting on
    the same post at once act one after the other)."""
    return Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)


def _rewrite(post: Post, *, actor, body: str, reason: str) -> None:
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


def post_moderator_edit(*, actor, post: Post, body: str, reason: str) -> Post:
    """Edit a post as a moderator. The reason is shown to readers under the post
    ("Edited by a moderator: …"); the earlier text is kept as a revision."""
    _check_moderates(actor, post.thread.category)
    body = _clean_body(body)
    reason = _clean_reason(
        reason, required=True, what="Give a reason: readers see it under the post."
    )
    with transaction.atomic(durable=True):
        post = _locked(post)
        if post.state == PostState.REMOVED:
            raise ValidationError("This post was removed by its author.", code="state")
        if body == post.body:
            raise ValidationError("The text is unchanged.", code="unchanged")
        before = content_hash(post.body)
        PostRevision.objects.create(post=post, body=post.body, edited_by=actor, reason=reason)
        _rewrite(post, actor=actor, body=body, reason=reason)
        audit_record(
            actor=actor,
            action=ModerationActionKind.EDIT,
            post=post,
            reason=reason,
            hash_before=before,
            hash_after=content_hash(body),
        )
    return post


_WORD = re.compile(r"\w+", re.UNICODE)


def removed_words(before: str, after: str) -> set[str]:
    """The words of `before` that a redaction took out (lower case): words in the deleted
    or replaced stretches that appear nowhere in `after`."""
    old = _WORD.findall(before.lower())
    new = _WORD.findall(after.lower())
    kept = set(new)
    removed: set[str] = set()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed.update(word for word in old[i1:i2] if word not in kept)
    return removed


def _holds_any(text: str, words: set[str]) -> bool:
    return bool(words.intersection(_WORD.findall(text.lower())))


@dataclass
class Redaction:
    post: Post
    revisions_purged: int
    # Other posts of the thread that still hold a removed word (quotes, usually).
    posts_still_holding: list[Post] = field(default_factory=list)


def post_redact(
    *,
    actor,
    post: Post,
    body: str,
    reason: str,
    purge_all_revisions: bool = False,
    title: str | None = None,
) -> Redaction:
    """Take text out of a post for good: the new text replaces it, every earlier revision
    that held a removed word is deleted (all of them with `purge_all_revisions`), no
    revision of the removed text is kept, the HTML is rendered again and the search
    vector rebuilt. For an opening post, `title` replaces the thread's title (and the
    words in its address) too. The audit log keeps hashes only."""
    _check_moderates(actor, post.thread.category)
    body = _clean_body(body)
    reason = _clean_reason(
        reason, required=True, what="Give a reason: readers see it under the post."
    )
    with transaction.atomic(durable=True):
        post = _locked(post)
        thread = post.thread
        new_title = _redacted_title(thread, post, title)
        if body == post.body and new_title is None:
            raise ValidationError("The text is unchanged: take out what must go.", code="unchanged")
        words = removed_words(post.body, body)
        if new_title is not None:
            words |= removed_words(thread.title, new_title)
        if not words and not purge_all_revisions:
            raise ValidationError(
                "Nothing was taken out. To change wording only, edit the post instead.",
                code="nothing_removed",
            )
        before = content_hash(post.body)
        details = {"all_revisions": purge_all_revisions}
        revisions = PostRevision.objects.filter(post=post)
        if not purge_all_revisions:
            holding = [r.pk for r in revisions.only("pk", "body") if _holds_any(r.body, words)]
            revisions = revisions.filter(pk__in=holding)
        purged, _ = revisions.delete()
        details["revisions_purged"] = purged
        if new_title is not None:
            details["title_hash_before"] = content_hash(thread.title)
            details["title_hash_after"] = content_hash(new_title)
            thread.title = new_title
            thread.slug = slugify(new_title)[:200] or "thread"
            thread.save(update_fields=["title", "slug"])
            thread_search_index(thread)
        if body != post.body:
            _rewrite(post, actor=actor, body=body, reason=reason)
        audit_record(
            actor=actor,
            action=ModerationActionKind.REDACT,
            post=post,
            reason=reason,
            hash_before=before,
            hash_after=content_hash(body),
            details=details,
        )
        others = [
            other
            for other in Post.objects.filter(thread_id=post.thread_id)
            .exclude(pk=post.pk)
            .only("pk", "post_number", "body", "thread_id")
            .iterator()
            if words and _holds_any(other.body, words)
        ]
    return Redaction(post=post, revisions_purged=purged, posts_still_holding=others)


def _redacted_title(thread: Thread, post: Post, title: str | None) -> str | None:
    """The thread's new title when a redaction of its opening post changes it, else None."""
    if title is None or post.post_number != 1:
        return None
    title = " ".join(title.split())
    if not title:
        raise ValidationError("The thread needs a title.", code="title")
    if len(title) > 200:
        raise ValidationError("Keep the title to 200 characters.", code="title")
    return None if title == thread.title else title


# --- Images ---------------------------------------------------------------------------------


def _decide_image(attachment: PostAttachment, *, actor, approval: str, reason: str) -> None:
    post = attachment.post
    _check_moderates(actor, post.thread.category)
    reason = _clean_reason(reason)
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
        audit_record(
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
        still_waiting = post.attachments.filter(
            is_image=True, approval=AttachmentApproval.PENDING
        ).exists()
        if not still_waiting:
            _close_open_item(post, actor=actor, resolution=Resolution.AGREE, kinds=[IMAGE_REVIEW])


def attachment_approve(*, actor, attachment: PostAttachment, reason: str = "") -> None:
    """Let readers see an image attached to a post."""
    _decide_image(attachment, actor=actor, approval=AttachmentApproval.APPROVED, reason=reason)


def attachment_reject(*, actor, attachment: PostAttachment, reason: str = "") -> None:
    """Refuse an image: nobody sees it, and its file is deleted."""
    _decide_image(attachment, actor=actor, approval=AttachmentApproval.REJECTED, reason=reason)


# --- Threads --------------------------------------------------------------------------------


def _locked_thread(thread: Thread) -> Thread:
    return Thread.objects.select_for_update().select_related("category").get(pk=thread.pk)


def _thread_flag(*, actor, thread: Thread, name: str, value: bool, action: str, reason: str):
    _check_moderates(actor, thread.category)
    reason = _clean_reason(reason)
    with transaction.atomic(durable=True):
        thread = _locked_thread(thread)
        if getattr(thread, name) == value:
            return thread
        setattr(thread, name, value)
        thread.save(update_fields=[name])
        audit_record(actor=actor, action=action, thread=thread, reason=reason)
    return thread


def thread_lock(*, actor, thread: Thread, reason: str = "") -> Thread:
    """No more replies (moderators still may)."""
    return _thread_flag(
        actor=actor,
        thread=thread,
        name="is_locked",
        value=True,
        action=ModerationActionKind.LOCK,
        reason=reason,
    )


def thread_unlock(*, actor, thread: Thread, reason: str = "") -> Thread:
    return _thread_flag(
        actor=actor,
        thread=thread,
        name="is_locked",
        value=False,
        action=ModerationActionKind.UNLOCK,
        reason=reason,
    )


def thread_pin(*, actor, thread: Thread, reason: str = "") -> Thread:
    """Listed first in its category."""
    return _thread_flag(
        actor=actor,
        thread=thread,
        name="is_pinned",
        value=True,
        action=ModerationActionKind.PIN,
        reason=reason,
    )


def thread_unpin(*, actor, thread: Thread, reason: str = "") -> Thread:
    return _thread_flag(
        actor=actor,
        thread=thread,
        name="is_pinned",
        value=False,
        action=ModerationActionKind.UNPIN,
        reason=reason,
    )


def thread_hide(*, actor, thread: Thread, reason: str = "") -> Thread:
    """Take a whole thread out of its category's listing (spam, or a thread that should
    not exist); its posts keep their own states, so restoring brings it back as it was."""
    _check_moderates(actor, thread.category)
    reason = _clean_reason(reason)
    with transaction.atomic(durable=True):
        thread = _locked_thread(thread)
        if thread.state != ThreadState.VISIBLE or thread.merged_into_id:
            raise ValidationError("Only a visible thread can be hidden.", code="state")
        thread.state = ThreadState.HIDDEN
        thread.save(update_fields=["state"])
        category_recount(thread.category)
        audit_record(
            actor=actor, action=ModerationActionKind.HIDE_THREAD, thread=thread, reason=reason
        )
    return thread


def thread_restore(*, actor, thread: Thread, reason: str = "") -> Thread:
    """List a hidden thread again (a held one is approved through its opening post)."""
    _check_moderates(actor, thread.category)
    reason = _clean_reason(reason)
    with transaction.atomic(durable=True):
        thread = _locked_thread(thread)
        if thread.state != ThreadState.HIDDEN:
            raise ValidationError("Only a hidden thread can be restored.", code="state")
        opening = Post.objects.filter(thread=thread, post_number=1).only("state").first()
        if opening is None or opening.state != PostState.VISIBLE:
            raise ValidationError(
                "Its opening post is not visible: restore or approve that post instead.",
                code="opening",
            )
        thread.state = ThreadState.VISIBLE
        thread.save(update_fields=["state"])
        thread_recount(thread)
        category_recount(thread.category)
        audit_record(
            actor=actor, action=ModerationActionKind.RESTORE_THREAD, thread=thread, reason=reason
        )
    return thread


def thread_move(*, actor, thread: Thread, category: Category, reason: str = "") -> Thread:
    """Move a thread to another category (the moderator must moderate both). Its address
    does not change; both categories' counters follow."""
    _check_moderates(actor, thread.category)
    _check_moderates(actor, category)
    reason = _clean_reason(reason)
    with transaction.atomic(durable=True):
        thread = _locked_thread(thread)
        if thread.merged_into_id:
            raise ValidationError("This thread was merged into another.", code="merged")
        source = thread.category
        if source.pk == category.pk:
            raise ValidationError("The thread is already in this category.", code="same")
        thread.category = category
        thread.save(update_fields=["category"])
        category_recount(source)
        category_recount(category)
        audit_record(
            actor=actor,
            action=ModerationActionKind.MOVE,
            thread=thread,
            reason=reason,
            details={
                "from_category": source.pk,
                "from_category_name": source.name,
                "to_category": category.pk,
                "to_category_name": category.name,
            },
        )
    return thread


def thread_merge(*, actor, thread: Thread, into: Thread, reason: str = "") -> Thread:
    """Merge `thread` into `into`: its posts move to the end of `into`, numbered after
    `into`'s last number in their old order; its followers follow `into`; its address
    redirects to `into` (merged_into). Counters and last posts of both threads and both
    categories are recomputed."""
    _check_moderates(actor, thread.category)
    _check_moderates(actor, into.category)
    reason = _clean_reason(reason)
    if thread.pk == into.pk:
        raise ValidationError("A thread cannot be merged into itself.", code="same")
    with transaction.atomic(durable=True):
        # Lock both rows in id order so two merges of the same pair cannot deadlock.
        rows = {
            t.pk: t
            for t in Thread.objects.select_for_update()
            .select_related("category")
            .filter(pk__in=[thread.pk, into.pk])
            .order_by("pk")
        }
        thread, into = rows[thread.pk], rows[into.pk]
        if thread.merged_into_id or into.merged_into_id:
            raise ValidationError(
                "One of these threads was already merged into another.", code="merged"
            )
        if thread.state != ThreadState.VISIBLE or into.state != ThreadState.VISIBLE:
            raise ValidationError(
                "Both threads must be visible: approve or restore them first.", code="state"
            )
        offset = into.post_number_counter
        moved = Post.objects.filter(thread=thread).count()
        # Numbers above `into`'s counter are free, so one UPDATE keeps them unique.
        Post.objects.filter(thread=thread).update(
            thread=into, post_number=F("post_number") + offset
        )
        Thread.objects.filter(pk=into.pk).update(
            post_number_counter=offset + thread.post_number_counter
        )
        Thread.objects.filter(pk=thread.pk).update(merged_into=into)
        # Followers of the merged thread follow the one it became part of.
        already = Follow.objects.filter(thread=into).values("user")
        Follow.objects.filter(thread=thread).exclude(user__in=already).update(thread=into)
        Follow.objects.filter(thread=thread).delete()
        Notification.objects.filter(thread=thread).update(thread=into)
        thread.merged_into = into
        thread_recount(thread)
        thread_recount(into)
        category_recount(thread.category)
        if into.category_id != thread.category_id:
            category_recount(into.category)
        audit_record(
            actor=actor,
            action=ModerationActionKind.MERGE,
            thread=thread,
            reason=reason,
            details={
                "into_thread": into.pk,
                "posts_moved": moved,
                "number_offset": offset,
            },
        )
    return thread


def merged_post_address(thread: Thread, post_number: int) -> tuple[Thread, int]:
    """Where post `post_number` of a merged thread is now: the thread it went to and its
    number there (following merges of merges), for redirecting old post links."""
    seen = {thread.pk}
    while thread.merged_into_id:
        merge = (
            ModerationAction.objects.filter(thread_id=thread.pk, action=ModerationActionKind.MERGE)
            .order_by("-created_at", "-id")
            .first()
        )
        offset = (merge.details.get("number_offset", 0) if merge else 0) or 0
        thread = Thread.objects.select_related("category").get(pk=thread.merged_into_id)
        post_number += offset
        if thread.pk in seen:
            break  # a loop cannot be made through thread_merge; stop rather than spin
        seen.add(thread.pk)
    return thread, post_number


# --- Members ---------------------------------------------------------------------------------


def member_suspend(*, actor, member, until: datetime | None, reason: str) -> Suspension:
    """Stop a member posting (and reporting, reacting, editing) until `until`, or until
    a moderator lifts it when `until` is None. The reason is shown to the member."""
    if not access.can_suspend_from_forum(actor):
        raise PermissionDenied("Only forum moderators may suspend members.")
    reason = _clean_reason(
        reason, required=True, what="Give a reason: the member sees it while suspended."
    )
    now = timezone.now()
    if member.pk == actor.pk:
        raise ValidationError("You cannot suspend yourself.", code="self")
    if until is not None and until <= now:
        raise ValidationError("The end of the suspension must be in the future.", code="until")
    with transaction.atomic(durable=True):
        current = Suspension.objects.in_force(now=now).filter(member=member).first()
        if current is not None:
            raise ValidationError(
                "This member is already suspended. Lift that suspension first to set "
                "a different one.",
                code="already",
            )
        suspension = Suspension.objects.create(
            member=member, starts_at=now, until=until, reason=reason, created_by=actor
        )
        audit_record(
            actor=actor,
            action=ModerationActionKind.SUSPEND,
            member=member,
            reason=reason,
            details={
                "suspension": suspension.pk,
                "until": until.isoformat() if until else None,
            },
        )
    access.forget_forum(member)
    return suspension


def suspension_lift(*, actor, suspension: Suspension, reason: str = "") -> Suspension:
    """End a suspension now."""
    if not access.can_suspend_from_forum(actor):
        raise PermissionDenied("Only forum moderators may lift suspensions.")
    reason = _clean_reason(reason)
    with transaction.atomic(durable=True):
        suspension = (
            Suspension.objects.select_for_update().select_related("member").get(pk=suspension.pk)
        )
        if not Suspension.objects.in_force().filter(pk=suspension.pk).exists():
            raise ValidationError("This suspension is not in force.", code="state")
        suspension.lifted_at = timezone.now()
        suspension.lifted_by = actor
        suspension.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(
            actor=actor,
            action=ModerationActionKind.LIFT_SUSPENSION,
            member=suspension.member,
            reason=reason,
            details={"suspension": suspension.pk},
        )
    access.forget_forum(suspension.member)
    return suspension


# --- The review queue -------------------------------------------------------------------------


def review_queue(user) -> QuerySet[ReviewItem]:
    """The open items `user` may act on: urgent ones first, then the oldest first, with
    everything the queue page shows fetched in a fixed number of queries."""
    return (
        ReviewItem.objects.open()
        .filter(access.moderated_categories_q(user, prefix="post__thread__category__"))
        .select_related("post__thread__category", "post__author")
        .prefetch_related(*_item_prefetches())
        .order_by("-is_urgent", "created_at", "pk")
    )


def resolved_items(user) -> QuerySet[ReviewItem]:
    """Items already dealt with, the latest first (the queue's history)."""
    return (
        ReviewItem.objects.filter(resolved_at__isnull=False)
        .filter(access.moderated_categories_q(user, prefix="post__thread__category__"))
        .select_related("post__thread__category", "post__author", "resolved_by")
        .prefetch_related(*_item_prefetches())
        .order_by("-resolved_at", "-pk")
    )


def _item_prefetches() -> list:
    return [
        Prefetch(
            "reports", queryset=Report.objects.select_related("reporter").order_by("created_at")
        ),
        "matched_patterns",
        Prefetch("notes", queryset=ReviewNote.objects.select_related("author")),
        Prefetch(
            "post__attachments",
            queryset=PostAttachment.objects.filter(is_image=True).order_by("pk"),
            to_attr="images",
        ),
    ]


def highlighted_body(post: Post, patterns: list) -> list[tuple[str, bool]]:
    """The post's text in pieces, the watch-list matches marked (for the queue)."""
    return screening.highlight_spans(post.body, screening.screen_text(post.body, patterns=patterns))


def review_note_add(*, actor, item: ReviewItem, text: str) -> ReviewNote:
    """A private note on a queue item, for the other moderators."""
    _check_moderates(actor, item.post.thread.category)
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write the note first.", code="text")
    if len(text) > 2000:
        raise ValidationError("Keep the note to 2,000 characters.", code="text")
    return ReviewNote.objects.create(item=item, author=actor, text=text)


def review_resolve(*, actor, item: ReviewItem, decision: str, note: str = "") -> ReviewItem:
    """End a queue item with a decision (see the module docstring for what each does to
    the post), a recorded resolution, and optionally a private note."""
    _check_moderates(actor, item.post.thread.category)
    choices = Decision.choices_for(item)
    if decision not in choices:
        raise ValidationError("Choose what to do with this post.", code="decision")
    note = (note or "").strip()
    with transaction.atomic(durable=True):
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        if not item.is_open:
            raise ValidationError(
                "Another moderator has already dealt with this item.", code="resolved"
            )
        post = _locked(item.post)
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
            _publish(post, actor=actor)
        elif decision == Decision.REMOVE:
            if post.state != PostState.HELD:
                raise ValidationError("This post is no longer waiting for review.", code="state")
            _reject(post, actor=actor, reason=label)
        elif decision == Decision.HIDE and post.state == PostState.VISIBLE:
            _hide(post, actor=actor, reason=label)
        elif decision == Decision.DISAGREE and post.state == PostState.HIDDEN:
            _restore(post, actor=actor, reason=label)
        # Images still waiting (a report that arrived meanwhile took over their
        # item, or a held post just went up) keep an item of their own.
        _open_image_item_if_waiting(post)
        audit_record(
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
            },
        )
    return item
