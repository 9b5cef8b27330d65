"""The Celery app, following Celery's Django recipe.

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html

Configuration lives in settings (CELERY_* names). Added here, so that every app does
these things one way:
- every task counts its deliveries, so that a task that keeps killing its worker (and
  is re-delivered because of task_reject_on_worker_lost) is given up after
  CELERY_MAX_DELIVERIES instead of looping forever;
- `task.delay_on_commit(...)` is the one way to enqueue work from inside a transaction,
  and `task.delay_once_on_commit()` the way for work that reads the state as a whole
  (warming a cache): once per transaction, however many rows it changed;
- `EMAIL_RETRY` is the one retry policy of tasks that send email;
- one log line per task, with its id, name, outcome and duration;
- tasks run eagerly (the embedded default) never open a connection to the broker.
"""

import functools
import logging
import os
import smtplib
import time

from anymail.exceptions import AnymailAPIError
from celery import Celery, signals
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

logger = logging.getLogger("network.tasks")


# The retry policy of every task that sends email: a mail server or email service that
# is down or refuses for a while is tried again with growing, jittered delays for about
# a day (30 s doubling to an hour, ten times), after which the delivery row stays
# recorded as failed for staff to see. Each sending service checks its delivery record
# first, so a retry never sends the same message twice.
EMAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError, AnymailAPIError),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 10,
}


class _Once:
    """A commit callback that on_commit_once recognises by its key."""

    def __init__(self, key, func) -> None:
        self.key, self.func = key, func

    def __call__(self) -> None:
        self.func()


def on_commit_once(func, *, key=None) -> None:
    """Run `func` when the surrounding transaction commits (at once outside one), once
    however many times the transaction asks with the same key (`func` itself unless
    given). A savepoint rolled back takes its request with it, so a later ask counts."""
    key = func if key is None else key
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(callback, _Once) and callback.key == key
        for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Once(key, func))


class _NoProducer:
    """Stands in for a broker producer when tasks run eagerly.

    In eager mode Celery still acquires a producer from the broker's pool only to read
    its serializer, which opens a kombu connection to the broker (on the embedded
    default the memory transport, which logs "No hostname was supplied" each time).
    Without a serializer of its own, Celery falls back to task_serializer, so the
    arguments still make the same JSON round trip as on a real broker.
    """

    serializer = None


class BoundedDeliveryTask(DjangoTask):
    """A task that refuses to run once it has been delivered too many times."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        """Enqueue when the surrounding transaction commits (at once outside one)."""
        transaction.on_commit(functools.partial(self._enqueue, args, kwargs))

    def delay_once_on_commit(self) -> None:
        """Enqueue (with no arguments) when the surrounding transaction commits, once
        however many times the transaction asks."""
        on_commit_once(functools.partial(self._enqueue, (), {}), key=("task", self.name))

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        transaction.on_commit(functools.partial(self._enqueue, args, kwargs, **options))

    def _enqueue(self, args, kwargs, **options) -> None:
        # By the time this runs the rows are committed, so a broker that is down must not
        # turn the person's successful request into an error page. The failure is logged
        # with the task and its arguments; work that has a row of its own (Stripe events,
        # newsletter deliveries) is picked up again by its periodic sweep. Errors of the
        # task itself (run in-process on the embedded default) still propagate.
        try:
            self.apply_async(args, kwargs, **options)
        except OperationalError:
            logger.exception("task not enqueued name=%s args=%r kwargs=%r", self.name, args, kwargs)

    def __call__(self, *args, **kwargs):
        if not self.request.is_eager and self.request.id:
            from django.conf import settings
            from django.core.cache import cache

            key = f"celery-deliveries:{self.request.id}"
            # add() then incr() is atomic on Redis; the key outlives any redelivery.
            cache.add(key, 0, timeout=settings.CELERY_VISIBILITY_TIMEOUT * 6)
            deliveries = cache.incr(key)
            limit = settings.CELERY_MAX_DELIVERIES
            if deliveries > limit:
                logger.error(
                    "task given up id=%s name=%s deliveries=%s limit=%s",
                    self.request.id,
                    self.name,
                    deliveries,
                    limit,
                )
                return None
        return super().__call__(*args, **kwargs)

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, **options):
        if producer is None and self._get_app().conf.task_always_eager:
            producer = _NoProducer()  # eager mode must not touch the broker
        return super().apply_async(args, kwargs, task_id, producer, **options)


app = Celery("network", task_cls=BoundedDeliveryTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    began = _started.pop(task_id, None)
    duration_ms = (time.perf_counter() - began) * 1000 if began else 0.0
    logger.info("task id=%s name=%s state=%s ms=%.1f", task_id, task.name, state, duration_ms)
