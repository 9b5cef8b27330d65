"""Telling the members who reported a post what the moderators decided about it.

When a queue item ends (actions.review_resolve), each member whose report was on it hears
once what became of the post: it stays up, it was hidden, or its author had deleted it
already. Like the reversal emails (reversals.py) it never says who wrote the post, who
decided, or the moderator's reason, which may speak of the author's circumstances; a
thread hidden with its opening post is not named, as its title may name a child.

A decision that reverses an earlier one (a post the moderators kept up hidden after all,
a post a moderator hid shown again) is told to every reporter of the post by the reversal
email instead, so nobody gets two emails about one decision: review_resolve records that
in the item's log entry (details[TOLD_AS_REVERSAL]). Each email is claimed in ForumEmail
under the entry and the reporter before it goes (tasks.report_decided_send, queued after
the commit), so a retried task sends none twice; a decision overtaken before the task
runs (the post shown again, hidden, or deleted since) sends nothing.

Each reporter also finds the news in their notifications on the site (reporters_notify),
made by the same task under the same rules, once per decision. The email is news of
someone else's post, so it is held back while the reporter waits for their account to be
deleted (members.email_pause); the notification is not.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.urls import reverse

from forum.models import (
    EmailKind,
    ModerationAction,
    ModerationActionKind,
    Notification,
    NotificationKind,
    PostState,
    Report,
    ThreadState,
)
from forum.moderation.queue import Decision
from forum.notifications import email_send_once
from members import email_pause
from network.mail import build_email, site_url

# In the log entry of a decision that reversed an earlier one: its reporters hear of it
# from the reversal email (reversals.py), not from this module.
TOLD_AS_REVERSAL = "told_as_reversal"

_STAYS_UP = "up"
_HIDDEN = "hidden"
_DELETED = "deleted"
_OUTCOMES = {
    PostState.VISIBLE: _STAYS_UP,
    PostState.HIDDEN: _HIDDEN,
    PostState.REMOVED: _DELETED,
}
_NOTICES = {
    _STAYS_UP: NotificationKind.REPORT_KEPT,
    _HIDDEN: NotificationKind.REPORT_HIDDEN,
    _DELETED: NotificationKind.REPORT_DELETED,
}


def _reporters(entry: ModerationAction):
    """The members whose reports were on the item `entry` ended, each once."""
    reported = Report.objects.filter(
        post_id=entry.post_id, review_item_id=entry.details.get("item")
    ).values("reporter")
    post = entry.post
    return (
        get_user_model()
        .objects.filter(pk__in=reported, is_active=True)
        .exclude(pk=post.author_id)
        .exclude(pk=entry.actor_id)
        .order_by("pk")
    )


def reporters_notify(*, entry: ModerationAction, kind: str, reporters: Iterable) -> None:
    """A notification on the site for each of `reporters` of what the decision `entry`
    made of its post (`kind`, one of REPORT_NOTIFICATION_KINDS), once each: the database
    keeps one per person and decision, so a retried task adds none. It names no actor,
    so the list cannot say who decided; the list says of the thread and links to the
    post only what the reporter may see when they look (selectors.notifications_listed).
    Not held back while a person waits for their account to be deleted: the pause
    (members.email_pause) is of emails."""
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=reporter,
                kind=kind,
                thread_id=entry.post.thread_id,
                post_id=entry.post_id,
                decision=entry,
            )
            for reporter in reporters
        ],
        ignore_conflicts=True,
    )


def reporters_to_email(reporters: list) -> list:
    """Of `reporters`, those to email now: not those waiting for their account to be
    deleted, for whom the outcome of a report is optional email (one query)."""
    paused = set(
        email_pause.optional_email_paused_users()
        .filter(user__in=[reporter.pk for reporter in reporters])
        .values_list("user_id", flat=True)
    )
    return [reporter for reporter in reporters if reporter.pk not in paused]


def report_decided_send(entry: ModerationAction) -> int:
    """Tell each reporter of the item that `entry` (a RESOLVE) ended what became of the
    post, on the site and by email; once each. Returns how many emails went."""
    details = entry.details or {}
    post = entry.post
    if (
        entry.action != ModerationActionKind.RESOLVE
        or entry.actor_id is None
        or post is None
        or not details.get("item")
        or details.get(TOLD_AS_REVERSAL)
    ):
        return 0
    # The post as the decision left it; changed since, the news is out of date.
    state = details.get("post_state", post.state)
    if post.state != state or state not in _OUTCOMES:
        return 0
    outcome = _OUTCOMES[state]
    thread = post.thread
    thread_shown = thread.state == ThreadState.VISIBLE
    where = f" in “{thread.title}”" if thread_shown else ""
    subject = {
        _STAYS_UP: f"A post you reported{where} stays up",
        _HIDDEN: f"A post you reported{where} has been hidden",
        _DELETED: f"A post you reported{where} was deleted by its author",
    }[outcome]
    context = {
        "post": post,
        "thread": thread,
        "thread_shown": thread_shown,
        "outcome": outcome,
        "disagreed": details.get("decision") == Decision.DISAGREE,
        "put_right": details.get("decision") == Decision.KEEP,
        "post_url": (
            site_url(post.get_absolute_url()) if outcome == _STAYS_UP and thread_shown else ""
        ),
        "contact_url": site_url(reverse("contact")),
    }
    reporters = list(_reporters(entry))
    reporters_notify(entry=entry, kind=_NOTICES[outcome], reporters=reporters)
    sent = 0
    for reporter in reporters_to_email(reporters):
        sent += int(
            email_send_once(
                key=f"decided:{entry.pk}:{reporter.pk}",
                recipient=reporter,
                kind=EmailKind.REPORT_DECIDED,
                thread=thread,
                post=post,
                build=lambda reporter=reporter: build_email(
                    template="forum/emails/report_decided",
                    context={**context, "recipient": reporter},
                    subject=subject,
                    to=[reporter.email],
                ),
            )
        )
    return sent
