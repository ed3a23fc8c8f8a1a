"""One worker process per device for an embedded adapter's CPU-bound drawing.

Pillow holds the GIL while it lays out and rasterises text, so storyboard cards drawn on
several queue devices at once in threads ran one at a time: a batch spread over two CPU
devices made 1.4-1.5× one device's images/s on two cores. A process per device is what a
GPU device gets from its own CUDA context: its own interpreter, so devices draw in parallel.

The process starts on first use from a fork server that has the drawing module imported
(so a start costs milliseconds, not an interpreter's imports), and stops with the adapter.
If it cannot start or dies, the work runs in the calling thread instead (logged once): slower
under load, never failed for the renderer's sake.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

__all__ = ["DeviceRenderer"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_PRELOAD = ["engine.providers.embedded.storyboard"]
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


class DeviceRenderer:
    """Runs picklable functions in this device's worker process, one call at a time."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self._failed_once = False

    def run(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` in the worker process; in this thread if the process cannot serve it."""
        pool = self._ensure_pool()
        if pool is not None:
            try:
                future = pool.submit(function, *args)
            except (BrokenProcessPool, RuntimeError) as exc:  # RuntimeError: closed meanwhile
                self._drop(pool, exc)
            else:
                try:
                    return future.result()  # the function's own exceptions come back as they are
                except BrokenProcessPool as exc:  # the process died (killed, out of memory)
                    self._drop(pool, exc)
        return function(*args)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _ensure_pool(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._pool is None and not self._closed:
                try:
                    self._pool = ProcessPoolExecutor(max_workers=1, mp_context=_fork_server())
                except (OSError, ValueError) as exc:
                    self._note_failure(exc)
            return self._pool

    def _drop(self, pool: ProcessPoolExecutor, exc: BaseException) -> None:
        """Forget a broken process (the next call starts a fresh one) and say so once."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
            self._note_failure(exc)
        pool.shutdown(wait=False, cancel_futures=True)

    def _note_failure(self, exc: BaseException) -> None:
        if not self._failed_once and not self._closed:
            self._failed_once = True
            logger.warning("The %s renderer process is unavailable (%s); drawing in the calling thread.",
                           self.device, exc)
