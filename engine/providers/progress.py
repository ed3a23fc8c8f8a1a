"""Per-item progress from inside a batched model call, without widening the adapter interfaces.

A queue handler that runs a batch sets a reporter for the duration of the call
(`with reporting(fn, cancelled=...): ...`); an adapter that can tell how far along it is
calls `report(index, fraction, message)` for item `index` of the batch it was given, and
an adapter that waits on a remote job asks `cancelled(index)` between polls (and cancels
the remote job when it says so). Nothing is reported, and nothing is ever cancelled, when
no reporter is set (a direct, unqueued call).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["CancelCheck", "Reporter", "cancelled", "report", "reporting"]

Reporter = Callable[[int, float, str], None]
CancelCheck = Callable[[int], bool]

_reporter: ContextVar[Reporter | None] = ContextVar("studio_progress_reporter", default=None)
_cancel_check: ContextVar[CancelCheck | None] = ContextVar("studio_cancel_check", default=None)


@contextmanager
def reporting(reporter: Reporter, cancelled: CancelCheck | None = None) -> Iterator[None]:
    token = _reporter.set(reporter)
    cancel_token = _cancel_check.set(cancelled)
    try:
        yield
    finally:
        _cancel_check.reset(cancel_token)
        _reporter.reset(token)


def cancelled(index: int) -> bool:
    """True once item `index` of the running batch was cancelled (its job, or the job's timeout)."""
    check = _cancel_check.get()
    return bool(check is not None and check(index))


def report(index: int, fraction: float, message: str = "") -> None:
    reporter = _reporter.get()
    if reporter is not None:
        reporter(index, min(1.0, max(0.0, fraction)), message)
