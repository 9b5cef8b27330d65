"""The sending engine: claim a chunk of deliveries, send it on one SMTP connection, record
each message the moment the server accepts it.

Guarantees, with the task queue as a mere nudge and the Delivery rows as the truth:
- a delivery is claimed by one chunk at a time (SELECT ... FOR UPDATE SKIP LOCKED) with a
  short lease that a thread renews while the chunk is sent (claims.LeaseKeeper); a killed
  worker's lease runs out and the sweeper returns its rows to the queue within seconds, so
  nothing is lost and little is delayed;
- each delivery is marked sent in its own commit right after the server accepted it, so
  after a crash at most the one message in flight goes out twice;
- every claim counts an attempt, capped in the database, so a poisoned delivery cannot
  loop forever;
- the subscriber's state and the edition's status are re-read at send time, so an
  unsubscribe, a bounce, a pause or a cancel takes effect within one chunk.
"""

import contextlib
import logging
import secrets
import select
import smtplib
import time
from dataclasses import dataclass
from typing import NamedTuple

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection as db_connection
from django.db.models import F
from django.utils import timezone

from newsletter.messages import MessageTemplate
from newsletter.models import Delivery, Edition
from newsletter.ratelimit import SendBucket
from newsletter.rendering import personal_from
from newsletter.sending.claims import (
    LeaseKeeper,
    chunk_size,
    claimable,
    deliveries_claim,
    edition_finish_if_done,
    skip_no_longer_wanted,
    skip_suppressed,
)
from newsletter.sending.failures import (
    SEND_ERRORS,
    backoff,
    edition_pause_for_errors,
    refuses_the_address,
    smtp_code,
    subscriber_suppress_hard_bounce,
    valid_address,
)

logger = logging.getLogger(__name__)

State = Delivery.State


@dataclass
class ChunkResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    more: bool = False


def new_message_id(edition_id: int, delivery_id: int) -> str:
    return f"<{edition_id}.{delivery_id}.{secrets.token_hex(6)}@{settings.NEWSLETTER_LIST_DOMAIN}>"


class Row(NamedTuple):
    """What sending one delivery needs, read for the whole chunk in one query."""

    pk: int
    email: str
    attempts: int
    subscriber_id: int
    key: str
    name: str
    user_name: str | None


_MARK_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET state = %s, sent_at = %s, message_id = %s, "
    "claim = '', leased_until = NULL, error = '' WHERE id = %s AND claim = %s"
)


class _Marks:
    """Mark deliveries sent, each in its own commit (autocommit), through Django's cursor."""

    def __init__(self) -> None:
        self.cursor = db_connection.cursor()

    def sent(self, params: list) -> None:
        self.cursor.execute(_MARK_SENT, params)

    def flush(self) -> None:
        """Every mark made so far is committed."""

    def close(self) -> None:
        self.cursor.close()


class _PipelinedMarks(_Marks):
    """On PostgreSQL: send each mark without waiting for its answer, and read the answer
    before the next mark, so the round trip to the database overlaps the next message's
    SMTP exchange instead of adding to it.

    Each mark is still its own committed statement, sent to the server as soon as the
    message is accepted; the server finishes a statement it has received even if this
    worker dies, so after a crash at most the one message in flight goes out again.
    """

    def __init__(self) -> None:
        import psycopg2

        # The same server, database and options (sslmode...) as Django's connection.
        params = db_connection.get_connection_params()
        params.pop("cursor_factory", None)
        self.psycopg2 = psycopg2
        self.connection = psycopg2.connect(**params, async_=True)
        self._wait()
        self.cursor = self.connection.cursor()
        # The commit survives a worker crash without waiting for the disk flush.
        self.cursor.execute("SET synchronous_commit TO OFF")
        self._wait()
        self.waiting = False

    def _wait(self) -> None:
        extensions = self.psycopg2.extensions
        while True:
            state = self.connection.poll()
            if state == extensions.POLL_OK:
                return
            if state == extensions.POLL_READ:
                select.select([self.connection.fileno()], [], [])
            elif state == extensions.POLL_WRITE:
                select.select([], [self.connection.fileno()], [])

    def sent(self, params: list) -> None:
        self.flush()
        self.cursor.execute(_MARK_SENT, params)
        self.waiting = True

    def flush(self) -> None:
        if self.waiting:
            self.waiting = False
            self._wait()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.connection.close()


def _marks() -> _Marks:
    # Inside a transaction (never the case in a worker) the marks must belong to it.
    if (
        db_connection.vendor == "postgresql"
        and db_connection.Database.__name__ == "psycopg2"
        and not db_connection.in_atomic_block
    ):
        return _PipelinedMarks()
    return _Marks()


class _Chunk:
    """One claimed chunk being sent; see edition_send_chunk."""

    def __init__(self, edition: Edition, claim: str) -> None:
        self.edition = edition
        self.claim = claim
        self.result = ChunkResult()
        self.errors_in_row = 0
        self.last_error = ""
        self.skipped: set[int] = set()

    def mark(self, row: Row, **fields) -> int:
        fields.setdefault("claim", "")
        fields.setdefault("leased_until", None)
        return Delivery.objects.filter(pk=row.pk, claim=self.claim).update(**fields)

    def fail(self, row: Row, error: str) -> None:
        self.mark(row, state=State.FAILED, error=error[:500])
        self.result.failed += 1

    def retry_later(self, row: Row, error: str) -> None:
        if row.attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
            self.fail(row, f"Gave up after {row.attempts} attempts: {error}")
            return
        self.mark(
            row,
            state=State.PENDING,
            not_before=timezone.now() + backoff(row.attempts),
            error=error[:500],
        )

    def renew(self, marks: _Marks) -> str:
        """Skip whoever left since the claim and return the edition's status (so a pause
        or cancel acts within a second). Called about once a second."""
        marks.flush()
        skipped = skip_no_longer_wanted(self.edition, self.claim)
        self.skipped |= skipped
        self.result.skipped += len(skipped)
        return Edition.objects.values_list("status", flat=True).get(pk=self.edition.pk)

    def release(self) -> None:
        """Give back what was claimed but not sent (pause, cancel, error burst)."""
        status = Edition.objects.values_list("status", flat=True).get(pk=self.edition.pk)
        left = Delivery.objects.filter(claim=self.claim, state=State.SENDING)
        if status == Edition.Status.CANCELLED:
            left.update(state=State.CANCELLED, claim="", leased_until=None)
        else:
            left.update(
                state=State.PENDING, claim="", leased_until=None, attempts=F("attempts") - 1
            )

    def send_all(self, rows: list[Row]) -> None:
        edition = self.edition
        template = MessageTemplate(
            edition=edition, html=edition.rendered_html, text=edition.rendered_text
        )
        bucket = SendBucket()
        connection = get_connection()
        # With Django's SMTP backend the prepared bytes go straight to smtplib; any other
        # backend (files, an email service's API) gets the same message as an EmailMessage.
        direct = isinstance(connection, SMTPBackend)
        from_address = sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")
        last_check = time.monotonic()
        held = Delivery.objects.filter(claim=self.claim, state=State.SENDING)
        try:
            with LeaseKeeper(held), contextlib.closing(_marks()) as marks:
                for row in rows:
                    if time.monotonic() - last_check >= 1.0:
                        last_check = time.monotonic()
                        if self.renew(marks) != Edition.Status.SENDING:
                            return
                    if row.pk in self.skipped:
                        continue
                    if not valid_address(row.email):
                        self.fail(row, "Malformed email address.")
                        continue
                    bucket.acquire()
                    message_id = new_message_id(edition.pk, row.pk)
                    personal = personal_from(key=row.key, name=row.name or row.user_name or "")
                    try:
                        raw = direct and template.copy_bytes(
                            to=row.email, personal=personal, message_id=message_id
                        )
                        if raw:
                            connection.open()
                            connection.connection.sendmail(from_address, [row.email], raw)
                        else:
                            message = template.copy(
                                to=row.email, personal=personal, message_id=message_id
                            )
                            connection.send_messages([message])
                    except ValueError as error:  # an address Python's email package refuses
                        self.fail(row, f"Malformed email address: {error}")
                        continue
                    except SoftTimeLimitExceeded:
                        raise  # the worker's own limit: the lease returns the rows
                    except Exception as error:
                        if not isinstance(error, SEND_ERRORS):
                            # Something else failed for this copy (a backend's own error, a
                            # fault in one address's copy): it is this row's, tried again
                            # later like a refusal, so that the rows after it still go.
                            logger.exception("edition %s: delivery %s", edition.pk, row.pk)
                        self.smtp_error(row, error)
                        _close_quietly(connection)  # start afresh: the session may be unusable
                        if self.errors_in_row >= settings.NEWSLETTER_ERROR_BURST:
                            edition_pause_for_errors(edition, self.errors_in_row, self.last_error)
                            return
                        continue
                    self.errors_in_row = 0
                    # Committed at once: after a crash, at most this one message can
                    # go out again.
                    marks.sent([State.SENT, timezone.now(), message_id, row.pk, self.claim])
                    self.result.sent += 1
        finally:
            _close_quietly(connection)
            self.release()

    def smtp_error(self, row: Row, error: Exception) -> None:
        code = smtp_code(error)
        description = f"{code or ''} {error}".strip()
        self.errors_in_row += 1
        self.last_error = description[:200]
        if code is not None and 500 <= code < 600:
            self.fail(row, description)
            if refuses_the_address(error):
                subscriber_suppress_hard_bounce(subscriber_id=row.subscriber_id)
            return
        self.retry_later(row, description)


def _close_quietly(connection) -> None:
    """Close the SMTP session; a server that errs on QUIT has nothing more to tell us."""
    try:
        connection.close()
    except (smtplib.SMTPException, OSError) as error:
        logger.info("SMTP session closed with an error: %s", error)
        connection.connection = None


def _synchronous_commit(on: bool) -> None:
    # Each delivery is committed on its own; the server keeps the commit even if this worker
    # dies, so waiting for the disk flush on every one buys nothing against worker crashes.
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO " + ("DEFAULT" if on else "OFF"))


def edition_send_chunk(*, edition_id: int) -> ChunkResult:
    """Claim up to one chunk of the edition's deliveries and send them."""
    edition = Edition.objects.select_related("newsletter").filter(pk=edition_id).first()
    if edition is None or edition.status != Edition.Status.SENDING:
        return ChunkResult()
    chunk = _Chunk(edition, claim=secrets.token_hex(8))
    ids = deliveries_claim(edition_id=edition_id, claim=chunk.claim, limit=chunk_size())
    chunk.result.claimed = len(ids)
    if not ids:
        edition_finish_if_done(edition_id=edition_id)
        return chunk.result
    chunk.skipped = skip_no_longer_wanted(edition, chunk.claim) | skip_suppressed(chunk.claim)
    chunk.result.skipped = len(chunk.skipped)
    rows = [
        Row(*values)
        for values in Delivery.objects.filter(claim=chunk.claim, state=State.SENDING)
        .order_by("pk")
        .values_list(
            "pk",
            "email",
            "attempts",
            "subscriber_id",
            "subscriber__key",
            "subscriber__name",
            "subscriber__user__name",
        )
    ]
    _synchronous_commit(False)
    try:
        chunk.send_all(rows)
    finally:
        _synchronous_commit(True)
    chunk.result.more = claimable(edition_id, timezone.now()).exists()
    if not chunk.result.more:
        edition_finish_if_done(edition_id=edition_id)
    logger.info(
        "edition chunk edition=%s claimed=%s sent=%s failed=%s skipped=%s",
        edition_id,
        chunk.result.claimed,
        chunk.result.sent,
        chunk.result.failed,
        chunk.result.skipped,
    )
    return chunk.result
