"""The Redis cache of service mode keeps one Redis client per connection pool, and still
stores, reads and deletes as Django's own."""

import pytest
from django.conf import settings

from network.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="Redis is the cache only in service mode (REDIS_URL set)"
)


@pytest.fixture
def redis_cache():
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-redis-cache"})
    yield cache
    cache.delete_many(["handover", "rota"])


def test_the_same_client_serves_every_call(redis_cache):
    redis_cache.set("handover", "evening")
    first = redis_cache._cache.get_client(write=True)

    redis_cache.get("handover")

    assert redis_cache._cache.get_client(write=True) is first


def test_values_are_stored_read_added_and_deleted_as_with_djangos_cache(redis_cache):
    redis_cache.set("handover", {"shift": "evening"}, timeout=30)
    added = redis_cache.add("rota", 1, timeout=30)
    added_again = redis_cache.add("rota", 2, timeout=30)
    redis_cache.delete("handover")

    assert redis_cache.get("handover") is None
    assert redis_cache.get("rota") == 1
    assert (added, added_again) == (True, False)
