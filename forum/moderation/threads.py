"""Moderation of threads: lock, pin, hide, restore, move, merge and retitle."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from forum import tasks
from forum.models import (
    Category,
    Follow,
    ModerationActionKind,
    Notification,
    Post,
    PostState,
    Thread,
    ThreadState,
    content_hash,
)
from forum.moderation.checks import check_moderates, check_not_own, clean_reason, locked_thread
from forum.services.audit import audit_record
from forum.services.posting import clean_title
from forum.services.publishing import (
    category_recount,
    thread_recount,
    thread_search_index,
)

# --- Threads --------------------------------------------------------------------------------


def _thread_flag(*, actor, thread: Thread, name: str, value: bool, action: str, reason: str):
    check_moderates(actor, thread.category)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        thread = locked_thread(thread)
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
    check_moderates(actor, thread.category)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        thread = locked_thread(thread)
        if thread.state != ThreadState.VISIBLE or thread.merged_into_id:
            raise ValidationError("Only a visible thread can be hidden.", code="state")
        thread.state = ThreadState.HIDDEN
        thread.save(update_fields=["state"])
        category_recount(thread.category)
        entry = audit_record(
            actor=actor, action=ModerationActionKind.HIDE_THREAD, thread=thread, reason=reason
        )
        # Its starter is told, as they are of a post of theirs hidden (notices.py).
        tasks.moderation_notice_send.delay_on_commit(entry.pk)
    return thread


def thread_restore(*, actor, thread: Thread, reason: str = "") -> Thread:
    """List a hidden thread again (a held one is approved through its opening post)."""
    check_moderates(actor, thread.category)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        thread = locked_thread(thread)
        if thread.state != ThreadState.HIDDEN:
            raise ValidationError("Only a hidden thread can be restored.", code="state")
        opening = Post.objects.filter(thread=thread, post_number=1).only("state", "author").first()
        if opening is None or opening.state != PostState.VISIBLE:
            raise ValidationError(
                "Its opening post is not visible: restore or approve that post instead.",
                code="opening",
            )
        # Bringing a thread back puts its opening post up again: not one's own.
        check_not_own(actor, opening)
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
    check_moderates(actor, thread.category)
    check_moderates(actor, category)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        thread = locked_thread(thread)
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
    check_moderates(actor, thread.category)
    check_moderates(actor, into.category)
    reason = clean_reason(reason)
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


def thread_retitle(*, actor, thread: Thread, title: str, reason: str) -> Thread:
    """Give a thread a new title (and the address words made from it), with a reason, in
    the moderation log: who, when, why, and fingerprints of the old and the new title.

    A title is changed above all to take out what identifies someone, so the log, which
    nobody may change, keeps the titles' hashes only, as a redaction's does: enough to
    confirm what it was changed from and to when someone quotes the old title, without
    keeping it. Who may is decided by the caller (the admin: permission to change
    threads)."""
    title = clean_title(title)
    reason = clean_reason(
        reason,
        required=True,
        what="Give a reason for changing the title: moderators see it in the thread's log.",
    )
    # Not durable: the admin saves its change form in a transaction of its own, and the
    # title changes with that form's save or not at all.
    with transaction.atomic():
        thread = locked_thread(thread)
        before = thread.title
        if title == before:
            return thread
        thread.title = title
        # The address carries the title's words too ("/t/12/sam-went-missing/").
        thread.slug = slugify(title)[:200] or "thread"
        thread.save(update_fields=["title", "slug"])
        thread_search_index(thread)
        audit_record(
            actor=actor,
            action=ModerationActionKind.RETITLE,
            thread=thread,
            reason=reason,
            hash_before=content_hash(before),
            hash_after=content_hash(title),
        )
    return thread
