"""`build_resilience`: cache, breakers, limits and flags from one small config."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from pydantic import BaseModel, ConfigDict, Field

from engine.errors import ConfigError
from engine.resilience.breaker import BreakerBoard
from engine.resilience.cache import ResultCache, build_cache, redis_client
from engine.resilience.flags import FeatureFlags
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
    rollouts: dict[str, float] = Field(default_factory=lambda: {"ai_classifier": 100.0})


@dataclass
class Resilience:
    """What the engine holds: the classification cache, breakers, limits and flags."""

    cache: ResultCache
    breakers: BreakerBoard
    limiter: UsageLimiter
    flags: FeatureFlags
    redis: redis.Redis | None = None

    def close(self) -> None:
        if self.redis is not None:
            self.redis.close()


def build_resilience(config: ResilienceConfig) -> Resilience:
    """In-process parts, or Redis-backed ones when `redis_url` is set.

    Raises `ConfigError` naming STUDIO_REDIS_URL when that Redis does not answer.
    """
    client = None
    if config.redis_url:
        client = redis_client(config.redis_url)
        try:
            client.ping()
        except redis.RedisError as exc:
            problem = f"no Redis answers at {config.redis_url} ({exc}); start it or unset the setting"
            raise ConfigError("STUDIO_REDIS_URL", problem) from exc
    ns = config.namespace
    return Resilience(
        cache=build_cache(config.redis_url, f"{ns}:cache:classify", config.cache_ttl_s, config.cache_maxsize),
        breakers=BreakerBoard(
            fail_max=config.breaker_fail_max,
            reset_timeout_s=config.breaker_reset_s,
            success_threshold=config.breaker_success_threshold,
            redis_client=client,
            namespace=f"{ns}:breaker",
        ),
        limiter=UsageLimiter(
            per_minute=config.rate_limit_per_minute,
            per_hour=config.rate_limit_per_hour,
            cost_per_hour_usd=config.cost_limit_per_hour_usd,
            storage_uri=config.redis_url or "memory://",
            key_prefix=f"{ns}:limits",
        ),
        flags=FeatureFlags(config.rollouts),
        redis=client,
    )
