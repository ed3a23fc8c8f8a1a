"""Per-item progress from inside a batched model call, without widening the adapter interfaces.

A queue handler that runs a batch sets a reporter for the duration of the call
(`with reporting(fn): ...`); an adapter that can tell how far along it is calls
`report(index, fraction, message)` for item `index` of the batch it was given.
Nothing is reported when no reporter is set (a direct, unqueued call).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["Reporter", "reporting", "report"]

Reporter = Callable[[int, float, str], None]

_reporter: ContextVar[Reporter | None] = ContextVar("studio_progress_reporter", default=None)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)


def report(index: int, fraction: float, message: str = "") -> None:
    reporter = _reporter.get()
    if reporter is not None:
        reporter(index, min(1.0, max(0.0, fraction)), message)
