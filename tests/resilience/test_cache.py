from __future__ import annotations

import time

import redis

from engine.resilience import MemoryCache, RedisCache, ResultCache, build_cache, cache_key
from engine.resilience.cache import redis_client
from tests.resilience.conftest import run_python


def test_memory_cache_hit_miss_and_stats() -> None:
    cache = MemoryCache(maxsize=10, ttl_s=60)
    key = cache_key("draw a cat", False, "rules")
    assert cache.get(key) is None
    cache.set(key, "image")
    assert cache.get(key) == "image"
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.size) == (1, 1, 1)


def test_memory_cache_expires_after_ttl() -> None:
    now = [100.0]  # a clock the test moves: "still there before the TTL" cannot race a busy machine
    cache = MemoryCache(maxsize=10, ttl_s=0.2, timer=lambda: now[0])
    cache.set("k", "v")
    now[0] += 0.19
    assert cache.get("k") == "v"
    now[0] += 0.02
    assert cache.get("k") is None
    assert cache.stats().size == 0


def test_memory_cache_evicts_when_full() -> None:
    cache = MemoryCache(maxsize=2, ttl_s=60)
    for key in "abc":
        cache.set(key, key)
    assert cache.stats().size == 2
    assert cache.get("c") == "c"


def test_build_cache_without_url_is_in_memory() -> None:
    cache = build_cache(None, "ns", ttl_s=10, maxsize=5)
    assert isinstance(cache, MemoryCache)
    assert isinstance(cache, ResultCache)


def test_redis_cache_hit_miss_and_ttl(redis_url: str, redis_client: redis.Redis, prefix: str) -> None:
    cache = build_cache(redis_url, prefix, ttl_s=60, maxsize=5)
    assert isinstance(cache, RedisCache)
    assert cache.get("k") is None
    cache.set("k", "vé")
    assert cache.get("k") == "vé"
    assert 0 < redis_client.pttl(f"{prefix}:k") <= 60_000  # stored with the TTL, in Redis
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.size, stats.errors) == (1, 1, 1, 0)

    # expiry: only "gone after the TTL" is asserted; "still there before it" would race a busy machine
    short = build_cache(redis_url, f"{prefix}-short", ttl_s=0.3, maxsize=5)
    short.set("k", "v")
    time.sleep(0.5)
    assert short.get("k") is None
    stats = short.stats()
    assert (stats.hits, stats.misses, stats.size, stats.errors) == (0, 1, 0, 0)


def test_redis_cache_is_shared_between_processes(redis_url: str, prefix: str) -> None:
    key = cache_key("a red fox", True, "embedding")
    run_python(
        f"""
        from engine.resilience import build_cache
        build_cache({redis_url!r}, {prefix!r}, ttl_s=60, maxsize=5).set({key!r}, "text_to_image")
        """
    )
    assert build_cache(redis_url, prefix, ttl_s=60, maxsize=5).get(key) == "text_to_image"


def test_redis_cache_down_falls_back_in_process_and_logs_once(caplog) -> None:  # type: ignore[no-untyped-def]
    dead = redis_client("redis://127.0.0.1:1/0", timeout_s=0.2)
    cache = RedisCache(dead, prefix="nowhere", ttl_s=10)
    with caplog.at_level("WARNING", logger="engine.resilience.link"):
        cache.set("k", "v")
        assert cache.get("k") == "v"  # kept in this process while Redis is down
        assert cache.get("other") is None
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "redis://127.0.0.1:1/0" in warnings[0].getMessage()
    stats = cache.stats()
    # one failed call puts the link down; later calls do not wait on Redis until the next probe
    assert (stats.hits, stats.misses, stats.errors, stats.size) == (1, 1, 1, 1)
