"""Claiming deliveries: a chunk claims pending rows (SELECT ... FOR UPDATE SKIP LOCKED)
with a lease; the sweeper returns the rows of a lease that ran out (a killed worker)."""

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from newsletter import selectors, suppressions
from newsletter.models import Delivery, Edition

logger = logging.getLogger(__name__)

State = Delivery.State


def lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


class LeaseKeeper:
    """Renews a chunk's lease from a thread of its own while the chunk is sent.

    The lease can then be short (a killed worker's rows return within seconds, not
    minutes) and still never run out under a worker that is alive but waiting, say on a
    slow mail server: the thread renews it whatever the sending loop is doing. A killed
    worker takes the thread with it, so its lease runs out and the sweeper returns the
    rows. `rows` is the queryset of what the chunk still holds (its claim, state sending).

    On SQLite (the embedded default) no thread runs: tasks run in-process one at a time,
    there is no other worker to take the rows over, and SQLite takes one writer at a time.
    """

    def __init__(self, rows) -> None:
        self.rows = rows
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> "LeaseKeeper":
        if connections[self.rows.db].vendor != "sqlite":
            self.thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()

    def _run(self) -> None:
        interval = settings.NEWSLETTER_LEASE_SECONDS / 3
        try:
            while not self.stop.wait(interval):
                try:
                    self.rows.update(leased_until=lease_end(timezone.now()))
                except Exception:  # a failed renewal is retried at the next beat
                    logger.exception("could not renew a newsletter lease")
        finally:
            connections.close_all()  # this thread's own connection


def claimable(edition_id: int, now: datetime):
    return Delivery.objects.filter(edition_id=edition_id, state=State.PENDING).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)
    )


def chunk_size() -> int:
    # Keep a chunk short enough to send well inside its lease at the configured rate.
    per_lease = settings.NEWSLETTER_SEND_RATE_PER_MINUTE * settings.NEWSLETTER_LEASE_SECONDS / 120
    return int(max(1, min(settings.NEWSLETTER_CHUNK_SIZE, per_lease)))


def deliveries_claim(*, edition_id: int, claim: str, limit: int) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            claimable(edition_id, now)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                state=State.SENDING,
                claim=claim,
                leased_until=lease_end(now),
                attempts=F("attempts") + 1,
            )
    return ids


def skip_no_longer_wanted(edition: Edition, claim: str) -> set[int]:
    """Skip claimed rows whose subscriber is no longer in the edition's audience: they
    left, bounced or dropped this newsletter, or their membership ended (a members' or
    one type's newsletter, or an edition for members, goes to members only, however long
    after the audience froze a copy is retried). Return their ids."""
    still_in_audience = selectors.edition_audience(edition).filter(pk=OuterRef("subscriber_id"))
    unwanted = Delivery.objects.filter(claim=claim, state=State.SENDING).filter(
        ~Exists(still_in_audience)
    )
    ids = set(unwanted.values_list("pk", flat=True))
    if ids:
        Delivery.objects.filter(pk__in=ids, claim=claim).update(
            state=State.SKIPPED,
            claim="",
            leased_until=None,
            error="Not in the audience at send time (unsubscribed, or no longer a member).",
        )
    return ids


def skip_suppressed(claim: str) -> set[int]:
    """Skip claimed rows whose address we must never write to again (a complaint or a
    hard bounce reported for it, perhaps while it belonged to a subscriber since deleted,
    or before an account moved to it). Return their ids."""
    held = dict(
        Delivery.objects.filter(claim=claim, state=State.SENDING).values_list("pk", "email")
    )
    suppressed = suppressions.suppressed_among(held.values())
    ids = {pk for pk, email in held.items() if email in suppressed}
    if ids:
        Delivery.objects.filter(pk__in=ids, claim=claim).update(
            state=State.SKIPPED,
            claim="",
            leased_until=None,
            error="Suppressed: the address reported our email as spam, or bounced.",
        )
    return ids


def edition_finish_if_done(*, edition_id: int) -> bool:
    unfinished = Delivery.objects.filter(
        edition_id=edition_id, state__in=[State.PENDING, State.SENDING]
    )
    if unfinished.exists():
        return False
    return bool(
        Edition.objects.filter(pk=edition_id, status=Edition.Status.SENDING).update(
            status=Edition.Status.SENT, finished_at=timezone.now()
        )
    )


def deliveries_sweep(*, now: datetime | None = None) -> list[int]:
    """Return expired leases to the queue (or fail rows out of attempts); finish editions
    that are done. Returns the ids of editions that have work ready, to be nudged."""
    now = now or timezone.now()
    expired = Delivery.objects.filter(state=State.SENDING, leased_until__lt=now)
    expired.filter(attempts__gte=settings.NEWSLETTER_MAX_ATTEMPTS).update(
        state=State.FAILED,
        claim="",
        leased_until=None,
        error="Gave up: every attempt ended without an answer (the worker stopped).",
    )
    returned = expired.update(state=State.PENDING, claim="", leased_until=None)
    if returned:
        logger.warning("returned %s deliveries with expired leases", returned)
    ready = []
    for edition_id in Edition.objects.filter(status=Edition.Status.SENDING).values_list(
        "pk", flat=True
    ):
        # An edition a live chunk is sending keeps its own chain going; nudging it on
        # every sweep would start a new chain each time.
        sending = Delivery.objects.filter(
            edition_id=edition_id, state=State.SENDING, leased_until__gte=now
        )
        if claimable(edition_id, now).exists():
            if not sending.exists():
                ready.append(edition_id)
        else:
            edition_finish_if_done(edition_id=edition_id)
    return ready
