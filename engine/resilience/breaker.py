"""One `pybreaker.CircuitBreaker` per remote provider, state in memory or in Redis.

closed --fail_max failures--> open --reset_timeout_s--> half-open
half-open --success_threshold successes--> closed; --one failure--> open

With a Redis client, each provider's state lives under `<namespace>:<provider>:pybreaker:*`
(the keys of pybreaker's `CircuitRedisStorage`), so every process sees the same circuit. That
client must return bytes (no `decode_responses`). Every change is also kept in this process,
which answers while Redis does not (see `RedisLink`), until Redis answers again.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

import pybreaker
import redis

from engine.errors import ContentRejected, InvalidRequest, ProviderUnavailable
from engine.resilience.link import RedisLink

__all__ = ["BreakerBoard", "Transition"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class Transition(NamedTuple):
    """A circuit changed state, as seen by this process (`at`: Unix time)."""

    provider: str
    old: str
    new: str
    at: float


class _Recorder(pybreaker.CircuitBreakerListener):
    def __init__(self, sink: deque[Transition]) -> None:
        self._sink = sink

    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        old = old_state.name if old_state else "closed"
        self._sink.append(Transition(str(cb.name), old, new_state.name, time.time()))
        log.info("circuit %s: %s -> %s", cb.name, old, new_state.name)


class BreakerBoard:
    """Circuit breakers by provider name, created on first use.

    Errors in `exclude` (by default our `InvalidRequest` and `ContentRejected`: the
    provider answered) do not count as failures.
    """

    def __init__(
        self,
        fail_max: int = 5,
        reset_timeout_s: float = 30.0,
        success_threshold: int = 1,
        redis_client: redis.Redis | None = None,
        namespace: str = "studio:breaker",
        providers: Iterable[str] = (),
        exclude: Iterable[type[BaseException]] = (InvalidRequest, ContentRejected),
        history: int = 200,
        link: RedisLink | None = None,
    ) -> None:
        self._fail_max = fail_max
        self._reset_timeout_s = reset_timeout_s
        self._success_threshold = success_threshold
        self._link = link or (RedisLink(redis_client) if redis_client is not None else None)
        self._namespace = namespace
        self._exclude = list(exclude)
        self._breakers: dict[str, pybreaker.CircuitBreaker] = {}
        self._lock = threading.Lock()
        self.transitions: deque[Transition] = deque(maxlen=history)
        self._recorder = _Recorder(self.transitions)
        for provider in providers:
            self.breaker(provider)

    def breaker(self, provider: str) -> pybreaker.CircuitBreaker:
        """The provider's breaker, created (or joined, with Redis) on first use."""
        with self._lock:
            found = self._breakers.get(provider)
            if found is None:
                found = pybreaker.CircuitBreaker(
                    fail_max=self._fail_max,
                    reset_timeout=self._reset_timeout_s,
                    success_threshold=self._success_threshold,
                    exclude=self._exclude,
                    listeners=[self._recorder],
                    state_storage=self._storage(provider),
                    name=provider,
                )
                self._breakers[provider] = found
            return found

    def call(self, provider: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` through the provider's breaker.

        Raises `ProviderUnavailable` while the circuit is open. `CircuitBreaker.call`
        holds one lock for the whole call, serialising every call to a provider
        (pybreaker issue #3); we call through the current state instead, so calls
        run concurrently and only state changes take the lock.
        """
        cb = self.breaker(provider)
        try:
            return cb.state.call(fn, *args, **kwargs)
        except pybreaker.CircuitBreakerError as exc:
            wait = self.retry_in(provider)
            raise ProviderUnavailable(
                f"{provider} is paused after repeated failures; retrying in {wait} s"
            ) from exc

    def retry_in(self, provider: str) -> int:
        """Whole seconds until an open circuit lets a trial call through (0 if not open)."""
        cb = self.breaker(provider)
        if cb.current_state != pybreaker.STATE_OPEN:
            return 0
        opened_at = cb._state_storage.opened_at  # pybreaker exposes no public accessor
        if opened_at is None:
            return math.ceil(self._reset_timeout_s)
        left = (opened_at - datetime.now(UTC)).total_seconds() + self._reset_timeout_s
        return max(1, math.ceil(left))

    def states(self) -> dict[str, str]:
        """"closed" / "open" / "half-open" per provider known to this board."""
        with self._lock:
            breakers = dict(self._breakers)
        return {name: cb.current_state for name, cb in sorted(breakers.items())}

    def _storage(self, provider: str) -> pybreaker.CircuitBreakerStorage:
        if self._link is None:
            return pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
        return _LinkedStorage(self._link, f"{self._namespace}:{provider}", pybreaker.STATE_CLOSED)


class _LinkedStorage(pybreaker.CircuitBreakerStorage):
    """A circuit's state in Redis while the link is up, and always in this process as well.

    Writes go to both; reads come from Redis, or from this process while Redis is down."""

    def __init__(self, link: RedisLink, namespace: str, state: str) -> None:
        super().__init__("redis")
        self._link = link
        self._prefix = f"{namespace}:pybreaker"
        self._local = pybreaker.CircuitMemoryStorage(state)
        self._initial = state
        self._shared(self._initialise)

    def _shared(self, op: Callable[[redis.Redis], T]) -> tuple[bool, T | None]:
        """(True, result) of `op` on Redis, or (False, None) while Redis is down or when it fails."""
        if not self._link.usable():
            return False, None
        try:
            return True, op(self._link.client)
        except redis.RedisError as exc:
            self._link.failed(exc)
            return False, None

    def _key(self, name: str) -> str:
        return f"{self._prefix}:{name}"

    def _initialise(self, r: redis.Redis) -> None:
        r.setnx(self._key("fail_counter"), 0)
        r.setnx(self._key("success_counter"), 0)
        r.setnx(self._key("state"), self._initial)

    @property
    def state(self) -> str:
        ok, raw = self._shared(lambda r: r.get(self._key("state")))
        if not ok:
            return self._local.state
        if raw is None:
            self._shared(self._initialise)
            return self._initial
        return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)

    @state.setter
    def state(self, state: str) -> None:
        self._local.state = state
        self._shared(lambda r: r.set(self._key("state"), str(state)))

    def increment_counter(self) -> None:
        self._local.increment_counter()
        self._shared(lambda r: r.incr(self._key("fail_counter")))

    def reset_counter(self) -> None:
        self._local.reset_counter()
        self._shared(lambda r: r.set(self._key("fail_counter"), 0))

    def increment_success_counter(self) -> None:
        self._local.increment_success_counter()
        self._shared(lambda r: r.incr(self._key("success_counter")))

    def reset_success_counter(self) -> None:
        self._local.reset_success_counter()
        self._shared(lambda r: r.set(self._key("success_counter"), 0))

    @property
    def counter(self) -> int:
        ok, raw = self._shared(lambda r: r.get(self._key("fail_counter")))
        return int(raw or 0) if ok else self._local.counter

    @property
    def success_counter(self) -> int:
        ok, raw = self._shared(lambda r: r.get(self._key("success_counter")))
        return int(raw or 0) if ok else self._local.success_counter

    @property
    def opened_at(self) -> datetime | None:
        ok, raw = self._shared(lambda r: r.get(self._key("opened_at")))
        if not ok:
            return self._local.opened_at
        return datetime.fromtimestamp(int(raw), UTC) if raw else None

    @opened_at.setter
    def opened_at(self, now: datetime) -> None:
        self._local.opened_at = now
        key, stamp = self._key("opened_at"), int(now.timestamp())

        def set_if_later(pipe: redis.client.Pipeline) -> None:  # another process may have opened it later
            current = pipe.get(key)
            pipe.multi()
            if not current or stamp > int(current):
                pipe.set(key, stamp)

        self._shared(lambda r: r.transaction(set_if_later, key))
