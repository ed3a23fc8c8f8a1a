"""The studio starts and classifies with Redis configured but down, and rides out an outage."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from engine.engine import Engine, build_engine
from engine.intent import Method
from engine.ownership import OPERATOR, Owner
from engine.settings import Settings
from tests.support.redis_server import ThrowawayRedis, free_port, throwaway_redis

VISITOR = Owner("visitor")

server = pytest.fixture(throwaway_redis)


def test_studio_starts_and_classifies_with_redis_down(engine_settings: Settings) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with build_engine(engine_settings.model_copy(update={"redis_url": url})) as engine:
        engine.start()
        status = engine.system.status(owner=OPERATOR)
        assert status.resilience_mode == "in-process"
        [notice] = status.notices
        assert url in notice and "in this process only" in notice
        first = engine.intent.classify("make my hair copper red", True, Method.RULES, owner=VISITOR)
        again = engine.intent.classify("make my hair copper red", True, Method.RULES, owner=VISITOR)
        assert first.method is Method.RULES and again.workflow_type == first.workflow_type
        # the embedding method is exercised through an outage below (its model loads once per engine)


@pytest.fixture
def shared_engine(engine_settings: Settings, server: ThrowawayRedis) -> Iterator[tuple[Engine, ThrowawayRedis]]:
    settings = engine_settings.model_copy(update={"redis_url": server.url, "redis_namespace": "studio-outage"})
    with build_engine(settings) as engine:
        assert engine.resilience.link is not None
        engine.resilience.link.retry_s = 0.2  # probe often, so the test does not wait long
        yield engine, server


def test_classify_rides_out_a_redis_outage_and_reconnects(shared_engine: tuple[Engine, ThrowawayRedis]) -> None:
    engine, server = shared_engine
    assert engine.system.status(owner=OPERATOR).resilience_mode == "redis"
    engine.intent.classify("a poster of a fox", False, Method.RULES, owner=VISITOR)

    server.kill()
    for i in range(20):  # none fails: each call falls back to in-process cache and limits
        engine.intent.classify(f"a poster of a fox number {i}", False, Method.RULES, owner=VISITOR)
    assert engine.intent.classify("animate this photo", True, Method.EMBEDDING, owner=VISITOR).method is Method.EMBEDDING
    assert engine.system.status(owner=OPERATOR).resilience_mode == "in-process"
    assert engine.system.status(owner=OPERATOR).notices

    server.start()
    stop = time.monotonic() + 20
    while engine.system.status(owner=OPERATOR).resilience_mode != "redis":
        assert time.monotonic() < stop, "never reconnected"
        engine.intent.classify("a poster of an owl", False, Method.RULES, owner=VISITOR)
        time.sleep(0.05)
    assert engine.system.status(owner=OPERATOR).notices == []
    engine.intent.classify("a poster of a badger", False, Method.RULES, owner=VISITOR)
    client = server.client()
    try:
        assert client.keys("studio-outage:cache:classify:*") and client.keys("studio-outage:limits*")
    finally:
        client.close()
