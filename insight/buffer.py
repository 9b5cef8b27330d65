"""The activity buffer: events wait here, outside the database, until the minute's flush.

Recording an event must add no query to a page, so the receiver appends it to a Redis
list (service mode) or to a list in this process (embedded mode, where there is one
process and no Redis). Every minute beat runs `activity_flush`, which copies the list's
head into ActivityEvent rows and only then trims it: a Redis restart loses at most the
events since the last flush, and a flush that dies half-way is repeated without
doubles (each event carries a unique id; the rows are inserted ignoring conflicts).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from contextlib import contextmanager

from django.conf import settings

logger = logging.getLogger(__name__)


class MemoryBuffer:
    """One process's buffer (embedded mode, tests)."""

    def __init__(self) -> None:
        self._items: list[str] = []
        self._lock = threading.Lock()
        self._first_at: float | None = None

    def push(self, item: dict) -> None:
        with self._lock:
            if not self._items:
                self._first_at = time.monotonic()
            self._items.append(json.dumps(item))

    def head(self, size: int) -> list[dict]:
        with self._lock:
            return [json.loads(item) for item in self._items[:size]]

    def drop(self, size: int) -> None:
        with self._lock:
            del self._items[:size]
            if not self._items:
                self._first_at = None

    def discard(self) -> None:
        """Forget everything buffered (what a restart does)."""
        self.drop(len(self._items))

    def waiting_longer_than(self, seconds: float) -> bool:
        first = self._first_at
        return first is not None and time.monotonic() - first >= seconds

    def __len__(self) -> int:
        return len(self._items)

    @contextmanager
    def flushing(self):
        yield True


class RedisBuffer:
    """A Redis list shared by every web process (service mode)."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.key = f"{prefix}:insight:activity"

    def push(self, item: dict) -> None:
        try:
            self.client.rpush(self.key, json.dumps(item))
        except Exception:  # a page never fails because counting did
            logger.warning("insight activity not buffered (Redis unavailable)", exc_info=True)

    def head(self, size: int) -> list[dict]:
        return [json.loads(item) for item in self.client.lrange(self.key, 0, size - 1)]

    def drop(self, size: int) -> None:
        self.client.ltrim(self.key, size, -1)

    def discard(self) -> None:
        self.client.delete(self.key)

    def waiting_longer_than(self, seconds: float) -> bool:
        return False  # beat flushes service mode every minute

    def __len__(self) -> int:
        return self.client.llen(self.key)

    @contextmanager
    def flushing(self):
        """One flush at a time: two reading the same head would trim unread events."""
        lock = self.client.lock(f"{self.key}:flush", timeout=120, blocking=False)
        acquired = lock.acquire()
        try:
            yield acquired
        finally:
            if acquired:
                lock.release()


_buffer: MemoryBuffer | RedisBuffer | None = None


def get_buffer() -> MemoryBuffer | RedisBuffer:
    global _buffer
    if _buffer is None:
        if settings.REDIS_URL:
            prefix = settings.CACHES["default"].get("KEY_PREFIX", "network")
            _buffer = RedisBuffer(settings.REDIS_URL, prefix)
        else:
            _buffer = MemoryBuffer()
    return _buffer
