"""What the gateway tells an adapter about the call it is in, and what the adapter tells back.

Like `engine.providers.progress`, context variables set for the duration of one gateway
call, so the adapter interfaces stay `method(requests)`:

- `chosen_model()`: the catalogue model id the caller asked for (`CallContext.model`), or
  None. An adapter that serves several models (Replicate) runs it when it knows it, else
  its configured default; an adapter with one model ignores it.
- `charge(...)`: what a remote call actually cost and how long the provider says it ran.
  The gateway records the sum in place of the estimate (`estimate_cost`), beside it.

Adapters that fan a batch out over threads run each task in `contextvars.copy_context()`
so both reach the worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = ["Meter", "charge", "choosing", "chosen_model", "metering"]

_model: ContextVar[str | None] = ContextVar("studio_chosen_model", default=None)


@contextmanager
def choosing(model_id: str | None) -> Iterator[None]:
    token = _model.set(model_id)
    try:
        yield
    finally:
        _model.reset(token)


def chosen_model() -> str | None:
    return _model.get()


@dataclass
class Meter:
    """Actual cost and provider time of one gateway call, summed over the predictions it made."""

    cost_usd: float | None = None
    remote_seconds: float | None = None
    remote_ids: list[str] = field(default_factory=list)
    model: str | None = None  # the model that actually ran, when the adapter picked it per request
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, cost_usd: float | None, remote_seconds: float | None, remote_id: str | None,
            model: str | None = None) -> None:  # fmt: skip
        with self._lock:
            if model:
                self.model = model
            if cost_usd is not None:
                self.cost_usd = (self.cost_usd or 0.0) + cost_usd
            if remote_seconds is not None:
                self.remote_seconds = (self.remote_seconds or 0.0) + remote_seconds
            if remote_id:
                self.remote_ids.append(remote_id)


_meter: ContextVar[Meter | None] = ContextVar("studio_call_meter", default=None)


@contextmanager
def metering() -> Iterator[Meter]:
    meter = Meter()
    token = _meter.set(meter)
    try:
        yield meter
    finally:
        _meter.reset(token)


def charge(cost_usd: float | None = None, remote_seconds: float | None = None, remote_id: str | None = None,
           model: str | None = None) -> None:  # fmt: skip
    """Record what one remote prediction of the current call cost (and which model ran it);
    nothing when no call is metered."""
    meter = _meter.get()
    if meter is not None:
        meter.add(cost_usd, remote_seconds, remote_id, model)
