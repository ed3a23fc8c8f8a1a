from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import redis

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.resilience import BreakerBoard


class Flaky:
    """A provider call that fails while `failing` is set."""

    def __init__(self) -> None:
        self.failing = True
        self.calls = 0

    def __call__(self, prompt: str) -> str:
        self.calls += 1
        if self.failing:
            raise ConnectionError("provider down")
        return f"ok: {prompt}"


def elapse(board: BreakerBoard, provider: str, seconds: float) -> None:
    """Move the circuit's opening `seconds` into the past: the reset timeout runs out without a
    sleep that a busy machine could overrun before the "still open" checks."""
    storage = board.breaker(provider)._state_storage  # pybreaker has no public clock
    storage.opened_at = storage.opened_at - timedelta(seconds=seconds)


def trip(board: BreakerBoard, provider: str, fn: Flaky, times: int) -> None:
    for _ in range(times - 1):
        with pytest.raises(ConnectionError):
            board.call(provider, fn, "x")
    with pytest.raises(ProviderUnavailable):  # the failure that trips the circuit
        board.call(provider, fn, "x")


def test_closed_open_half_open_closed() -> None:
    board = BreakerBoard(fail_max=3, reset_timeout_s=30, success_threshold=2, providers=["openai"])
    flaky = Flaky()
    assert board.states() == {"openai": "closed"}
    trip(board, "openai", flaky, 3)
    assert board.states() == {"openai": "open"}

    paused = r"^openai is paused after repeated failures; retrying in (29|30) s$"
    with pytest.raises(ProviderUnavailable, match=paused):
        board.call("openai", flaky, "x")
    assert flaky.calls == 3  # not called while open

    elapse(board, "openai", 30)
    flaky.failing = False
    assert board.call("openai", flaky, "a") == "ok: a"  # trial call
    assert board.states() == {"openai": "half-open"}  # needs 2 successes
    assert board.call("openai", flaky, "b") == "ok: b"
    assert board.states() == {"openai": "closed"}
    assert [(t.provider, t.old, t.new) for t in board.transitions] == [
        ("openai", "closed", "open"),
        ("openai", "open", "half-open"),
        ("openai", "half-open", "closed"),
    ]


def test_failed_trial_reopens() -> None:
    board = BreakerBoard(fail_max=1, reset_timeout_s=30)
    flaky = Flaky()
    trip(board, "gemini", flaky, 1)
    elapse(board, "gemini", 30)
    with pytest.raises(ProviderUnavailable):
        board.call("gemini", flaky, "x")
    assert board.states() == {"gemini": "open"}


def test_retry_seconds_count_down() -> None:
    board = BreakerBoard(fail_max=1, reset_timeout_s=30)
    trip(board, "replicate", Flaky(), 1)
    with pytest.raises(ProviderUnavailable, match="retrying in (29|30) s"):
        board.call("replicate", Flaky(), "x")
    assert board.retry_in("replicate") in (29, 30)


def test_request_errors_do_not_trip() -> None:
    board = BreakerBoard(fail_max=1, reset_timeout_s=30)

    def bad_request() -> None:
        raise InvalidRequest("prompt", "must not be empty")

    for _ in range(3):
        with pytest.raises(InvalidRequest):
            board.call("openai", bad_request)
    assert board.states() == {"openai": "closed"}


def test_calls_to_one_provider_run_concurrently() -> None:
    board = BreakerBoard()
    both_inside = threading.Barrier(2, timeout=2)

    def slow() -> str:
        both_inside.wait()  # breaks (and fails the test) if calls are serialised
        return "done"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(board.call("openai", slow))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["done", "done"]


def test_redis_state_is_seen_by_a_second_board(redis_client: redis.Redis, prefix: str) -> None:
    first = BreakerBoard(fail_max=2, reset_timeout_s=30, redis_client=redis_client, namespace=prefix)
    second = BreakerBoard(fail_max=2, reset_timeout_s=30, redis_client=redis_client, namespace=prefix)
    flaky = Flaky()
    trip(first, "openai", flaky, 2)
    assert second.states() == {}  # knows no provider yet
    second.breaker("openai")
    assert second.states() == {"openai": "open"}
    with pytest.raises(ProviderUnavailable, match="openai is paused"):
        second.call("openai", flaky, "x")
    assert flaky.calls == 2
    assert redis_client.get(f"{prefix}:openai:pybreaker:state") == b"open"

    opened = f"{prefix}:openai:pybreaker:opened_at"  # as both boards read it; its setter only moves it later
    redis_client.set(opened, int(redis_client.get(opened) or 0) - 31)
    flaky.failing = False
    assert second.call("openai", flaky, "y") == "ok: y"
    assert first.states() == {"openai": "closed"}
