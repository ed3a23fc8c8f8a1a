"""One worker process per device for an embedded adapter's CPU-bound drawing.

Pillow holds the GIL while it lays out and rasterises text, so storyboard cards drawn on
several queue devices at once in threads ran one at a time: a batch spread over two CPU
devices made 1.4-1.5× one device's images/s on two cores. A process per device is what a
GPU device gets from its own CUDA context: its own interpreter, so devices draw in parallel.

The process starts on first use from a fork server that has the drawing module imported
(so a start costs milliseconds, not an interpreter's imports), and stops with the adapter.
The device's queue worker talks to it over one pipe, request then answer: a process pool
would add a feeder and a result thread per device, and each hand-over between those threads
waits for the GIL while the other device's worker holds it.
If the process cannot start or dies, the work runs in the calling thread instead (logged
once): slower under load, never failed for the renderer's sake.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

__all__ = ["DeviceRenderer"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_PRELOAD = ["engine.providers.embedded.storyboard"]
_context_guard = threading.Lock()
_context: multiprocessing.context.ForkServerContext | None = None
_LOST = (EOFError, OSError)  # the process died or was killed by `close`
CLOSE_WAIT_S = 10.0


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
    """The worker process: answer each (function, args) with (True, result) or (False, error)."""
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


class DeviceRenderer:
    """Runs picklable functions in this device's worker process, one call at a time."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._calls = threading.Lock()  # one request on the pipe at a time
        self._state = threading.Lock()
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._closed = False
        self._failed_once = False

    def run(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` in the worker process; in this thread if the process cannot serve it."""
        with self._calls:
            connection = self._ensure_process()
            if connection is not None:
                try:
                    connection.send((function, args))
                    done, value = connection.recv()
                except _LOST as exc:
                    self._drop(connection, exc)
                else:
                    if done:
                        return value  # type: ignore[no-any-return]
                    raise value  # the function's own error, as it is
        return function(*args)

    def close(self) -> None:
        """Stop the worker process once the call in flight (if any) is answered; a call stuck
        longer than `CLOSE_WAIT_S` has its process killed (it then answers in its own thread)."""
        with self._state:
            self._closed = True
        idle = self._calls.acquire(timeout=CLOSE_WAIT_S)
        try:
            with self._state:
                process, connection = self._process, self._connection
                self._process = self._connection = None
            if idle:
                self._stop(process, connection)
            elif process is not None:
                process.kill()  # the stuck call reads EOF and closes its end in `_drop`
                process.join()
        finally:
            if idle:
                self._calls.release()

    def _ensure_process(self) -> Connection | None:
        with self._state:
            if self._connection is None and not self._closed:
                try:
                    context = _fork_server()
                    ours, theirs = context.Pipe()
                    process = context.Process(target=_serve, args=(theirs,), daemon=True,
                                              name=f"renderer-{self.device}")
                    process.start()
                    theirs.close()
                    self._process, self._connection = process, ours
                except (OSError, ValueError) as exc:
                    self._note_failure(exc)
            return self._connection

    def _drop(self, connection: Connection, exc: BaseException) -> None:
        """Forget a dead process (the next call starts a fresh one) and say so once."""
        with self._state:
            current = self._connection is connection
            process = self._process if current else None
            if current:
                self._process = self._connection = None
            self._note_failure(exc)
        self._stop(process, connection)

    @staticmethod
    def _stop(process: BaseProcess | None, connection: Connection | None) -> None:
        if connection is not None:
            connection.close()  # the worker reads EOF and returns
        if process is not None:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()

    def _note_failure(self, exc: BaseException) -> None:
        if not self._failed_once and not self._closed:
            self._failed_once = True
            logger.warning("The %s renderer process is unavailable (%s); drawing in the calling thread.",
                           self.device, exc)
