"""The Celery app, following Celery's Django recipe.

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html

Configuration lives in settings (CELERY_* names). Two things are added here:
- every task counts its deliveries, so that a task that keeps killing its worker (and
  is re-delivered because of task_reject_on_worker_lost) is given up after
  CELERY_MAX_DELIVERIES instead of looping forever;
- one log line per task, with its id, name, outcome and duration;
- tasks run eagerly (the embedded default) never open a connection to the broker.
"""

import logging
import os
import time

from celery import Celery, signals
from celery.contrib.django.task import DjangoTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

logger = logging.getLogger("network.tasks")


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
    """A task that refuses to run once it has been delivered too many times.

    DjangoTask gives every task delay_on_commit()/apply_async_on_commit().
    """

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
