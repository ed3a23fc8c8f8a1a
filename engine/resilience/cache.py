"""Result cache: one interface, an in-process TTL cache or Redis shared by processes."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import redis
from cachetools import TTLCache

from redis.backoff import NoBackoff
from redis.retry import Retry

from engine.errors import ConfigError

__all__ = ["CacheStats", "ResultCache", "MemoryCache", "RedisCache", "build_cache", "redis_client"]

log = logging.getLogger(__name__)


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

    def __init__(self, maxsize: int, ttl_s: float) -> None:
        self._data: TTLCache[str, str] = TTLCache(maxsize=maxsize, ttl=ttl_s)
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

    Redis errors never fail the request: a failed `get` counts as a miss, a failed `set`
    is skipped. The first error of an outage is logged as a warning, the recovery once.
    """

    def __init__(self, client: redis.Redis, prefix: str, ttl_s: float) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl_ms = max(1, int(ttl_s * 1000))
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._errors = 0
        self._failing = False

    def get(self, key: str) -> str | None:
        try:
            raw = self._client.get(f"{self._prefix}:{key}")
        except redis.RedisError as exc:
            self._failed(exc)
            raw = None
        else:
            self._recovered()
        with self._lock:
            if raw is None:
                self._misses += 1
                return None
            self._hits += 1
        return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)

    def set(self, key: str, value: str) -> None:
        try:
            self._client.set(f"{self._prefix}:{key}", value, px=self._ttl_ms)
        except redis.RedisError as exc:
            self._failed(exc)
        else:
            self._recovered()

    def stats(self) -> CacheStats:
        """Counters are this process's; size scans the prefix (-1 when Redis is down)."""
        try:
            size = sum(1 for _ in self._client.scan_iter(match=f"{self._prefix}:*", count=1000))
        except redis.RedisError as exc:
            self._failed(exc)
            size = -1
        with self._lock:
            return CacheStats(hits=self._hits, misses=self._misses, size=size, errors=self._errors)

    def _failed(self, exc: redis.RedisError) -> None:
        with self._lock:
            self._errors += 1
            first = not self._failing
            self._failing = True
        if first:
            log.warning("Redis cache %s unavailable, serving misses until it answers: %s", self._prefix, exc)

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.info("Redis cache %s answers again", self._prefix)


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


def build_cache(redis_url: str | None, namespace: str, ttl_s: float, maxsize: int) -> ResultCache:
    """Redis-backed (keys `<namespace>:*`) when a URL is given, else in-process."""
    if redis_url:
        return RedisCache(redis_client(redis_url), prefix=namespace, ttl_s=ttl_s)
    return MemoryCache(maxsize=maxsize, ttl_s=ttl_s)
