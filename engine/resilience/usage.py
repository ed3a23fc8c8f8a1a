"""Per-user request rates and hourly spending, kept by the `limits` package.

Requests use a moving window (exact: "20 in the last 60 s"). Spending uses a fixed
one-hour window counted in ten-thousandths of a dollar: `limits` takes integer costs,
provider prices are often below one cent, and a moving window would store one Redis
list entry per unit, where a fixed window keeps a single counter per user.
With a Redis URL the counters live in Redis, so every process shares each limit; while Redis
does not answer (see `RedisLink`) they are kept in this process, and in Redis again once it does.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import limits
from limits.errors import ConfigurationError, StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry

from engine.errors import ConfigError, InvalidRequest, RateLimited
from engine.resilience.cache import redis_client
from engine.resilience.link import RedisLink

__all__ = ["UsageLimiter", "UsageRemaining", "format_wait"]

UNITS_PER_USD = 10_000
T = TypeVar("T")


@dataclass(frozen=True)
class UsageRemaining:
    """What a user may still do: requests per window ("minute", "hour") and dollars."""

    requests: dict[str, int]
    cost_usd: float | None


def format_wait(seconds: float) -> str:
    """"37 s", "12 min", "2 h": how long to wait, rounded up."""
    if seconds < 90:
        return f"{max(1, math.ceil(seconds))} s"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds / 3600)} h"


def _usd(amount: float) -> str:
    return f"${amount:.2f}" if amount >= 0.01 or amount == 0 else f"${amount:.4f}"


def _parse(text: str, setting: str) -> limits.RateLimitItem:
    try:
        return limits.parse(text)
    except ValueError as exc:
        raise ConfigError(setting, f"cannot read {text!r}; write it like '20/minute'") from exc


class _Counters(NamedTuple):
    """One storage and the two window strategies over it."""

    moving: MovingWindowRateLimiter
    fixed: FixedWindowRateLimiter


def _counters(storage: Any) -> _Counters:
    return _Counters(MovingWindowRateLimiter(storage), FixedWindowRateLimiter(storage))


class UsageLimiter:
    """Checks and consumes a user's request and spending allowance, in one call."""

    def __init__(
        self,
        per_minute: str | None = "30/minute",
        per_hour: str | None = "500/hour",
        cost_per_hour_usd: float | None = 5.0,
        storage_uri: str = "memory://",
        key_prefix: str = "studio:limits",
        link: RedisLink | None = None,
    ) -> None:
        self._rates = [
            _parse(text, setting)
            for text, setting in (
                (per_minute, "STUDIO_RATE_LIMIT_PER_MINUTE"),
                (per_hour, "STUDIO_RATE_LIMIT_PER_HOUR"),
            )
            if text
        ]
        if cost_per_hour_usd is not None and not cost_per_hour_usd > 0:
            raise ConfigError("STUDIO_COST_LIMIT_PER_HOUR_USD", "must be more than 0, or unset for no limit")
        self._cost_usd = cost_per_hour_usd
        self._cost = None
        if cost_per_hour_usd is not None:
            self._cost = limits.RateLimitItemPerHour(round(cost_per_hour_usd * UNITS_PER_USD))
        self._local = _counters(storage_from_string("memory://"))
        self._shared: _Counters | None = None
        self._link = link
        if not storage_uri.startswith("memory"):  # short timeouts, no multi-second backoff
            options: dict[str, Any] = {"wrap_exceptions": True, "key_prefix": key_prefix}
            options.update(socket_timeout=1.0, socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 1))
            try:
                self._shared = _counters(storage_from_string(storage_uri, **options))
            except ConfigurationError as exc:
                raise ConfigError("STUDIO_REDIS_URL", str(exc)) from exc
            if self._link is None:
                self._link = RedisLink(redis_client(storage_uri), storage_uri)

    def _run(self, action: Callable[[_Counters], T]) -> T:
        """`action` on the Redis counters while Redis answers, else (and when this call fails) in-process."""
        if self._shared is not None and self._link is not None and self._link.usable():
            try:
                return action(self._shared)
            except StorageError as exc:
                self._link.failed(exc.storage_error)
        return action(self._local)

    def check_and_consume(self, user_id: str, estimated_cost_usd: float = 0.0) -> None:
        """Count one request costing about `estimated_cost_usd`, or raise `RateLimited`.

        All limits are tested before any is consumed, so a refused request costs nothing
        (save when another process consumes between test and hit: then it counts anyway).
        While Redis does not answer, the counts are kept in this process (limits still hold,
        per process).
        """
        if not user_id:
            raise InvalidRequest("user_id", "must name the user, e.g. the session's user id")
        if not math.isfinite(estimated_cost_usd) or estimated_cost_usd < 0:
            raise InvalidRequest("estimated_cost_usd", "must be a number of dollars, 0 or more")
        units = math.ceil(round(estimated_cost_usd * UNITS_PER_USD, 6))
        if self._cost is not None and units > self._cost.amount:
            raise InvalidRequest(
                "estimated_cost_usd",
                f"${estimated_cost_usd:.2f} is above the hourly limit of ${self._cost_usd:.2f} on its own; "
                "choose a cheaper model or fewer outputs",
            )
        self._run(lambda counters: self._consume(counters, user_id, units))

    def _consume(self, counters: _Counters, user_id: str, units: int) -> None:
        for item in self._rates:
            if not counters.moving.test(item, "requests", user_id):
                raise self._rate_refusal(counters, item, user_id)
        spend = self._cost if units > 0 else None
        if spend is not None and not counters.fixed.test(spend, "cost", user_id, cost=units):
            raise self._cost_refusal(counters, user_id, units)
        for item in self._rates:  # another process may have won the race since the test
            if not counters.moving.hit(item, "requests", user_id):
                raise self._rate_refusal(counters, item, user_id)
        if spend is not None and not counters.fixed.hit(spend, "cost", user_id, cost=units):
            raise self._cost_refusal(counters, user_id, units)

    def remaining(self, user_id: str) -> UsageRemaining:
        """Requests left per window and dollars left this hour, for the UI."""
        return self._run(lambda counters: self._remaining(counters, user_id))

    def _remaining(self, counters: _Counters, user_id: str) -> UsageRemaining:
        requests = {
            self._window_name(item): counters.moving.get_window_stats(item, "requests", user_id).remaining
            for item in self._rates
        }
        cost = None
        if self._cost is not None:
            cost = counters.fixed.get_window_stats(self._cost, "cost", user_id).remaining / UNITS_PER_USD
        return UsageRemaining(requests=requests, cost_usd=cost)

    def reset(self, user_id: str) -> None:
        """Forget a user's counts (an admin action), in Redis and in this process."""

        def clear(counters: _Counters) -> None:
            for item in self._rates:
                counters.moving.clear(item, "requests", user_id)
            if self._cost is not None:
                counters.fixed.clear(self._cost, "cost", user_id)

        clear(self._local)
        if self._shared is not None:
            self._run(clear)

    def _rate_refusal(self, counters: _Counters, item: limits.RateLimitItem, user_id: str) -> RateLimited:
        wait = counters.moving.get_window_stats(item, "requests", user_id).reset_time - time.time()
        wait = max(wait, 0.001)
        window = self._window_name(item)
        span = f"this {window}" if item.multiples == 1 else f"in the last {window}"
        return RateLimited(
            f"You have made {item.amount} requests {span}; try again in {format_wait(wait)}.",
            retry_after=wait,
        )

    def _cost_refusal(self, counters: _Counters, user_id: str, units: int) -> RateLimited:
        assert self._cost is not None
        stats = counters.fixed.get_window_stats(self._cost, "cost", user_id)
        wait = max(stats.reset_time - time.time(), 0.001)
        limit = f"This hour's spending limit of ${self._cost_usd:.2f}"
        if stats.remaining:
            left, cost = _usd(stats.remaining / UNITS_PER_USD), _usd(units / UNITS_PER_USD)
            message = f"{limit} leaves {left}, less than this request's {cost}"
        else:
            message = f"{limit} is reached"
        return RateLimited(f"{message}; try again in {format_wait(wait)}.", retry_after=wait)

    @staticmethod
    def _window_name(item: limits.RateLimitItem) -> str:
        name = item.GRANULARITY.name
        return name if item.multiples == 1 else f"{item.multiples} {name}s"
