from __future__ import annotations

import pytest

from engine.errors import ConfigError
from engine.resilience import MemoryCache, RedisCache, ResilienceConfig, build_resilience


def test_in_process_by_default() -> None:
    parts = build_resilience(ResilienceConfig())
    assert isinstance(parts.cache, MemoryCache)
    assert parts.flags.is_enabled("ai_classifier", "anyone")
    assert parts.limiter.remaining("ada").requests == {"minute": 30, "hour": 500}
    assert parts.breakers.states() == {}
    assert parts.mode() == "memory" and parts.notices() == []


def test_redis_backed(redis_url: str, prefix: str) -> None:
    config = ResilienceConfig(redis_url=redis_url, namespace=prefix, rate_limit_per_minute="1/minute")
    parts = build_resilience(config)
    try:
        assert isinstance(parts.cache, RedisCache)
        parts.cache.set("k", "v")
        assert parts.cache.get("k") == "v"
        parts.limiter.check_and_consume("ada", 0.1)
        assert parts.limiter.remaining("ada").requests["minute"] == 0
        assert parts.breakers.call("openai", lambda: 1) == 1
        assert parts.mode() == "redis" and parts.notices() == []
    finally:
        parts.close()


def test_malformed_redis_url_names_the_setting() -> None:
    with pytest.raises(ConfigError, match="STUDIO_REDIS_URL"):
        build_resilience(ResilienceConfig(redis_url="http://nope"))
