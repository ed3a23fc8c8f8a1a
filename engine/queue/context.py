"""What a handler gets: its job, its device, progress reporting and the cancel flag."""

from __future__ import annotations

import threading
from collections.abc import Callable

from engine.errors import InvalidRequest, JobCancelled
from engine.queue.devices import Device
from engine.queue.models import Job

__all__ = ["JobContext"]


class JobContext:
    """Handed to a handler for one attempt of one job.

    Python cannot stop a thread, so cancellation and timeouts are cooperative: a long
    handler should call `raise_if_cancelled()` between steps, or wait with
    `wait_cancelled()` instead of `time.sleep`.
    """

    def __init__(self, job: Job, device: Device, cancel_event: threading.Event,
                 on_report: Callable[[float, str], None]) -> None:
        self.job = job
        self.device = device
        self._cancel_event = cancel_event
        self._on_report = on_report

    def report(self, progress: float, message: str = "") -> None:
        """Tell subscribers how far along the job is (0..1); emits a `JobEvent`."""
        if not 0.0 <= progress <= 1.0:
            raise InvalidRequest("progress", f"must be between 0 and 1, got {progress}")
        self._on_report(float(progress), message)

    @property
    def cancelled(self) -> bool:
        """True once the job was cancelled or ran past its timeout."""
        return self._cancel_event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._cancel_event.is_set():
            raise JobCancelled(f"Job {self.job.id} ({self.job.kind}) was cancelled.")

    def wait_cancelled(self, timeout: float | None = None) -> bool:
        """Block up to `timeout` seconds or until cancelled; True if cancelled."""
        return self._cancel_event.wait(timeout)
