"""Result cache: one interface, an in-process TTL cache or Redis shared by processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import redis
from cachetools import TTLCache
from redis.backoff import NoBackoff
from redis.retry import Retry

from engine.errors import ConfigError
from engine.resilience.link import RedisLink

__all__ = ["CacheStats", "MemoryCache", "RedisCache", "ResultCache", "build_cache", "redis_client"]


@dataclass(frozen=True)
class CacheStats:
    """Counters of this process (hits, misses, errors) and entries held (size)."""

    hits: int
    misses: int
    size: int
    errors: int = 0


@runtime_checkable
class ResultCache(Protocol):
    """String values by key (see `keys.cache_key`), each kept for the cache's TTL."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def stats(self) -> CacheStats: ...


class MemoryCache:
    """A thread-safe `cachetools.TTLCache`: least recently used entries go first when full."""

    def __init__(self, maxsize: int, ttl_s: float, timer: Callable[[], float] = time.monotonic) -> None:
        self._data: TTLCache[str, str] = TTLCache(maxsize=maxsize, ttl=ttl_s, timer=timer)
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self._misses += 1
            else:
                self._hits += 1
            return value

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._data[key] = value

    def stats(self) -> CacheStats:
        with self._lock:
            self._data.expire()
            return CacheStats(hits=self._hits, misses=self._misses, size=len(self._data))


class RedisCache:
    """Redis `SET key value PX ttl` / `GET key`, keys under `<prefix>:`.

    Redis errors never fail the request: while the link is down (see `RedisLink`) the cache
    runs in this process (an in-process TTL cache), and Redis is used again once it answers.
    """

    def __init__(
        self, client: redis.Redis, prefix: str, ttl_s: float, *, maxsize: int = 10_000, link: RedisLink | None = None
    ) -> None:
        self._link = link or RedisLink(client)
        self._prefix = prefix
        self._ttl_ms = max(1, int(ttl_s * 1000))
        self._local = MemoryCache(maxsize=maxsize, ttl_s=ttl_s)
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._errors = 0

    def get(self, key: str) -> str | None:
        if self._link.usable():
            try:
                raw = self._link.client.get(f"{self._prefix}:{key}")
            except redis.RedisError as exc:
                self._failed(exc)
            else:
                with self._lock:
                    if raw is None:
                        self._misses += 1
                        return None
                    self._hits += 1
                return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        return self._local.get(key)

    def set(self, key: str, value: str) -> None:
        if self._link.usable():
            try:
                self._link.client.set(f"{self._prefix}:{key}", value, px=self._ttl_ms)
                return
            except redis.RedisError as exc:
                self._failed(exc)
        self._local.set(key, value)

    def stats(self) -> CacheStats:
        """This process's counters (Redis and in-process together); size scans the prefix in Redis,
        or counts the in-process entries while Redis is down."""
        local = self._local.stats()
        size = local.size
        if self._link.usable():
            try:
                size = sum(1 for _ in self._link.client.scan_iter(match=f"{self._prefix}:*", count=1000))
            except redis.RedisError as exc:
                self._failed(exc)
        with self._lock:
            return CacheStats(
                hits=self._hits + local.hits, misses=self._misses + local.misses, size=size, errors=self._errors
            )

    def _failed(self, exc: redis.RedisError) -> None:
        with self._lock:
            self._errors += 1
        self._link.failed(exc)


def redis_client(url: str, *, decode_responses: bool = False, timeout_s: float = 1.0) -> redis.Redis:
    """A Redis client with short timeouts and one immediate retry (redis-py's default
    backs off for seconds, which would stall every request while Redis is down).
    A malformed URL is a `ConfigError`."""
    try:
        return redis.Redis.from_url(
            url.replace("redis+unix://", "unix://"),
            decode_responses=decode_responses,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 1),
        )
    except ValueError as exc:
        raise ConfigError("STUDIO_REDIS_URL", f"{exc}; write it like redis://127.0.0.1:6379/0") from exc


def build_cache(
    redis_url: str | None, namespace: str, ttl_s: float, maxsize: int, link: RedisLink | None = None
) -> ResultCache:
    """Redis-backed (keys `<namespace>:*`) when a URL is given, else in-process."""
    if redis_url:
        client = link.client if link else redis_client(redis_url)
        return RedisCache(client, prefix=namespace, ttl_s=ttl_s, maxsize=maxsize, link=link)
    return MemoryCache(maxsize=maxsize, ttl_s=ttl_s)
