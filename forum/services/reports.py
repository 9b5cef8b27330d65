"""Members reporting posts, and what becomes of each reporter's reports."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from forum import access, tasks
from forum.models import (
    URGENT_REPORT_REASONS,
    ModerationActionKind,
    Post,
    Report,
    ReportReason,
    Resolution,
    ReviewItem,
    ReviewKind,
    Suspension,
)
from forum.services.publishing import post_hide

# --- Reports --------------------------------------------------------------------------------


def reports_left_today(user) -> int:
    since = timezone.now() - timedelta(days=1)
    made = Report.objects.filter(reporter=user, created_at__gte=since).count()
    return max(settings.FORUM_REPORTS_PER_DAY - made, 0)


@dataclass(frozen=True)
class ReporterRecord:
    """What became of a member's reports, shown to moderators beside each new one."""

    filed: int = 0
    upheld: int = 0
    rejected: int = 0
    urgent_rejected_recently: int = 0  # within FORUM_URGENT_REPORTS_REJECTED_WINDOW_DAYS
    # Suspended from posting now: their reports reach the queue but hide nothing by
    # themselves, which a moderator weighing an urgent report that left a post up must know.
    suspended: bool = False

    @property
    def urgent_reports_hide(self) -> bool:
        """Do this member's urgent reports still hide a post at once?"""
        return self.urgent_rejected_recently < settings.FORUM_URGENT_REPORTS_REJECTED_LIMIT


def reporter_records(reporter_ids: Sequence[int]) -> dict[int, ReporterRecord]:
    """Each reporter's record, in one query however many reporters (the queue shows a
    page of them). Upheld: the moderators agreed with the item; rejected: they disagreed."""
    since = timezone.now() - timedelta(days=settings.FORUM_URGENT_REPORTS_REJECTED_WINDOW_DAYS)
    rejected = Q(review_item__resolution=Resolution.DISAGREE)
    rows = (
        Report.objects.filter(reporter_id__in=set(reporter_ids))
        .order_by()
        .values("reporter_id")
        .annotate(
            filed=Count("pk"),
            upheld=Count("pk", filter=Q(review_item__resolution=Resolution.AGREE)),
            rejected=Count("pk", filter=rejected),
            urgent_rejected_recently=Count(
                "pk",
                filter=rejected
                & Q(reason__in=URGENT_REPORT_REASONS, review_item__resolved_at__gte=since),
            ),
            suspended=Exists(Suspension.objects.in_force().filter(member=OuterRef("reporter_id"))),
        )
    )
    records = {pk: ReporterRecord() for pk in reporter_ids}
    for row in rows:
        reporter_id = row.pop("reporter_id")
        records[reporter_id] = ReporterRecord(**row)
    return records


def _already_reported() -> ValidationError:
    return ValidationError(
        "You have already reported this post; the moderators will look at it.", code="again"
    )


def report_refusal(*, reporter, post: Post) -> ValidationError | None:
    """Why `reporter` may not report `post` now, given their earlier reports of it, or
    None when they may.

    One report at a time: while theirs waits in the queue another would only repeat it
    (the moderators see the post as it is now, an edit since marked). Once the moderators
    have decided, a post edited since may be reported again: they decided on words
    readers no longer see, and an edit after review can add what must come down (a
    child's name, say). An unchanged post may not, whatever the reason given: the
    moderators read all of it when they decided, and a new reason for the same words
    would let one member reopen, or hide again at once, a post the moderators chose to
    keep up. Whoever thinks they missed something can tell them through the contact page.
    """
    last = (
        Report.objects.filter(post=post, reporter=reporter)
        .select_related("review_item")
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None:
        return None
    item = last.review_item
    if item is not None and item.is_open:
        return _already_reported()
    decided_at = item.resolved_at if item is not None else last.created_at
    if post.edited_at is not None and post.edited_at > decided_at:
        return None
    return ValidationError(
        "The moderators have already looked at this post after your report, and it has not "
        "changed since. If you think they missed something, please tell them through the "
        "contact page.",
        code="decided",
    )


def urgent_reports_hide(reporter) -> bool:
    """Does a report of `reporter`'s about a child or a safeguarding concern hide the post
    at once? Not while their urgent reports are often rejected; not while they are
    suspended: they may report (what they read can still name a child), but not take
    down the posts of the people they were suspended for quarrelling with."""
    if access.is_suspended_from_forum(reporter):
        return False
    return reporter_records([reporter.pk])[reporter.pk].urgent_reports_hide


def _reporters_not_suspended(reports) -> int:
    in_force = Suspension.objects.in_force().values("member")
    return reports.exclude(reporter__in=in_force).values("reporter").distinct().count()


def report_create(*, reporter, post: Post, reason: str, details: str = "") -> Report:
    """A member reports a post. An urgent reason (could identify a child, safeguarding)
    hides it at once and alerts the moderators, unless the reporter's urgent reports
    were rejected FORUM_URGENT_REPORTS_REJECTED_LIMIT times lately: then it reaches the
    queue as urgent and alerts, but the post stays up until a moderator decides.
    Otherwise it is hidden once FORUM_REPORTS_TO_HIDE different members have reported
    it. All wait in the queue."""
    if not access.can_report_post(reporter, post):
        raise PermissionDenied("You may not report this post.")
    details = (details or "").strip()
    if reason not in ReportReason.values:
        raise ValidationError("Choose a reason.", code="reason")
    if reason == ReportReason.OTHER and not details:
        raise ValidationError("Tell the moderators what is wrong with this post.", code="details")
    refusal = report_refusal(reporter=reporter, post=post)
    if refusal is not None:
        raise refusal
    if reports_left_today(reporter) <= 0:
        raise ValidationError(
            f"You have made {settings.FORUM_REPORTS_PER_DAY} reports in the last 24 hours, the "
            "most the forum takes from one member. If something is urgent, use the contact page.",
            code="limit",
        )
    urgent = reason in URGENT_REPORT_REASONS
    hides_at_once = urgent and urgent_reports_hide(reporter)
    with transaction.atomic(durable=True):
        post = Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)
        item = ReviewItem.objects.filter(post=post, resolved_at__isnull=True).first()
        if item is None:
            item = ReviewItem.objects.create(post=post, kind=ReviewKind.REPORTED)
        # Asked again now that the post is locked: the same form sent twice at once (a
        # double click, two tabs) passed the check above before either report was kept.
        refusal = report_refusal(reporter=reporter, post=post)
        if refusal is not None:
            raise refusal
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    post=post, reporter=reporter, reason=reason, details=details, review_item=item
                )
        except IntegrityError:
            # Where the row lock is not enforced (SQLite), the database kept one report
            # per member and queue item.
            raise report_refusal(reporter=reporter, post=post) or _already_reported() from None
        reports = Report.objects.filter(review_item=item)
        reporters = reports.values("reporter").distinct().count()
        item.report_count = reporters
        item.kind = ReviewKind.REPORTED if item.kind == ReviewKind.IMAGE else item.kind
        item.is_urgent = item.is_urgent or urgent
        item.save(update_fields=["report_count", "kind", "is_urgent"])
        if urgent:
            tasks.moderators_alert.delay_on_commit(report.pk)
        if hides_at_once:
            post_hide(
                post=post,
                actor=None,
                reason=f"Reported: {report.get_reason_display()}. Hidden pending review.",
                action=ModerationActionKind.AUTO_HIDE,
            )
        elif (
            reporters >= settings.FORUM_REPORTS_TO_HIDE
            and _reporters_not_suspended(reports) >= settings.FORUM_REPORTS_TO_HIDE
        ):
            post_hide(
                post=post,
                actor=None,
                reason=f"Reported by {reporters} members. Hidden pending review.",
                action=ModerationActionKind.AUTO_HIDE,
            )
    return report
