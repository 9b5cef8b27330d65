"""Daily and weekly digests: what is new for each subscriber, built from registered SECTIONS.

Beat calls `digest_start(kind=...)` every morning (daily) and every Monday (weekly). It
makes the period once (unique on kind and period start, so a second beat run finds it),
freezes its recipients (one DigestDelivery per subscriber, unique, inserted with ON CONFLICT
DO NOTHING) and queues chunk tasks. A chunk claims rows (SKIP LOCKED, with a lease the
sweeper returns when a worker dies), asks every section for the recipient's items, skips
anyone with nothing new (state "empty"), and sends the rest on one SMTP connection through
the same shared rate limit and error rules as editions, marking each row sent at once.

Sections
--------
A section is a provider registered under a key:

    from newsletter.digests import DigestItem, DigestSection, register_section

    def active_threads(reader, period):
        threads = ...  # what `reader` may read, on their topics, within the period
        if not threads:
            return None  # nothing: the section is left out
        return DigestSection(
            title="Active forum threads",
            items=[DigestItem(title=t.title, url=t.get_absolute_url(), note="12 replies")
                   for t in threads],
        )

    register_section("forum-active", active_threads, kinds=("daily",), order=20)

`reader` is a `Reader` (the subscriber, their account if any, their topics, and `may_read`
which asks members/access.py); `period` is the DigestPeriod (kind, period_start,
period_end). A provider returns a DigestSection (or a dict with "title" and "items", each
item a dict with "title", "url" and optionally "summary" and "note"), or None, and makes its
own queries: cache per period what is the same for everyone (see the library's below).

Apps below the newsletter may not import it (see the README's import rule), so they
declare their sections instead, in a `digest_sections.py` module of their own:

    # forum/digest_sections.py
    SECTIONS = [
        {"key": "forum-active", "provider": active_threads, "kinds": ["daily"], "order": 20},
        {"key": "forum-busiest", "provider": busiest_threads, "kinds": ["weekly"]},
        {"key": "forum-followed", "provider": followed_threads},
    ]

and this module registers every installed app's SECTIONS the first time digests are built.
"""

import logging
import secrets
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from members import access
from network.mail import inline_css, site_url
from newsletter.models import DigestDelivery, DigestPeriod, Subscriber
from newsletter.ratelimit import SendBucket
from newsletter.rendering import personal_from
from newsletter.sending import _backoff, _smtp_code, _valid_address, subscriber_suppress_hard_bounce

logger = logging.getLogger(__name__)

Kind = DigestPeriod.Kind
State = DigestDelivery.State

PERIOD_LENGTH = {Kind.DAILY: timedelta(days=1), Kind.WEEKLY: timedelta(days=7)}


# --- The registry ----------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str
    summary: str = ""
    note: str = ""  # e.g. "members only", "12 replies"


@dataclass(frozen=True)
class DigestSection:
    title: str
    items: list[DigestItem]


@dataclass
class Reader:
    """One recipient, as providers see them."""

    subscriber: Subscriber
    topic_ids: frozenset[int]

    @property
    def user(self):
        return self.subscriber.user

    def may_read(self, level: str) -> bool:
        """May this person read content at this access level? (members/access.py)"""
        return access.can_read_level(self.user, level)

    def wants_topics(self, topic_ids: Iterable[int]) -> bool:
        """No topics chosen means every topic."""
        return not self.topic_ids or bool(self.topic_ids.intersection(topic_ids))


Provider = Callable[[Reader, DigestPeriod], DigestSection | None]


@dataclass(order=True)
class _Registered:
    order: int
    key: str
    provider: Provider = field(compare=False)
    kinds: tuple[str, ...] = field(compare=False)


SECTIONS: dict[str, _Registered] = {}


def register_section(
    key: str, provider: Provider, *, kinds: Iterable[str] = (Kind.DAILY, Kind.WEEKLY), order=100
) -> None:
    """Add (or replace) a digest section; sections appear in `order`, lowest first."""
    SECTIONS[key] = _Registered(order=order, key=key, provider=provider, kinds=tuple(kinds))


def unregister_section(key: str) -> None:
    SECTIONS.pop(key, None)


_discovered = False


def register_sections_from(module) -> None:
    """Register the sections an app declares in its `digest_sections.SECTIONS`."""
    for entry in getattr(module, "SECTIONS", []):
        register_section(
            entry["key"],
            entry["provider"],
            kinds=entry.get("kinds", (Kind.DAILY, Kind.WEEKLY)),
            order=entry.get("order", 100),
        )


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    for app in apps.get_app_configs():
        if module_has_submodule(app.module, "digest_sections"):
            register_sections_from(import_module(f"{app.name}.digest_sections"))


def _as_section(found) -> DigestSection | None:
    if found is None or isinstance(found, DigestSection):
        return found
    return DigestSection(
        title=found["title"],
        items=[
            item if isinstance(item, DigestItem) else DigestItem(**item)
            for item in found.get("items", [])
        ],
    )


def sections_for(reader: Reader, period: DigestPeriod) -> list[DigestSection]:
    _discover()
    found = []
    for registered in sorted(SECTIONS.values()):
        if period.kind not in registered.kinds:
            continue
        section = _as_section(registered.provider(reader, period))
        if section is not None and section.items:
            found.append(section)
    return found


# --- The library's sections ------------------------------------------------------------


class _LibraryPeriod:
    """What the library offers in one period, read once and shared by every recipient."""

    def __init__(self, period: DigestPeriod) -> None:
        self.period = period

    @staticmethod
    def _item(resource) -> DigestItem:
        return DigestItem(
            title=resource.title,
            url=site_url(resource.get_absolute_url()),
            summary=resource.summary,
            note=resource.resource_type.name,
        )

    @cached_property
    def new_resources(self) -> list:
        from practice_library.models import Resource

        return list(
            Resource.objects.live(now=self.period.period_end)
            .filter(
                published_at__gte=self.period.period_start,
                published_at__lt=self.period.period_end,
            )
            .select_related("resource_type")
            .prefetch_related("topics")
            .order_by("-published_at")[:200]
        )

    @cached_property
    def most_read(self) -> list:
        """Resources opened most in the period (distinct readers), then most downloaded."""
        from practice_library.models import RecentRead, Resource

        reads = (
            RecentRead.objects.filter(
                read_at__gte=self.period.period_start, read_at__lt=self.period.period_end
            )
            .values("resource_id")
            .annotate(readers=Count("pk"))
            .order_by()
        )
        counts = {row["resource_id"]: row["readers"] for row in reads}
        if not counts:
            return []
        resources = (
            Resource.objects.live()
            .filter(pk__in=counts)
            .annotate(downloads=Sum("attachments__download_count"))
            .select_related("resource_type")
            .prefetch_related("topics")
        )
        return sorted(resources, key=lambda r: (-counts[r.pk], -(r.downloads or 0), r.title))[:50]


_library_periods: dict[int, _LibraryPeriod] = {}


def _library(period: DigestPeriod) -> _LibraryPeriod:
    if period.pk not in _library_periods:
        _library_periods.clear()  # one period at a time per worker
        _library_periods[period.pk] = _LibraryPeriod(period)
    return _library_periods[period.pk]


def _readable(reader: Reader, resources: list, limit: int) -> list[DigestItem]:
    picked = []
    for resource in resources:
        if not reader.may_read(resource.access_level):
            continue
        if not reader.wants_topics(topic.pk for topic in resource.topics.all()):
            continue
        picked.append(_LibraryPeriod._item(resource))
        if len(picked) == limit:
            break
    return picked


def library_new_resources(reader: Reader, period: DigestPeriod) -> DigestSection | None:
    items = _readable(reader, _library(period).new_resources, limit=10)
    return DigestSection(title="New in the library", items=items) if items else None


def library_most_read(reader: Reader, period: DigestPeriod) -> DigestSection | None:
    items = _readable(reader, _library(period).most_read, limit=5)
    return DigestSection(title="Most read this week", items=items) if items else None


register_section("library-new", library_new_resources, order=10)
register_section("library-most-read", library_most_read, kinds=(Kind.WEEKLY,), order=30)


# --- Periods and recipients ------------------------------------------------------------


def period_bounds(kind: str, now: datetime) -> tuple[datetime, datetime]:
    """The period that ended most recently: the last local day (daily), or the last week
    from Monday to Monday (weekly). The same for every run on the same day."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == Kind.WEEKLY:
        midnight -= timedelta(days=midnight.weekday())
    end = midnight
    return end - PERIOD_LENGTH[kind], end


def _period_get_or_create(kind: str, now: datetime) -> DigestPeriod:
    start, end = period_bounds(kind, now)
    try:
        with transaction.atomic():
            period, _ = DigestPeriod.objects.get_or_create(
                kind=kind, period_start=start, defaults={"period_end": end}
            )
    except IntegrityError:  # beat fired twice at once: the other run made it
        period = DigestPeriod.objects.get(kind=kind, period_start=start)
    return period


def _freeze_recipients(period: DigestPeriod) -> int:
    wants = {Kind.DAILY: "daily_digest", Kind.WEEKLY: "weekly_digest"}[period.kind]
    audience = (
        Subscriber.objects.filter(state=Subscriber.State.SUBSCRIBED, **{wants: True})
        .values(recipient_id=F("pk"))
        .order_by()
    )
    select_sql, params = audience.query.sql_with_params()
    table = DigestDelivery._meta.db_table
    sql = (
        f"INSERT INTO {table} (period_id, subscriber_id, state, attempts, claim, message_id, "
        f"error, created_at) SELECT %s, audience.recipient_id, %s, 0, '', '', '', %s "
        f"FROM ({select_sql}) AS audience WHERE true "
        f"ON CONFLICT (period_id, subscriber_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.pk, State.PENDING, timezone.now(), *params])
        return cursor.rowcount


def digest_start(*, kind: str, now: datetime | None = None) -> DigestPeriod:
    """Make the period (once) and its recipients (once each), and queue the sending."""
    from newsletter.tasks import digest_send_chunk

    now = now or timezone.now()
    period = _period_get_or_create(kind, now)
    with transaction.atomic(durable=True):
        added = _freeze_recipients(period)
        if added:
            for _ in range(settings.NEWSLETTER_PARALLEL_CHUNKS):
                digest_send_chunk.delay_on_commit(period.pk)
    logger.info("digest %s %s: %s recipients added", kind, period.period_start, added)
    return period


# --- Sending ---------------------------------------------------------------------------


def _claimable(period_id: int, now: datetime):
    return DigestDelivery.objects.filter(period_id=period_id, state=State.PENDING).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)
    )


def _claim(period_id: int, claim: str, limit: int) -> list[int]:
    now = timezone.now()
    lease = now + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            _claimable(period_id, now)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            DigestDelivery.objects.filter(pk__in=ids).update(
                state=State.SENDING, claim=claim, leased_until=lease, attempts=F("attempts") + 1
            )
    return ids


def digest_message(*, reader: Reader, period: DigestPeriod, sections: list[DigestSection]):
    subscriber = reader.subscriber
    personal = personal_from(key=subscriber.key, name=subscriber.display_name)
    label = f"{settings.SITE_NAME}: your {period.get_kind_display().lower()} digest"
    context = {
        "period": period,
        "sections": sections,
        "greeting": personal.greeting,
        "preferences_url": personal.preferences_url,
        "unsubscribe_url": personal.unsubscribe_url,
        "label": label,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    text = render_to_string("newsletter/emails/digest.txt", context)
    html = inline_css(render_to_string("newsletter/emails/digest.html", context))
    domain = settings.NEWSLETTER_LIST_DOMAIN
    mailto = (
        f"mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}"
        f"?subject=unsubscribe%20{personal.unsubscribe_token}"
    )
    message_id = f"<digest.{period.pk}.{subscriber.pk}.{secrets.token_hex(6)}@{domain}>"
    headers = {
        "List-Id": f"{period.get_kind_display()} digest <{period.kind}-digest.{domain}>",
        "List-Unsubscribe": f"<{personal.unsubscribe_url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": message_id,
    }
    message = EmailMultiAlternatives(
        subject=label,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _mark(pk: int, claim: str, **fields) -> None:
    fields.setdefault("claim", "")
    fields.setdefault("leased_until", None)
    DigestDelivery.objects.filter(pk=pk, claim=claim).update(**fields)


def digest_send_chunk(*, period_id: int) -> bool:
    """Claim a chunk of the period's recipients and send each their digest. Returns True
    while more is ready."""
    period = DigestPeriod.objects.filter(pk=period_id).first()
    if period is None:
        return False
    claim = secrets.token_hex(8)
    ids = _claim(period_id, claim, settings.NEWSLETTER_CHUNK_SIZE)
    if not ids:
        _finish_if_done(period)
        return False
    rows = list(
        DigestDelivery.objects.filter(claim=claim, state=State.SENDING)
        .select_related("subscriber__user")
        .prefetch_related("subscriber__topics")
        .order_by("pk")
    )
    bucket = SendBucket()
    mail = get_connection()
    errors_in_row = 0
    try:
        for row in rows:
            subscriber = row.subscriber
            if subscriber.state != Subscriber.State.SUBSCRIBED:
                _mark(row.pk, claim, state=State.SKIPPED, error="Not subscribed at send time.")
                continue
            reader = Reader(subscriber, frozenset(t.pk for t in subscriber.topics.all()))
            sections = sections_for(reader, period)
            if not sections:
                _mark(row.pk, claim, state=State.EMPTY)
                continue
            if not _valid_address(subscriber.email):
                _mark(row.pk, claim, state=State.FAILED, error="Malformed email address.")
                continue
            message = digest_message(reader=reader, period=period, sections=sections)
            bucket.acquire()
            try:
                mail.send_messages([message])
            except (smtplib.SMTPException, OSError) as error:
                errors_in_row += 1
                mail.close()
                code = _smtp_code(error)
                description = f"{code or ''} {error}".strip()[:500]
                permanent = code is not None and 500 <= code < 600
                if permanent or row.attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
                    _mark(row.pk, claim, state=State.FAILED, error=description)
                    if permanent and isinstance(error, smtplib.SMTPRecipientsRefused):
                        subscriber_suppress_hard_bounce(subscriber_id=subscriber.pk)
                else:
                    _mark(
                        row.pk,
                        claim,
                        state=State.PENDING,
                        not_before=timezone.now() + _backoff(row.attempts),
                        error=description,
                    )
                if errors_in_row >= settings.NEWSLETTER_ERROR_BURST:
                    logger.error(
                        "digest %s: %s errors in a row, stopping", period_id, errors_in_row
                    )
                    break
                continue
            errors_in_row = 0
            _mark(
                row.pk,
                claim,
                state=State.SENT,
                sent_at=timezone.now(),
                message_id=message.extra_headers["Message-ID"],
                error="",
            )
    finally:
        mail.close()
        DigestDelivery.objects.filter(claim=claim, state=State.SENDING).update(
            state=State.PENDING, claim="", leased_until=None, attempts=F("attempts") - 1
        )
    more = _claimable(period_id, timezone.now()).exists()
    if not more:
        _finish_if_done(period)
    return more


def _finish_if_done(period: DigestPeriod) -> None:
    unfinished = DigestDelivery.objects.filter(
        period=period, state__in=[State.PENDING, State.SENDING]
    )
    if period.finished_at is None and not unfinished.exists():
        DigestPeriod.objects.filter(pk=period.pk, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )


def digests_sweep(*, now: datetime | None = None) -> list[int]:
    """Return expired leases (a worker died); give up rows out of attempts. Returns the
    periods with work ready, to be nudged."""
    now = now or timezone.now()
    expired = DigestDelivery.objects.filter(state=State.SENDING, leased_until__lt=now)
    expired.filter(attempts__gte=settings.NEWSLETTER_MAX_ATTEMPTS).update(
        state=State.FAILED, claim="", leased_until=None, error="Gave up: the worker stopped."
    )
    expired.update(state=State.PENDING, claim="", leased_until=None)
    ready = []
    for period in DigestPeriod.objects.filter(finished_at__isnull=True):
        if _claimable(period.pk, now).exists():
            ready.append(period.pk)
        else:
            _finish_if_done(period)
    return ready
