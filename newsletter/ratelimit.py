"""A token bucket shared by every worker, so the send rate holds across all of them.

The bucket lives in Redis and is updated by one Lua script (atomic, Redis's own clock).
Without Redis (the embedded default), or while Redis cannot be reached, each process falls
back to a bucket of its own at the same rate: sending goes on, limited per process.
Celery's per-worker `rate_limit` would multiply the rate by the number of workers.
"""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1]) or capacity
local ts = tonumber(data[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= want then
  tokens = tokens - want
else
  wait = (want - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(wait)
"""

_local_lock = threading.Lock()
_local_state: dict[str, float] = {}
_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
    return _client


def _rate_per_second() -> float:
    return max(settings.NEWSLETTER_SEND_RATE_PER_MINUTE, 1) / 60.0


def _take_local(want: int, rate: float, capacity: float) -> float:
    with _local_lock:
        now = time.monotonic()
        tokens = _local_state.get("tokens", capacity)
        since = _local_state.get("ts", now)
        tokens = min(capacity, tokens + max(0.0, now - since) * rate)
        wait = 0.0
        if tokens >= want:
            tokens -= want
        else:
            wait = (want - tokens) / rate
        _local_state.update(tokens=tokens, ts=now)
        return wait


class SendBucket:
    """Take one token per message; tokens are fetched from the shared bucket in small
    batches so each message does not cost a round trip to Redis."""

    def __init__(self, *, key: str = "newsletter:send-bucket") -> None:
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "network")
        self.key = f"{prefix}:{key}"
        self.rate = _rate_per_second()
        self.capacity = max(1.0, self.rate)  # at most one second's worth in a burst
        # Up to a twentieth of a second's worth per round trip (50 at 60,000 a minute), so
        # the bucket costs one Redis call per many messages yet stays fair between workers.
        self.batch = int(max(1, min(50, self.capacity / 20)))
        self.held = 0

    def _take(self, want: int) -> float:
        if settings.REDIS_URL:
            try:
                script = _redis().register_script(_TAKE)
                return float(script(keys=[self.key], args=[self.rate, self.capacity, want]))
            except Exception as error:  # noqa: BLE001 - any Redis failure: fall back, go on
                logger.warning("send bucket unreachable, using a local bucket: %s", error)
        return _take_local(want, self.rate, self.capacity)

    def acquire(self) -> None:
        """Block until one message may be sent."""
        while self.held == 0:
            wait = self._take(self.batch)
            if wait <= 0:
                self.held = self.batch
            else:
                time.sleep(min(wait, 1.0))
        self.held -= 1
