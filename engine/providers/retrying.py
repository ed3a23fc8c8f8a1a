"""Retries of one remote call refused for a passing reason (HTTP 429, 5xx), honouring retry-after.

Adapters whose SDK does not honour `retry-after` itself (google-genai's retry options
wait on a fixed exponential schedule) wrap each call in `with_retries`. A wait longer
than `STUDIO_PROVIDER_RETRY_MAX_WAIT_S` is not waited out: the call fails at once, and
the adapter turns it into `RateLimited(retry_after)` for the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

__all__ = ["with_retries"]

T = TypeVar("T")

WaitOf = Callable[[BaseException], float | None]
"""Seconds to wait before retrying after this error (its retry-after), 0 for the default
backoff, or None when the error is not worth a retry."""


def with_retries(call: Callable[[], T], *, wait_of: WaitOf, retries: int, max_wait_s: float) -> T:
    """Run `call`, retrying up to `retries` times the errors `wait_of` calls passing."""
    backoff = wait_exponential_jitter(multiplier=0.5, max=max_wait_s or 0.5, jitter=0.5)

    def worth_retrying(exc: BaseException) -> bool:
        wait = wait_of(exc)
        return wait is not None and wait <= max_wait_s

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = wait_of(exc) if exc is not None else None
        return asked if asked else backoff(state)

    retrying = Retrying(
        stop=stop_after_attempt(retries + 1), retry=retry_if_exception(worth_retrying), wait=wait, reraise=True
    )
    return retrying(call)
