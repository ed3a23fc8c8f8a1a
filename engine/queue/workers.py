"""One pool of worker threads per device."""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from typing import Protocol

from engine.queue.devices import Device

__all__ = ["DevicePool"]


class Work(Protocol):
    """What a pool runs; `abandoned` is set when the run timed out and a new worker took its slot."""

    abandoned: bool


class DevicePool:
    """`device.slots` threads taking work from one inbox.

    A run that times out is abandoned (Python cannot kill a thread): the pool starts a
    replacement worker and the stuck thread exits once its handler returns.
    """

    def __init__(self, device: Device, execute: Callable[[Work], None]) -> None:
        self.device = device
        self.running = 0  # busy slots (handler calls); guarded by the queue's lock
        self.jobs = 0  # jobs in those calls (a batch holds several)
        self._execute = execute
        self._inbox: queue.SimpleQueue[Work | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._busy: dict[threading.Thread, Work] = {}
        self._names = itertools.count(1)

    def start(self) -> None:
        for _ in range(self.device.slots):
            self._spawn()

    def submit(self, work: Work) -> None:
        self._inbox.put(work)

    def replace_worker(self) -> None:
        """Start a worker for the slot of an abandoned (timed-out) one."""
        self._spawn()

    def stop(self) -> None:
        """Ask every active worker to exit once the work already handed to it is done."""
        for _ in range(self.device.slots):
            self._inbox.put(None)

    def join(self, deadline: float) -> None:
        for thread in list(self._threads):
            work = self._busy.get(thread)
            if work is not None and work.abandoned:
                continue  # stuck in a timed-out handler; it is a daemon thread, leave it
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            thread.join(remaining)

    def _spawn(self) -> None:
        thread = threading.Thread(
            target=self._loop, name=f"queue-{self.device.name}-{next(self._names)}", daemon=True
        )
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _loop(self) -> None:
        while True:
            work = self._inbox.get()
            if work is None:
                return
            me = threading.current_thread()
            self._busy[me] = work
            self._execute(work)
            del self._busy[me]
            if work.abandoned:
                return
