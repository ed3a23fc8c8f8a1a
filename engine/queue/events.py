"""Progress events: one inbox per subscriber, blocking reads, no polling."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from engine.queue.models import JobEvent

__all__ = ["EventHub", "EventStream"]

_CLOSED = object()


class EventStream(Iterator[JobEvent]):
    """Iterates a subscriber's inbox; a job's stream ends after its terminal event.

    `timeout` bounds the whole stream: past it the iteration ends quietly. `close()`
    (or leaving a `with` block) unsubscribes.
    """

    def __init__(self, hub: EventHub, key: str | None, inbox: queue.SimpleQueue[object],
                 timeout: float | None) -> None:
        self._hub = hub
        self._key = key
        self._inbox = inbox
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._done = False

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> JobEvent:
        if self._done:
            raise StopIteration
        remaining = None if self._deadline is None else self._deadline - time.monotonic()
        try:
            if remaining is not None and remaining <= 0:
                item = self._inbox.get_nowait()
            else:
                item = self._inbox.get(timeout=remaining)
        except queue.Empty:
            item = _CLOSED
        if not isinstance(item, JobEvent):
            self.close()
            raise StopIteration
        if self._key is not None and item.status.is_terminal:
            self.close()
        return item

    def close(self) -> None:
        if not self._done:
            self._done = True
            self._hub.unsubscribe(self._key, self._inbox)

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class EventHub:
    """Fans events out to per-job and all-jobs subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_job: dict[str, list[queue.SimpleQueue[object]]] = {}
        self._all: list[queue.SimpleQueue[object]] = []

    def subscribe(self, job_id: str | None, first: JobEvent | None = None,
                  timeout: float | None = None) -> EventStream:
        """A stream of one job's events (or every job's, for `job_id=None`), starting with `first`."""
        inbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        if first is not None:
            inbox.put(first)
        if first is None or not first.status.is_terminal:
            with self._lock:
                if job_id is None:
                    self._all.append(inbox)
                else:
                    self._by_job.setdefault(job_id, []).append(inbox)
        return EventStream(self, job_id, inbox, timeout)

    def unsubscribe(self, job_id: str | None, inbox: queue.SimpleQueue[object]) -> None:
        with self._lock:
            targets = self._all if job_id is None else self._by_job.get(job_id, [])
            if inbox in targets:
                targets.remove(inbox)
            if job_id is not None and not targets:
                self._by_job.pop(job_id, None)

    def wants(self, job_id: str) -> bool:
        """Whether anyone listens to this job (so callers can skip building the event)."""
        return bool(self._all) or job_id in self._by_job

    def publish(self, event: JobEvent) -> None:
        with self._lock:
            inboxes = list(self._all) + self._by_job.get(event.job_id, [])
            if event.status.is_terminal:
                self._by_job.pop(event.job_id, None)
        for inbox in inboxes:
            inbox.put(event)

    def close(self) -> None:
        """End every stream (on queue stop)."""
        with self._lock:
            inboxes = list(self._all) + [q for qs in self._by_job.values() for q in qs]
            self._all.clear()
            self._by_job.clear()
        for inbox in inboxes:
            inbox.put(_CLOSED)
