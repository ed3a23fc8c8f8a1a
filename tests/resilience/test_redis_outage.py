"""Redis is optional: down at start, gone mid-run, back again (a real, throwaway redis-server)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
import redis

from engine.errors import ProviderUnavailable, RateLimited
from engine.resilience import RedisLink, ResilienceConfig, build_resilience
from engine.resilience.link import redact_url
from tests.support.redis_server import ThrowawayRedis, free_port, throwaway_redis

server = pytest.fixture(throwaway_redis)


class DeadClient:
    """Our side of a Redis that never answers: counts the pings it is sent."""

    def __init__(self) -> None:
        self.pings = 0

    def ping(self) -> bool:
        self.pings += 1
        raise redis.ConnectionError("connection refused")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def boom() -> None:
    raise ConnectionError("provider down")


def test_a_down_link_probes_at_most_once_per_retry_interval() -> None:
    client, clock = DeadClient(), Clock()
    link = RedisLink(client, "redis://127.0.0.1:1/0", retry_s=5.0, clock=clock)  # type: ignore[arg-type]
    assert link.connect() is False and client.pings == 1
    for _ in range(1000):
        assert link.usable() is False
    assert client.pings == 1  # no hot loop while down
    clock.now += 5.0
    assert link.usable() is False and client.pings == 2
    assert link.usable() is False and client.pings == 2
    assert link.outages == 1


def test_the_password_never_reaches_a_notice() -> None:
    assert redact_url("redis://:s3cret@cache:6380/2") == "redis://:***@cache:6380/2"
    assert redact_url("rediss://ada:s3cret@cache/0") == "rediss://ada:***@cache/0"
    link = RedisLink(DeadClient(), "redis://:s3cret@127.0.0.1:1/0")  # type: ignore[arg-type]
    link.connect()
    assert "s3cret" not in " ".join(link.notices())


def test_redis_down_at_start_runs_in_process_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    config = ResilienceConfig(redis_url=url, rate_limit_per_minute="2/minute", breaker_fail_max=2)
    with caplog.at_level(logging.WARNING, logger="engine.resilience"):
        parts = build_resilience(config)
        try:
            parts.cache.set("k", "v")
            assert parts.cache.get("k") == "v"
            parts.limiter.check_and_consume("ada")
            parts.limiter.check_and_consume("ada")
            with pytest.raises(RateLimited):  # limits still hold, in this process
                parts.limiter.check_and_consume("ada")
            parts.limiter.check_and_consume("bob")
            assert parts.limiter.remaining("bob").requests["minute"] == 1
            with pytest.raises(ConnectionError):
                parts.breakers.call("openai", boom)
            with pytest.raises(ProviderUnavailable):  # the second failure opens it, in this process
                parts.breakers.call("openai", boom)
            assert parts.breakers.states() == {"openai": "open"}
            assert parts.mode() == "in-process"
            [notice] = parts.notices()
            assert url in notice and "does not answer" in notice
        finally:
            parts.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and url in warnings[0].getMessage()


@pytest.fixture
def shared(server: ThrowawayRedis) -> Iterator[tuple[ThrowawayRedis, redis.Redis]]:
    client = server.client()
    yield server, client
    client.close()


def until_redis_again(parts: object, deadline_s: float = 20.0) -> None:
    """Keep calling (each call may probe) until the link is up again; fail after `deadline_s`."""
    stop = time.monotonic() + deadline_s
    while parts.mode() != "redis":  # type: ignore[attr-defined]
        assert time.monotonic() < stop, "the link never came back"
        parts.cache.get("probe")  # type: ignore[attr-defined]
        time.sleep(0.05)


def test_redis_going_away_mid_run_falls_back_per_call_and_reconnects(
    shared: tuple[ThrowawayRedis, redis.Redis],
) -> None:
    server, client = shared
    config = ResilienceConfig(
        redis_url=server.url, namespace="outage", rate_limit_per_minute="3/minute", breaker_fail_max=2,
        redis_retry_s=0.2,
    )
    parts = build_resilience(config)
    try:
        assert parts.mode() == "redis" and parts.notices() == []
        parts.cache.set("k", "v")
        parts.limiter.check_and_consume("ada")
        assert parts.breakers.call("openai", lambda: "ok") == "ok"
        assert client.get("outage:cache:classify:k") == b"v"
        assert client.keys("outage:limits*") and client.get("outage:breaker:openai:pybreaker:state") == b"closed"

        server.kill()
        # every call still answers: the one that meets the outage falls back for itself
        assert parts.cache.get("k") is None  # the shared copy is out of reach: a miss, not an error
        parts.cache.set("k2", "v2")
        assert parts.cache.get("k2") == "v2"
        for _ in range(3):
            parts.limiter.check_and_consume("ada")
        with pytest.raises(RateLimited):
            parts.limiter.check_and_consume("ada")
        assert parts.breakers.call("openai", lambda: "still ok") == "still ok"
        assert parts.mode() == "in-process"
        [notice] = parts.notices()
        assert "stopped answering" in notice and server.url in notice

        server.start()  # same port, empty (no persistence)
        client = server.client()
        until_redis_again(parts)
        assert parts.notices() == []
        parts.cache.set("k3", "v3")
        assert client.get("outage:cache:classify:k3") == b"v3"
        parts.limiter.check_and_consume("carol")
        assert client.keys("outage:limits*")
        assert parts.breakers.call("openai", lambda: "back") == "back"
        assert client.get("outage:breaker:openai:pybreaker:state") == b"closed"
        assert parts.link is not None and parts.link.outages == 1
        client.close()
    finally:
        parts.close()
