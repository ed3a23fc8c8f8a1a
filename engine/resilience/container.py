"""`build_resilience`: cache, breakers, limits and flags from one small config."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from pydantic import BaseModel, ConfigDict, Field

from engine.resilience.breaker import BreakerBoard
from engine.resilience.cache import ResultCache, build_cache, redis_client
from engine.resilience.flags import FeatureFlags
from engine.resilience.link import RedisLink
from engine.resilience.usage import UsageLimiter

__all__ = ["Resilience", "ResilienceConfig", "build_resilience"]


class ResilienceConfig(BaseModel):
    """The settings this layer reads; `Settings` maps its `STUDIO_*` fields onto these."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    redis_url: str | None = None
    namespace: str = "studio"
    cache_ttl_s: float = Field(86400.0, gt=0)
    cache_maxsize: int = Field(10_000, ge=1)
    rate_limit_per_minute: str | None = "30/minute"
    rate_limit_per_hour: str | None = "500/hour"
    cost_limit_per_hour_usd: float | None = Field(5.0, gt=0)
    breaker_fail_max: int = Field(5, ge=1)
    breaker_reset_s: float = Field(30.0, gt=0)
    breaker_success_threshold: int = Field(1, ge=1)
    redis_retry_s: float = Field(5.0, gt=0)
    rollouts: dict[str, float] = Field(default_factory=lambda: {"ai_classifier": 100.0})


@dataclass
class Resilience:
    """What the engine holds: the classification cache, breakers, limits and flags."""

    cache: ResultCache
    breakers: BreakerBoard
    limiter: UsageLimiter
    flags: FeatureFlags
    redis: redis.Redis | None = None
    link: RedisLink | None = None

    def mode(self) -> str:
        """"redis" (shared by processes), "in-process" (Redis configured but not answering)
        or "memory" (no Redis configured)."""
        return self.link.mode() if self.link is not None else "memory"

    def notices(self) -> list[str]:
        """What a person should know about this layer now (e.g. that Redis does not answer)."""
        return self.link.notices() if self.link is not None else []

    def close(self) -> None:
        if self.redis is not None:
            self.redis.close()


def build_resilience(config: ResilienceConfig) -> Resilience:
    """In-process parts, or Redis-backed ones when `redis_url` is set.

    A malformed URL is a `ConfigError` naming STUDIO_REDIS_URL. A Redis that does not answer is
    not: the parts start in-process, say so once (log and `notices()`), and move to Redis when
    it answers (see `RedisLink`).
    """
    link = None
    if config.redis_url:
        link = RedisLink(redis_client(config.redis_url), config.redis_url, retry_s=config.redis_retry_s)
        link.connect()
    ns = config.namespace
    return Resilience(
        cache=build_cache(config.redis_url, f"{ns}:cache:classify", config.cache_ttl_s, config.cache_maxsize, link),
        breakers=BreakerBoard(
            fail_max=config.breaker_fail_max,
            reset_timeout_s=config.breaker_reset_s,
            success_threshold=config.breaker_success_threshold,
            namespace=f"{ns}:breaker",
            link=link,
        ),
        limiter=UsageLimiter(
            per_minute=config.rate_limit_per_minute,
            per_hour=config.rate_limit_per_hour,
            cost_per_hour_usd=config.cost_limit_per_hour_usd,
            storage_uri=config.redis_url or "memory://",
            key_prefix=f"{ns}:limits",
            link=link,
        ),
        flags=FeatureFlags(config.rollouts),
        redis=link.client if link else None,
        link=link,
    )
