"""Telling members what a moderator decided about what they wrote: a post hidden or not
published, a thread they started hidden, an image not approved, a file taken down, a
suspension from posting.

One email for each decision, from the moderation log entry that records it, sent by a
Celery task (tasks.moderation_notice_send, queued by each action after it commits) and
claimed in ForumEmail under the entry's id before it goes, so a retried task never sends
it twice. Like every forum email it names
the thread, never the post's text. It gives the reason a moderator typed; the labels of
the review queue's choices ("Agree: hide the post") are the moderators' words, not a
reason, and for a reported post the reports' reasons (never who reported) stand instead.
A decision undone before the email goes (a post shown again, a suspension lifted) sends
nothing; one reversed later is told again (reversals.py). A moderator acting on their own
post is not emailed about it.
"""

from django.urls import reverse
from django.utils import timezone

from forum.models import (
    EmailKind,
    ModerationAction,
    ModerationActionKind,
    PostAttachment,
    PostState,
    Report,
    ReportReason,
    Resolution,
    Suspension,
    ThreadState,
)
from forum.moderation.queue import Decision
from forum.notifications import email_send_once
from forum.services.publishing import REVERSES, WITH_OPENING_POST
from network.mail import build_email, site_url

# The entries whose subject hears of them.
TOLD = frozenset(
    {
        ModerationActionKind.HIDE,
        ModerationActionKind.REJECT,
        ModerationActionKind.REJECT_IMAGE,
        ModerationActionKind.REMOVE_FILE,
        ModerationActionKind.SUSPEND,
        ModerationActionKind.HIDE_THREAD,  # the thread by itself (its starter hears)
        ModerationActionKind.RESOLVE,  # leaving hidden a post its reports hid
    }
)
# The queue's decisions on a reported post that can leave it hidden (the post is hidden
# still when the notice goes): each tells its author, as agreeing does.
_LEFT_HIDDEN = frozenset({Decision.HIDE, Decision.KEEP, Decision.IGNORE})
_QUEUE_LABELS = frozenset({*Decision.FOR_HELD.values(), *Decision.FOR_REPORTED.values()})


def moderators_reason(entry: ModerationAction) -> str:
    return "" if entry.reason in _QUEUE_LABELS else entry.reason


def _reported_as(post) -> list[str]:
    """The reasons of the post's reports, but not of those a moderator disagreed with
    earlier: a report found groundless (could identify a child, say) is no reason the post
    was hidden later for something else."""
    reasons = (
        Report.objects.filter(post=post)
        .exclude(review_item__resolution=Resolution.DISAGREE)
        .values_list("reason", flat=True)
        .distinct()
    )
    return sorted({ReportReason(reason).label for reason in reasons})


def _what_happened(entry: ModerationAction) -> dict | None:
    """The notice's subject and words, or None when there is nothing (left) to tell."""
    now = timezone.now()
    if entry.action == ModerationActionKind.SUSPEND:
        suspension = Suspension.objects.in_force(now=now).filter(member=entry.member).first()
        if suspension is None:
            return None
        return {
            "recipient": entry.member,
            "subject": "You are suspended from posting in the forum",
            "suspension": suspension,
            "reason": suspension.reason,
        }
    if entry.action == ModerationActionKind.HIDE_THREAD:
        return _thread_hidden(entry)
    post = entry.post
    if post is None or post.author is None:
        return None
    context = {"recipient": post.author, "post": post, "thread": entry.thread or post.thread}
    title = context["thread"].title
    if entry.action == ModerationActionKind.REJECT_IMAGE:
        attachment = PostAttachment.objects.filter(pk=entry.details.get("attachment")).first()
        return {
            **context,
            "subject": f"An image you attached in “{title}” was not approved",
            "filename": attachment.original_filename if attachment else "",
            "reason": moderators_reason(entry),
        }
    if entry.action == ModerationActionKind.REMOVE_FILE:
        # Never its name, which may be what identified a child (and is gone from the
        # row): the thread, the post's date and a link say which file it was.
        return {
            **context,
            "subject": f"A file you attached in “{title}” was removed by a moderator",
            "reason": moderators_reason(entry),
        }
    if post.state != PostState.HIDDEN:
        return None  # shown again meanwhile
    if entry.action == ModerationActionKind.RESOLVE and entry.details.get("decision") not in (
        _LEFT_HIDDEN
    ):
        return None
    if entry.action == ModerationActionKind.REJECT:
        return {
            **context,
            "subject": f"Your post in “{title}” was not published",
            "rejected": True,
            "reason": moderators_reason(entry),
        }
    # Hidden after the moderators had kept it up (reversals.py): "now", so the author does
    # not take it for the earlier decision.
    reversal = bool((entry.details or {}).get(REVERSES))
    return {
        **context,
        "subject": f"Your post in “{title}” "
        + ("has now been hidden by a moderator" if reversal else "was hidden by a moderator"),
        "reversal": reversal,
        # Hidden first by its reports, while the moderators looked (the thread said so).
        "confirmed": entry.action == ModerationActionKind.RESOLVE,
        "reason": moderators_reason(entry),
        "reported_as": _reported_as(post),
    }


def _thread_hidden(entry: ModerationAction) -> dict | None:
    """A moderator hid a whole thread: its starter is told, as they would be of their post
    (hidden with its opening post, the thread goes with the post's own notice)."""
    thread = entry.thread
    if thread is None or thread.author is None or thread.state != ThreadState.HIDDEN:
        return None  # shown again meanwhile
    if (entry.details or {}).get(WITH_OPENING_POST):
        return None
    return {
        "recipient": thread.author,
        "thread": thread,
        "subject": f"Your thread “{thread.title}” was hidden by a moderator",
        "reason": moderators_reason(entry),
    }


def moderation_notice_send(entry: ModerationAction) -> bool:
    """Email the member what `entry` decided about them, once; False when nothing went."""
    if entry.action not in TOLD or entry.actor_id is None:
        return False
    told = _what_happened(entry)
    if told is None:
        return False
    recipient = told["recipient"]
    if not recipient.is_active or recipient.pk == entry.actor_id:
        return False
    post = told.get("post")
    # A hidden thread answers "not found" to its author too: no link to where it was.
    thread_shown = post is not None and post.thread.state == ThreadState.VISIBLE
    return email_send_once(
        key=f"told:{entry.pk}",
        recipient=recipient,
        kind=EmailKind.MODERATION_NOTICE,
        thread=entry.thread,
        post=entry.post,
        build=lambda: build_email(
            template="forum/emails/moderation_notice",
            context={
                **told,
                "action": entry.action,
                # The post's own place on its page (where the thread says it was hidden):
                # on a long thread, the top of page 1 would leave them to look for it.
                "post_url": site_url(post.get_absolute_url()) if thread_shown else "",
                # An opening post hidden (or refused) takes its thread with it.
                "thread_hidden": post is not None and post.post_number == 1 and not thread_shown,
                "contact_url": site_url(reverse("contact")),
            },
            subject=told["subject"],
            to=[recipient.email],
        ),
    )
