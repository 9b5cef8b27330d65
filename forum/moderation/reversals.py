"""Telling members when the moderators reverse a decision about whether a post is up: a
post a moderator hid shown again, or a post they kept up (disagreeing with its reports,
or closing them with the post left as it was, or showing it again) hidden after all.

The first decision reached its author by email (notices.py): a post hidden by a moderator,
or hidden by its reports and then left hidden by a moderator; and it reached the members who
reported the post (outcomes.py). When it is reversed, the author hears again in the same way
("visible again"; a hide already sends its own notice, which then says the post "has now
been hidden"), and so do the members whose reports of the post are waiting or were decided:
a decision on a queue item that reverses an earlier one is told to its reporters here alone. A reporter is told what became of the post, never who wrote it, who decided,
or the moderator's reason, which may speak of the author's circumstances; a thread hidden
with its opening post is not named, as its title may name a child.

Which decision is reversed is read from the moderation log when the action is taken, and
written into the action's own log entry (details[REVERSES], with the entry reversed), so the
task that sends (tasks.decision_reversed_send, queued after the commit) needs no guess. Each
email is claimed under the entry and its recipient before it goes, so a retried task sends
none twice; a reversal itself undone before the task runs sends nothing. The reporters
find the same news in their notifications on the site (outcomes.reporters_notify).
"""

from django.contrib.auth import get_user_model
from django.urls import reverse

from forum.models import (
    EmailKind,
    ForumEmail,
    ModerationAction,
    ModerationActionKind,
    NotificationKind,
    Post,
    PostState,
    Report,
    ThreadState,
)
from forum.moderation.notices import moderators_reason
from forum.moderation.outcomes import reporters_notify, reporters_to_email
from forum.moderation.queue import Decision
from forum.notifications import email_send_once
from forum.services.publishing import REVERSED_ENTRY, REVERSES
from network.mail import build_email, site_url

# What a reversal undoes (details[REVERSES]).
HIDING = "hide"  # the post was hidden by a moderator's decision; it is shown again
KEEPING = "keep"  # the post was kept up by a moderator's decision; it is hidden now

_SHOWN = "shown"
_HIDDEN = "hidden"
_DECISIONS = [
    ModerationActionKind.HIDE,
    ModerationActionKind.REJECT,
    ModerationActionKind.RESTORE,
    ModerationActionKind.RESOLVE,
]
# The decisions on reported posts that leave the post as it is.
_LEFT_AS_IT_WAS = frozenset({Decision.KEEP, Decision.IGNORE})


def _outcome(entry: ModerationAction) -> str | None:
    """Whether a moderator's log entry decided the post should be up or hidden, or None
    for one that decided neither (an image, an approval of a held post)."""
    if entry.action in (ModerationActionKind.HIDE, ModerationActionKind.REJECT):
        return _HIDDEN
    if entry.action == ModerationActionKind.RESTORE:
        return _SHOWN
    decision = (entry.details or {}).get("decision")
    if decision in (Decision.HIDE, Decision.REMOVE):
        return _HIDDEN
    if decision == Decision.DISAGREE:
        return _SHOWN
    if decision in _LEFT_AS_IT_WAS:
        # Left hidden, a post hidden by its reports stays hidden by that decision.
        state = (entry.details or {}).get("post_state")
        return {PostState.VISIBLE: _SHOWN, PostState.HIDDEN: _HIDDEN}.get(state)
    return None


def _last_decision(post: Post) -> tuple[str, ModerationAction] | None:
    """The moderators' latest decision on whether `post` is up, and its entry (hidden
    automatically by reports is nobody's decision)."""
    entries = ModerationAction.objects.filter(
        post_id=post.pk, action__in=_DECISIONS, actor__isnull=False
    ).order_by("-pk")
    for entry in entries:
        outcome = _outcome(entry)
        if outcome is not None:
            return outcome, entry
    return None


def reversal_details(post: Post, *, showing: bool) -> dict:
    """What to write in the log entry of an action that shows (`showing`) or hides `post`,
    when it reverses the moderators' latest decision on it; {} when it reverses none. Read
    before the action's own entry is written."""
    last = _last_decision(post)
    if last is None:
        return {}
    outcome, entry = last
    if showing and outcome == _HIDDEN and entry.action != ModerationActionKind.REJECT:
        return {REVERSES: HIDING, REVERSED_ENTRY: entry.pk}
    if not showing and outcome == _SHOWN:
        return {REVERSES: KEEPING, REVERSED_ENTRY: entry.pk}
    return {}


def _author_was_told(entry: ModerationAction) -> bool:
    """Was the author emailed that their post was hidden, by a decision since it was last
    shown (notices.py claims each notice as `told:<entry>`)? Whoever never heard that
    their post was hidden is not told it is back."""
    earlier = ModerationAction.objects.filter(post_id=entry.post_id, pk__lt=entry.pk)
    last_shown = (
        earlier.filter(action=ModerationActionKind.RESTORE).order_by("-pk").values("pk").first()
    )
    hidings = earlier.filter(
        action__in=[ModerationActionKind.HIDE, ModerationActionKind.RESOLVE],
        pk__gt=last_shown["pk"] if last_shown else 0,
    ).values_list("pk", flat=True)
    keys = [f"told:{pk}" for pk in hidings]
    return ForumEmail.objects.filter(key__in=keys, sent_at__isnull=False).exists()


def _reporters(post: Post, entry: ModerationAction):
    """The members whose reports of the post wait or were decided, each once."""
    reported = Report.objects.filter(post=post, review_item__isnull=False).values("reporter")
    return (
        get_user_model()
        .objects.filter(pk__in=reported, is_active=True)
        .exclude(pk=post.author_id)
        .exclude(pk=entry.actor_id)
        .order_by("pk")
    )


def decision_reversed_send(entry: ModerationAction) -> int:
    """Tell the author (a post shown again, by email) and the reporters of `entry`'s post
    (on the site and by email) that it reversed a decision; each once. Returns how many
    emails went."""
    details = entry.details or {}
    reverses = details.get(REVERSES)
    post = entry.post
    if post is None or reverses not in (HIDING, KEEPING):
        return 0
    shown = reverses == HIDING
    if post.state != (PostState.VISIBLE if shown else PostState.HIDDEN):
        return 0  # reversed again meanwhile
    thread = post.thread
    thread_shown = thread.state == ThreadState.VISIBLE
    context = {
        "post": post,
        "thread": thread,
        "shown": shown,
        "thread_shown": thread_shown,
        "post_url": site_url(post.get_absolute_url()) if shown and thread_shown else "",
        "contact_url": site_url(reverse("contact")),
    }
    sent = 0
    author = post.author
    if (
        shown
        and author is not None
        and author.is_active
        and author.pk != entry.actor_id
        and _author_was_told(entry)
    ):
        subject = f"Your post in “{thread.title}” is visible again"
        sent += _send(
            entry,
            author,
            EmailKind.MODERATION_NOTICE,
            subject,
            {**context, "as_author": True, "reason": moderators_reason(entry)},
        )
    where = f" in “{thread.title}”" if thread_shown else ""
    subject = (
        f"A post you reported{where} is visible again"
        if shown
        else f"A post you reported{where} has now been hidden"
    )
    reporters = list(_reporters(post, entry))
    reporters_notify(
        entry=entry,
        kind=(NotificationKind.REPORT_SHOWN_AGAIN if shown else NotificationKind.REPORT_HIDDEN_NOW),
        reporters=reporters,
    )
    for reporter in reporters_to_email(reporters):
        sent += _send(entry, reporter, EmailKind.REPORT_OUTCOME, subject, context)
    return sent


def _send(entry: ModerationAction, recipient, kind: str, subject: str, context: dict) -> int:
    return int(
        email_send_once(
            key=f"reversed:{entry.pk}:{recipient.pk}",
            recipient=recipient,
            kind=kind,
            thread=entry.thread,
            post=entry.post,
            build=lambda: build_email(
                template="forum/emails/decision_reversed",
                context={**context, "recipient": recipient},
                subject=subject,
                to=[recipient.email],
            ),
        )
    )
