"""Worker processes for an embedded adapter's CPU-bound drawing, per device.

Pillow holds the GIL while it lays out and rasterises text, so storyboard cards drawn on
several queue devices at once in threads ran one at a time: a batch spread over two CPU
devices made 1.4-1.5× one device's images/s on two cores. Worker processes give each device
what a GPU device gets from its own CUDA context: its own interpreter, so devices draw in
parallel. A device's queue workers draw at once too: a call takes an idle worker process of
its device, or starts one while the device has fewer than `processes`, or waits for one.

Processes start on first use from a fork server that has the drawing module imported (so a
start costs milliseconds, not an interpreter's imports), and stop with the adapter. A call
talks to its process over one pipe, request then answer: a process pool would add a feeder
and a result thread, and each hand-over between threads waits for the GIL while another
device's worker holds it (bench_personas: 1.70× against 1.57× for two devices).
If a process cannot start or dies, the work runs in the calling thread instead (logged
once): slower under load, never failed for the renderer's sake.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

__all__ = ["CLOSE_WAIT_S", "DeviceRenderer"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

CLOSE_WAIT_S = 10.0  # how long `close` waits for calls in flight before killing their processes
_PRELOAD = ["engine.providers.embedded.storyboard"]
_LOST = (EOFError, OSError)  # the process died, or `close` killed it
_context_guard = threading.Lock()
_context: multiprocessing.context.ForkServerContext | None = None


def _fork_server() -> multiprocessing.context.ForkServerContext:
    """The fork-server context every renderer forks from (safe in a threaded process, unlike fork)."""
    global _context
    with _context_guard:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _context = context
        return _context


def _serve(connection: Connection) -> None:
    """A worker process: answer each (function, args) with (True, result) or (False, error)."""
    # A terminal's Ctrl-C reaches the whole process group: the studio stops its renderers as it
    # closes (EOF here), so the worker ignores it rather than print a KeyboardInterrupt trace
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, function(*args))
        except Exception as exc:  # noqa: BLE001 - every error of the work goes back to the caller
            answer = (False, exc)
        try:
            connection.send(answer)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or error is still an answer
            connection.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    connection: Connection

    def call(self, function: Callable[..., Any], args: tuple[object, ...]) -> tuple[bool, Any]:
        self.connection.send((function, args))
        return self.connection.recv()  # type: ignore[no-any-return]

    def stop(self) -> None:
        """Let the worker return (it reads EOF), killing it if it does not."""
        self.connection.close()
        self.process.join(timeout=CLOSE_WAIT_S)
        if self.process.is_alive():
            self.kill()

    def kill(self) -> None:
        """Kill the process; a caller blocked on the pipe reads EOF (the pipe stays the caller's to close)."""
        self.process.kill()
        self.process.join()


class DeviceRenderer:
    """Runs picklable functions in this device's worker processes (at most `processes` at once)."""

    def __init__(self, device: str, processes: int = 1) -> None:
        self.device = device
        self._most = max(1, processes)
        self._changed = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._closed = False
        self._failed_once = False

    @property
    def calls_in_flight(self) -> int:
        """How many calls hold a worker process now."""
        with self._changed:
            return len(self._busy)

    def run(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` in a worker process; in this thread if no process can serve it."""
        worker = self._take()
        if worker is not None:
            try:
                done, value = worker.call(function, args)
            except _LOST as exc:
                self._lose(worker, exc)
            else:
                self._give_back(worker)
                if done:
                    return value  # type: ignore[no-any-return]
                raise value  # the function's own error, as it is
        return function(*args)

    def close(self) -> None:
        """Stop every process once its call in flight is answered; a call still running after
        `CLOSE_WAIT_S` has its process killed (the call then answers in its own thread)."""
        with self._changed:
            self._closed = True
            self._changed.wait_for(lambda: not self._busy, timeout=CLOSE_WAIT_S)
            idle, stuck = self._idle, list(self._busy)
            self._idle = []
        for worker in idle:
            worker.stop()
        for worker in stuck:
            worker.kill()

    def _take(self) -> _Worker | None:
        """An idle worker, a new one while there are fewer than `processes`, or (at the limit)
        the next one given back; None once closed or when a process cannot start."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._idle or len(self._busy) < self._most)
            if self._closed:
                return None
            worker = self._idle.pop() if self._idle else self._start()
            if worker is not None:
                self._busy.add(worker)
            return worker

    def _start(self) -> _Worker | None:
        try:
            context = _fork_server()
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs,), daemon=True, name=f"renderer-{self.device}")
            process.start()
            theirs.close()
        except (OSError, ValueError) as exc:
            self._note_failure(exc)
            return None
        return _Worker(process, ours)

    def _give_back(self, worker: _Worker) -> None:
        with self._changed:
            self._busy.discard(worker)
            closed = self._closed
            if not closed:
                self._idle.append(worker)
            self._changed.notify_all()
        if closed:
            worker.stop()

    def _lose(self, worker: _Worker, exc: BaseException) -> None:
        """Forget a dead process (the next call starts a fresh one) and say so once."""
        with self._changed:
            self._busy.discard(worker)
            self._note_failure(exc)
            self._changed.notify_all()
        worker.kill()
        worker.connection.close()

    def _note_failure(self, exc: BaseException) -> None:
        if not self._failed_once and not self._closed:
            self._failed_once = True
            logger.warning("A %s renderer process is unavailable (%s); drawing in the calling thread.",
                           self.device, exc)
