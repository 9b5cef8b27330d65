"""Celery tasks of the forum: thin wrappers that load rows by id and call one function."""

from datetime import date

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model

from forum import notifications
from forum.models import ModerationAction, Post, Report
from forum.services import attachments
from network.celery import EMAIL_RETRY


@shared_task(**EMAIL_RETRY)
def post_notify(post_id: int) -> dict[str, int]:
    """Notifications and emails for a post that just became visible."""
    post = Post.objects.select_related("thread__category", "author").filter(pk=post_id).first()
    if post is None:
        return {"notified": 0, "emailed": 0}
    return notifications.post_notify(post)


@shared_task(**EMAIL_RETRY)
def moderators_alert(report_id: int) -> int:
    report = Report.objects.select_related("post__thread__category").filter(pk=report_id).first()
    if report is None:
        return 0
    return notifications.moderators_alert(report)


@shared_task(**EMAIL_RETRY)
def moderation_notice_send(entry_id: int) -> bool:
    """Tell a member what a moderator decided about them (forum/moderation/notices.py)."""
    from forum.moderation import notices

    entry = (
        ModerationAction.objects.select_related("post__thread", "post__author", "member", "thread")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        return False
    return notices.moderation_notice_send(entry)


@shared_task(**EMAIL_RETRY)
def decision_reversed_send(entry_id: int) -> int:
    """Tell the author and the reporters of a post that the moderators reversed their
    decision on it (forum/moderation/reversals.py)."""
    from forum.moderation import reversals

    entry = (
        ModerationAction.objects.select_related("post__thread", "post__author", "thread")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        return 0
    return reversals.decision_reversed_send(entry)


@shared_task(**EMAIL_RETRY)
def report_decided_send(entry_id: int) -> int:
    """Tell the members who reported a post what the moderators decided about it
    (forum/moderation/outcomes.py)."""
    from forum.moderation import outcomes

    entry = (
        ModerationAction.objects.select_related("post__thread", "thread")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        return 0
    return outcomes.report_decided_send(entry)


@shared_task(**EMAIL_RETRY)
def daily_summary_send(user_id: int, day: str) -> bool:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return notifications.daily_summary_send(user=user, day=date.fromisoformat(day))


@shared_task
def daily_summaries_send() -> int:
    """Each morning: one task per member who chose the daily summary, about yesterday.
    Skipped while the newsletter's daily digest carries the summary instead."""
    if settings.FORUM_DAILY_SUMMARY_IN_DIGEST:
        return 0
    day = notifications.yesterday().isoformat()
    recipients = notifications.daily_summary_recipients()
    for user_id in recipients:
        daily_summary_send.delay(user_id, day)
    return len(recipients)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def attachment_strip(attachment_id: int) -> bool:
    """Strip an uploaded image's metadata off the request (decoding takes CPU and
    memory); idempotent, so a retry or a second delivery does nothing."""
    return attachments.attachment_strip(attachment_id=attachment_id)
