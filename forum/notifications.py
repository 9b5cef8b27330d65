"""Who hears about a new post, on the site and by email, and the emails themselves.

Runs in Celery tasks (forum/tasks.py), never in the request. Emails carry the thread
title, the author and a link, never the post's text, so that text a moderator later
removes does not sit in inboxes. Each email is recorded in ForumEmail under a unique key
and claimed before it is sent (network.mail.send_once), so neither a retried task nor a
second delivery of it sends it again.
"""

import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from forum import access, quotes
from forum.models import (
    EmailKind,
    Follow,
    ForumEmail,
    ForumPreference,
    Notification,
    NotificationKind,
    NotifyBy,
    Post,
    PostState,
    Report,
    Suspension,
    ThreadState,
)
from members import access as members_access
from members import email_pause
from members.accounts import SECOND_STEPS
from network.mail import build_email, send_once, site_url

logger = logging.getLogger(__name__)

# "@Grace-Lewis": the member's name with hyphens for spaces (the forms say so).
MENTION = re.compile(r"(?<![\w@])@([A-Za-z][\w'’.]*(?:-[A-Za-z][\w'’.]*){0,4})")
MAX_MENTIONS = 10
UNSUBSCRIBE_SALT = "forum.unsubscribe"


def mentioned_names(body: str) -> list[str]:
    """The names mentioned in a post, outside code and quotes, each once."""
    lines = [
        line
        for line in body.splitlines()
        if not line.lstrip().startswith(">") and not line.startswith("    ")
    ]
    text = re.sub(r"`[^`]*`", "", "\n".join(lines))
    names: list[str] = []
    for handle in MENTION.findall(text):
        name = handle.rstrip(".").replace("-", " ")
        if name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names[:MAX_MENTIONS]


def unsubscribe_token(user, thread=None) -> str:
    """A signed token for one-click unsubscribing: from one thread, or (no thread) from
    the daily summary."""
    payload = {"u": user.pk, "t": thread.pk if thread is not None else 0}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """(user id, thread id or 0), or None for a token that was not made here."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["u"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def post_notify(post: Post) -> dict[str, int]:
    """Tell followers, mentioned members and quoted authors about a newly visible post:
    a notification on the site for each, an email for those whose preference asks."""
    thread = post.thread
    category = thread.category
    if post.state != PostState.VISIBLE or thread.state != ThreadState.VISIBLE:
        return {"notified": 0, "emailed": 0}
    User = get_user_model()
    readers = User.objects.filter(access.category_readers_q(category)).exclude(pk=post.author_id)

    muted = Follow.objects.filter(thread=thread, is_muted=True).values("user")
    # "Stop emails about this thread" (the link in every email) mutes it: a mention or a
    # quote there still shows on the site, but sends no email.
    unsubscribed = set(muted.values_list("user", flat=True))
    thread_followers = Follow.objects.filter(thread=thread, is_muted=False).values("user")
    category_followers = Follow.objects.filter(category=category).values("user")
    followers = set(
        readers.filter(Q(pk__in=thread_followers) | Q(pk__in=category_followers))
        .exclude(pk__in=muted)
        .values_list("pk", flat=True)
    )
    names = mentioned_names(post.body)
    mentioned: set[int] = set()
    if names:
        name_q = Q()
        for name in names:
            name_q |= Q(name__iexact=name)
        mentioned = set(readers.filter(name_q).values_list("pk", flat=True))
    # The authors of the posts it quotes or links to (forum/quotes.py decides which, as
    # screening and the review queue do), in this thread or another they can read. An
    # author quoted in one post and linked to in another is told of the quote.
    named_posts = quotes.quoted_posts(post.body, exclude_pk=post.pk)
    in_quotes = quotes.posts_in_quotes(post.body, named_posts)
    quoted_authors = {named.author_id for named in named_posts if named.pk in in_quotes}
    linked_authors = {named.author_id for named in named_posts} - quoted_authors
    named_readers = set(
        readers.filter(pk__in=quoted_authors | linked_authors).values_list("pk", flat=True)
    )

    kinds: dict[int, str] = {}
    default_kind = NotificationKind.NEW_THREAD if post.post_number == 1 else NotificationKind.REPLY
    for pk in followers:
        kinds[pk] = default_kind
    for pk in named_readers:
        kinds[pk] = NotificationKind.QUOTE if pk in quoted_authors else NotificationKind.LINK
    for pk in mentioned:
        kinds[pk] = NotificationKind.MENTION
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                thread=thread,
                post=post,
                actor_id=post.author_id,
                created_at=post.created_at,
            )
            for pk, kind in kinds.items()
        ],
        ignore_conflicts=True,
    )

    preferences = {p.user_id: p for p in ForumPreference.objects.filter(user_id__in=list(kinds))}
    emailed = 0
    # The on-site notification stays; its email waits while they await deletion.
    recipients = (
        User.objects.filter(pk__in=list(kinds))
        .exclude(pk__in=email_pause.optional_email_paused_users())
        .order_by("pk")
    )
    for recipient in recipients.iterator():
        preference = preferences.get(recipient.pk) or ForumPreference(user=recipient)
        kind = kinds[recipient.pk]
        if kind == NotificationKind.MENTION:
            wanted = preference.email_mentions or preference.notify_by == NotifyBy.EACH_REPLY
        else:
            wanted = preference.notify_by == NotifyBy.EACH_REPLY
        if not wanted or recipient.pk in unsubscribed:
            continue
        email_kind = {
            NotificationKind.MENTION: EmailKind.MENTION,
            NotificationKind.QUOTE: EmailKind.QUOTE,
            NotificationKind.LINK: EmailKind.LINK,
            NotificationKind.NEW_THREAD: EmailKind.NEW_THREAD,
        }.get(kind, EmailKind.REPLY)
        if _post_email_send(recipient=recipient, post=post, kind=email_kind):
            emailed += 1
    return {"notified": len(kinds), "emailed": emailed}


def email_send_once(
    *, key: str, recipient, kind: str, build: Callable, thread=None, post=None
) -> bool:
    """Send one forum email at most once: its ForumEmail record (unique `key`) is claimed
    with one conditional UPDATE before `build()`'s message goes, so two workers holding
    the same task never both send it, and a failed send gives the claim back for the
    task's retry. Returns whether it sent."""
    try:
        with transaction.atomic():
            record, _ = ForumEmail.objects.get_or_create(
                key=key,
                defaults={"recipient": recipient, "kind": kind, "thread": thread, "post": post},
            )
    except IntegrityError:
        record = ForumEmail.objects.get(key=key)
    return send_once(
        model=ForumEmail,
        pk=record.pk,
        claim=Q(sent_at__isnull=True),
        field="sent_at",
        value=timezone.now(),
        build=build,
    )


def _unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _post_email_send(*, recipient, post: Post, kind: str) -> bool:
    thread = post.thread
    author = post.author.name if post.author else "A former member"
    unsubscribe = site_url(
        reverse("forum:unsubscribe", kwargs={"token": unsubscribe_token(recipient, thread)})
    )
    # Each says what the on-site notification of it says (templates/forum/notifications.html).
    subject = {
        EmailKind.MENTION: f"{author} mentioned you in “{thread.title}”",
        EmailKind.QUOTE: f"{author} quoted you in “{thread.title}”",
        EmailKind.LINK: f"{author} linked to your post in “{thread.title}”",
        EmailKind.NEW_THREAD: f"New thread in {thread.category.name}: “{thread.title}”",
    }.get(kind, f"New reply in “{thread.title}”")
    return email_send_once(
        key=f"post:{post.pk}:{recipient.pk}",
        recipient=recipient,
        kind=kind,
        thread=thread,
        post=post,
        build=lambda: build_email(
            template="forum/emails/post",
            context={
                "recipient": recipient,
                "thread": thread,
                "author": author,
                "kind": kind,
                "post_url": site_url(post.get_absolute_url()),
                "unsubscribe_url": unsubscribe,
                "preferences_url": site_url(reverse("forum:preferences")),
            },
            subject=subject,
            to=[recipient.email],
            headers=_unsubscribe_headers(unsubscribe),
        ),
    )


def moderators_alert(report: Report) -> int:
    """Email the category's moderators about an urgent report (the post is hidden).
    Once per queue item: when several members report the same post urgently, the
    moderators hear of it once, and the queue lists every report."""
    post = report.post
    thread = post.thread
    User = get_user_model()
    second_steps = Authenticator.objects.filter(type__in=SECOND_STEPS)
    # A suspended moderator does not moderate (forum/access.py), so is not called on to.
    moderators = (
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__name=members_access.MODERATORS_GROUP)
            | Q(moderated_forum_categories=thread.category)
        )
        .exclude(pk__in=Suspension.objects.in_force().values("member"))
        .annotate(second_step=Exists(second_steps.filter(user=OuterRef("pk"))))
    )
    reporter_suspended = report.reporter is not None and access.is_suspended_from_forum(
        report.reporter
    )
    sent = 0
    for moderator in moderators.distinct().order_by("pk"):
        if email_send_once(
            key=(
                f"alert:item:{report.review_item_id}:{moderator.pk}"
                if report.review_item_id
                else f"alert:{report.pk}:{moderator.pk}"
            ),
            recipient=moderator,
            kind=EmailKind.MODERATOR_ALERT,
            thread=thread,
            post=post,
            build=lambda moderator=moderator: build_email(
                template="forum/emails/moderator_alert",
                context={
                    "report": report,
                    "thread": thread,
                    "post": post,
                    "reason": report.get_reason_display(),
                    # Why an urgent report left the post up, when it did: the alert says so.
                    "reporter_suspended": reporter_suspended,
                    "post_url": site_url(post.get_absolute_url()),
                    # The link opens only once two-factor is set up (forum/middleware.py):
                    # an urgent report must not wait on a moderator puzzled by that page.
                    "set_up_two_factor_first": not moderator.second_step,
                },
                subject=f"Urgent forum report: {report.get_reason_display()}",
                to=[moderator.email],
            ),
        ):
            sent += 1
    return sent


def daily_summary_send(*, user, day) -> bool:
    """The daily summary of followed threads for `user` about local day `day`."""
    from forum.summaries import followed_thread_summary

    since, until = since_for_day(day)
    threads = followed_thread_summary(user, since, until)
    if not threads:
        return False
    unsubscribe = site_url(reverse("forum:unsubscribe", kwargs={"token": unsubscribe_token(user)}))
    return email_send_once(
        key=f"daily:{user.pk}:{day.isoformat()}",
        recipient=user,
        kind=EmailKind.DAILY_SUMMARY,
        build=lambda: build_email(
            template="forum/emails/daily_summary",
            context={
                "recipient": user,
                "threads": threads,
                "day": day,
                "unsubscribe_url": unsubscribe,
                "preferences_url": site_url(reverse("forum:preferences")),
            },
            subject=f"Forum: new posts in {len(threads)} "
            f"thread{'s' if len(threads) != 1 else ''} you follow",
            to=[user.email],
            headers=_unsubscribe_headers(unsubscribe),
        ),
    )


def daily_summary_recipients() -> list[int]:
    return list(
        ForumPreference.objects.filter(notify_by=NotifyBy.DAILY, user__is_active=True)
        .exclude(user__in=email_pause.optional_email_paused_users())
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def since_for_day(day: date) -> tuple[datetime, datetime]:
    """The local day `day` as [start, end) aware datetimes."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)
