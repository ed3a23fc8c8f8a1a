"""Backoff between attempts of a failed job.

Only tenacity's wait strategy is used, not its `Retrying` loop: a queued retry must
survive a restart, so it is a persisted `not_before` the scheduler honours, never a
thread sleeping inside a loop. Tenacity's wait strategies read only `attempt_number`
of the retry state, so a minimal stand-in is passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from tenacity import wait_exponential_jitter

__all__ = ["retry_delay"]


@dataclass(frozen=True)
class _AttemptState:
    """The part of tenacity's `RetryCallState` that its wait strategies read."""

    attempt_number: int


def retry_delay(attempt: int, initial_s: float, max_s: float) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): initial * 2**(attempt-1) + jitter.

    The jitter is uniform in [0, initial_s) rather than tenacity's default of one second,
    so that small initial delays stay small.
    """
    # `multiplier` is tenacity 9's name for the initial delay (`initial` is deprecated there).
    wait = wait_exponential_jitter(multiplier=initial_s, max=max_s, jitter=initial_s)
    return float(wait(cast(Any, _AttemptState(attempt))))
