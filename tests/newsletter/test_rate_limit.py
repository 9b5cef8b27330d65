"""The send rate limit: one token bucket shared by every worker (Redis in service mode)."""

import pytest

from newsletter import ratelimit
from newsletter.ratelimit import SendBucket


@pytest.fixture(autouse=True)
def _fresh_bucket(settings):
    settings.CACHES = {**settings.CACHES}
    settings.CACHES["default"] = {**settings.CACHES["default"], "KEY_PREFIX": "bucket-test"}
    ratelimit._local_state.clear()
    if settings.REDIS_URL:
        ratelimit._redis().delete("bucket-test:newsletter:send-bucket")
    yield
    ratelimit._local_state.clear()


def test_two_workers_share_one_bucket(settings):
    settings.NEWSLETTER_SEND_RATE_PER_MINUTE = 60  # one a second, a burst of one
    one_worker, another = SendBucket(), SendBucket()

    one_worker.acquire()

    assert another._take(1) > 0.5  # the other worker must wait for the next token


def test_bucket_refills_at_the_configured_rate(settings, monkeypatch):
    settings.NEWSLETTER_SEND_RATE_PER_MINUTE = 120  # two a second
    slept = []
    monkeypatch.setattr(ratelimit.time, "sleep", slept.append)
    bucket = SendBucket()

    bucket.acquire()
    bucket.acquire()
    wait = bucket._take(1)

    assert 0.3 < wait <= 0.5


def test_without_redis_the_bucket_falls_back_to_one_per_process(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    ratelimit._client = None
    settings.NEWSLETTER_SEND_RATE_PER_MINUTE = 6000
    try:
        SendBucket().acquire()
    finally:
        ratelimit._client = None

    assert ratelimit._local_state  # the local bucket was used
