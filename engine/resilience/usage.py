"""Per-user request rates and hourly spending, kept by the `limits` package.

Requests use a moving window (exact: "20 in the last 60 s"). Spending uses a fixed
one-hour window counted in ten-thousandths of a dollar: `limits` takes integer costs,
provider prices are often below one cent, and a moving window would store one Redis
list entry per unit, where a fixed window keeps a single counter per user.
With a Redis URL the counters live in Redis, so every process shares each limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import limits
from limits.errors import ConfigurationError, StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry

from engine.errors import ConfigError, InvalidRequest, ProviderUnavailable, RateLimited

__all__ = ["UsageLimiter", "UsageRemaining", "format_wait"]

UNITS_PER_USD = 10_000


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


class UsageLimiter:
    """Checks and consumes a user's request and spending allowance, in one call."""

    def __init__(
        self,
        per_minute: str | None = "30/minute",
        per_hour: str | None = "500/hour",
        cost_per_hour_usd: float | None = 5.0,
        storage_uri: str = "memory://",
        key_prefix: str = "studio:limits",
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
        options: dict[str, Any] = {"wrap_exceptions": True}
        if not storage_uri.startswith("memory"):  # short timeouts, no multi-second backoff
            options.update(key_prefix=key_prefix, socket_timeout=1.0, socket_connect_timeout=1.0)
            options.update(retry=Retry(NoBackoff(), 1))
        try:
            self.storage = storage_from_string(storage_uri, **options)
        except ConfigurationError as exc:
            raise ConfigError("STUDIO_REDIS_URL", str(exc)) from exc
        self._moving = MovingWindowRateLimiter(self.storage)
        self._fixed = FixedWindowRateLimiter(self.storage)

    def check_and_consume(self, user_id: str, estimated_cost_usd: float = 0.0) -> None:
        """Count one request costing about `estimated_cost_usd`, or raise `RateLimited`.

        All limits are tested before any is consumed, so a refused request costs nothing
        (save when another process consumes between test and hit: then it counts anyway).
        Raises `ProviderUnavailable` when the limit store (Redis) cannot be reached:
        spending limits fail closed.
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
        try:
            for item in self._rates:
                if not self._moving.test(item, "requests", user_id):
                    raise self._rate_refusal(item, user_id)
            spend = self._cost if units > 0 else None
            if spend is not None and not self._fixed.test(spend, "cost", user_id, cost=units):
                raise self._cost_refusal(user_id, units)
            for item in self._rates:  # another process may have won the race since the test
                if not self._moving.hit(item, "requests", user_id):
                    raise self._rate_refusal(item, user_id)
            if spend is not None and not self._fixed.hit(spend, "cost", user_id, cost=units):
                raise self._cost_refusal(user_id, units)
        except StorageError as exc:
            raise ProviderUnavailable("Usage limits cannot be checked right now; try again shortly.") from exc

    def remaining(self, user_id: str) -> UsageRemaining:
        """Requests left per window and dollars left this hour, for the UI."""
        try:
            requests = {
                self._window_name(item): self._moving.get_window_stats(item, "requests", user_id).remaining
                for item in self._rates
            }
            cost = None
            if self._cost is not None:
                cost = self._fixed.get_window_stats(self._cost, "cost", user_id).remaining / UNITS_PER_USD
        except StorageError as exc:
            raise ProviderUnavailable("Usage limits cannot be read right now; try again shortly.") from exc
        return UsageRemaining(requests=requests, cost_usd=cost)

    def reset(self, user_id: str) -> None:
        """Forget a user's counts (an admin action)."""
        for item in self._rates:
            self._moving.clear(item, "requests", user_id)
        if self._cost is not None:
            self._fixed.clear(self._cost, "cost", user_id)

    def _rate_refusal(self, item: limits.RateLimitItem, user_id: str) -> RateLimited:
        wait = self._moving.get_window_stats(item, "requests", user_id).reset_time - time.time()
        wait = max(wait, 0.001)
        window = self._window_name(item)
        span = f"this {window}" if item.multiples == 1 else f"in the last {window}"
        return RateLimited(
            f"You have made {item.amount} requests {span}; try again in {format_wait(wait)}.",
            retry_after=wait,
        )

    def _cost_refusal(self, user_id: str, units: int) -> RateLimited:
        assert self._cost is not None
        stats = self._fixed.get_window_stats(self._cost, "cost", user_id)
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
