"""The moderation log: one append-only entry per moderation action."""

from forum.models import (
    ModerationAction,
    Post,
    Thread,
)


def audit_record(
    *,
    actor,
    action: str,
    post: Post | None = None,
    thread: Thread | None = None,
    member=None,
    reason: str = "",
    hash_before: str = "",
    hash_after: str = "",
    details: dict | None = None,
) -> ModerationAction:
    """Append one entry to the moderation log (`actor` None: done automatically).

    The target is named by ids, never by its title: a title can be redacted later, and
    the log, which nobody may change, must not keep what was taken out."""
    if post is not None and thread is None:
        thread = post.thread
    if post is not None:
        label = f"Post #{post.post_number} in thread {thread.pk}"
    elif thread is not None:
        label = f"Thread {thread.pk}"
    elif member is not None:
        label = f"Member {member} ({member.pk})"
    else:
        label = ""
    return ModerationAction.objects.create(
        actor=actor,
        actor_label=str(actor) if actor is not None else "",
        action=action,
        post=post,
        thread=thread,
        member=member,
        target_label=label[:300],
        reason=reason,
        hash_before=hash_before,
        hash_after=hash_after,
        details=details or {},
    )
