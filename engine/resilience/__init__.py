"""Resilience: result cache, circuit breakers, usage limits and feature flags.

Each part runs in-process by default and in Redis when `redis_url` is set, so that
several app processes share one cache, one circuit per provider and one limit per user.
"""

from engine.resilience.breaker import BreakerBoard, Transition
from engine.resilience.cache import CacheStats, MemoryCache, RedisCache, ResultCache, build_cache
from engine.resilience.container import Resilience, ResilienceConfig, build_resilience
from engine.resilience.flags import FeatureFlags
from engine.resilience.keys import cache_key, normalise_text, stable_bucket
from engine.resilience.link import RedisLink
from engine.resilience.usage import UsageLimiter, UsageRemaining, format_wait

__all__ = [
    "BreakerBoard",
    "CacheStats",
    "FeatureFlags",
    "MemoryCache",
    "RedisCache",
    "RedisLink",
    "Resilience",
    "ResilienceConfig",
    "ResultCache",
    "Transition",
    "UsageLimiter",
    "UsageRemaining",
    "build_cache",
    "build_resilience",
    "cache_key",
    "format_wait",
    "normalise_text",
    "stable_bucket",
]
