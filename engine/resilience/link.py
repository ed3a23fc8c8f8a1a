"""`RedisLink`: whether the configured Redis answers, shared by the cache, the limits and the breakers.

While Redis answers, those parts keep their state there (shared by every app process). When a
call fails, the link goes down: each part switches to its in-process state for that same call,
and nothing waits on Redis again until the next probe. A probe (one `PING`) runs at most every
`retry_s` seconds, lazily on the next call that would use Redis: no background thread, no hot
loop. Each switch is logged once and kept as a notice for the System tab.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import redis

__all__ = ["RedisLink", "redact_url"]

log = logging.getLogger(__name__)


def redact_url(url: str) -> str:
    """The URL without its password, fit for a log line or the UI."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def _describe(client: redis.Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix://{kwargs['path']}"
    return f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


class RedisLink:
    """One Redis client and whether it is usable now; see the module docstring."""

    def __init__(
        self,
        client: redis.Redis,
        url: str = "",
        retry_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.url = redact_url(url) if url else _describe(client)
        self.retry_s = retry_s
        self._clock = clock
        self._lock = threading.Lock()
        self._probing = threading.Lock()
        self._up = True
        self._next_probe = 0.0
        self._notice: str | None = None
        self.outages = 0

    @property
    def up(self) -> bool:
        return self._up

    def connect(self) -> bool:
        """Ping once at start; a Redis that does not answer puts the link down (logged once)."""
        try:
            self.client.ping()
        except redis.RedisError as exc:
            self.failed(exc, starting=True)
            return False
        return True

    def usable(self) -> bool:
        """True while Redis answers; while it is down, probe it at most every `retry_s` seconds.

        Only one caller probes at a time; the others get False at once (in-process state)."""
        if self._up:
            return True
        if self._clock() < self._next_probe or not self._probing.acquire(blocking=False):
            return False
        try:
            if self._up:
                return True
            try:
                self.client.ping()
            except redis.RedisError:
                with self._lock:
                    self._next_probe = self._clock() + self.retry_s
                return False
            self._recovered()
            return True
        finally:
            self._probing.release()

    def failed(self, exc: BaseException, *, starting: bool = False) -> None:
        """A call to Redis failed: go down (logged and noted once per outage)."""
        with self._lock:
            self._next_probe = self._clock() + self.retry_s
            if not self._up:
                return
            self._up = False
            self.outages += 1
            when = "does not answer" if starting else "stopped answering"
            self._notice = (
                f"Redis at {self.url} {when} ({exc}); cache, usage limits and circuit breakers run "
                f"in this process only, and Redis is tried again every {self.retry_s:g} s."
            )
        log.warning(self._notice)

    def _recovered(self) -> None:
        with self._lock:
            self._up = True
            self._notice = None
        log.info("Redis at %s answers again; cache, usage limits and circuit breakers are shared again", self.url)

    def mode(self) -> str:
        """"redis" while Redis answers, "in-process" while it does not."""
        return "redis" if self._up else "in-process"

    def notices(self) -> list[str]:
        with self._lock:
            return [self._notice] if self._notice else []
