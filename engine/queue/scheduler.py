"""The scheduler's working state: ready jobs by priority, delayed retries, batch groups, deadlines.

Pure bookkeeping, no threads and no I/O; `GenerationQueue` calls it under its lock.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.queue.context import JobContext
from engine.queue.devices import Device, least_loaded
from engine.queue.models import Job

__all__ = ["Entry", "Registration", "Run", "Scheduler"]

Handler = Callable[[JobContext], dict[str, Any] | None]
BatchHandler = Callable[[list[JobContext]], list[dict[str, Any] | None]]
GroupKey = tuple[str, str | None, str | None]


@dataclass(frozen=True)
class Registration:
    """A kind's handlers and where it may run."""

    kind: str
    handler: Handler
    batch_handler: BatchHandler | None
    max_batch: int
    device_kinds: frozenset[str]


@dataclass(eq=False)
class Entry:
    """The queue's working copy of one unfinished job."""

    job: Job
    seq: int
    waiting: set[str] = field(default_factory=set)  # parents not completed yet
    children: list[str] = field(default_factory=list)
    ready: bool = False
    ready_at: float = 0.0  # monotonic
    due: float | None = None  # monotonic time of `not_before`
    not_before: datetime | None = None
    cancel_requested: bool = False
    cancel_event: threading.Event = field(default_factory=threading.Event)
    run: Run | None = None
    last_progress_write: float = 0.0
    written: int = 0  # the journal write holding its latest finished state
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def group(self) -> GroupKey:
        return (self.job.kind, self.job.batch_key, self.job.required_device)


@dataclass(eq=False)
class Run:
    """One handler call on one device: a single job or a batch."""

    id: int
    device: Device
    entries: list[Entry]
    contexts: list[JobContext]
    registration: Registration
    batched: bool
    deadline: float
    finished: bool = False
    abandoned: bool = False


class Scheduler:
    """Chooses what runs next: priority, then FIFO; batches compatible jobs; places on devices."""

    def __init__(self, batch_window_s: float) -> None:
        self._window = batch_window_s
        self._ready: list[tuple[int, int, str]] = []
        self._delayed: list[tuple[float, int, str]] = []
        self._groups: dict[GroupKey, list[Entry]] = {}
        self._deadlines: list[tuple[float, int, Run]] = []
        self._run_ids = itertools.count(1)

    def next_run_id(self) -> int:
        return next(self._run_ids)

    def make_ready(self, entry: Entry, now: float, batching: bool) -> None:
        entry.ready = True
        entry.ready_at = now
        entry.due = None
        heapq.heappush(self._ready, (int(entry.job.priority), entry.seq, entry.job.id))
        if batching:
            self._groups.setdefault(entry.group, []).append(entry)

    def delay(self, entry: Entry, due: float) -> None:
        entry.ready = False
        entry.due = due
        heapq.heappush(self._delayed, (due, entry.seq, entry.job.id))

    def watch(self, run: Run) -> None:
        """Track a run's deadline; runs that finished early are pruned once they dominate the heap."""
        heapq.heappush(self._deadlines, (run.deadline, run.id, run))
        if len(self._deadlines) > 256:
            live = [item for item in self._deadlines if not item[2].finished]
            if 2 * len(live) < len(self._deadlines):
                heapq.heapify(live)
                self._deadlines = live

    def due_entries(self, now: float, entries: dict[str, Entry]) -> list[Entry]:
        """Delayed jobs whose `not_before` has passed."""
        found = []
        while self._delayed and self._delayed[0][0] <= now:
            due, _, job_id = heapq.heappop(self._delayed)
            entry = entries.get(job_id)
            if entry is not None and entry.due == due and not entry.ready:
                found.append(entry)
        return found

    def expired_runs(self, now: float) -> list[Run]:
        found = []
        while self._deadlines and self._deadlines[0][0] <= now:
            run = heapq.heappop(self._deadlines)[2]
            if not run.finished:
                found.append(run)
        return found

    def select(
        self,
        now: float,
        entries: dict[str, Entry],
        registrations: dict[str, Registration],
        loads: dict[Device, int],
    ) -> tuple[list[tuple[Device, list[Entry]]], float | None]:
        """Assign ready jobs to free slots (updating `loads`); returns the assignments and when a
        batch window closes (monotonic), if one is open.

        A batchable job waiting out its window does not hold a slot, so a lower-priority job
        may take a free slot meanwhile (for at most `batch_window_ms`).
        """
        chosen: list[tuple[Device, list[Entry]]] = []
        skipped: list[tuple[int, int, str]] = []
        window_closes: float | None = None
        while self._ready and any(n < d.slots for d, n in loads.items()):
            item = heapq.heappop(self._ready)
            entry = entries.get(item[2])
            if entry is None or not entry.ready:
                continue  # dispatched through its batch group, cancelled, or finished
            registration = registrations[entry.job.kind]
            device = least_loaded(loads.items(), registration.device_kinds, entry.job.required_device)
            if device is None:
                skipped.append(item)
                continue
            if registration.batch_handler is None:
                batch = [entry]
            else:
                members = self._group_members(entry.group)
                opened = min(m.ready_at for m in members)
                if len(members) < registration.max_batch and now < opened + self._window:
                    skipped.append(item)
                    closes = opened + self._window
                    window_closes = closes if window_closes is None else min(window_closes, closes)
                    continue
                batch = members[: registration.max_batch]
            for member in batch:
                member.ready = False
            loads[device] += 1
            chosen.append((device, batch))
        for item in skipped:
            heapq.heappush(self._ready, item)
        return chosen, window_closes

    def next_wakeup(self, window_closes: float | None) -> float | None:
        """The earliest monotonic time something timed happens: a retry, a timeout, a batch window."""
        times: Iterable[float | None] = (
            self._delayed[0][0] if self._delayed else None,
            self._deadlines[0][0] if self._deadlines else None,
            window_closes,
        )
        present = [t for t in times if t is not None]
        return min(present) if present else None

    def _group_members(self, key: GroupKey) -> list[Entry]:
        """The ready jobs of one batch group, highest priority first (stale ones dropped)."""
        unique = {id(e): e for e in self._groups.get(key, []) if e.ready}
        members = sorted(unique.values(), key=lambda e: (int(e.job.priority), e.seq))
        if members:
            self._groups[key] = members
        else:
            self._groups.pop(key, None)
        return members
