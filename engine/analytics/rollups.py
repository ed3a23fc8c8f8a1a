"""Keeps the dashboards' closed-day rollups current from a background thread.

A rebuild runs when the rollups miss a closed day (a new day began, or a deletion dropped them);
it is one transaction, so a dashboard sees either the old rollups or the new ones.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["RollupMaintainer"]

log = logging.getLogger(__name__)


class RollupMaintainer:
    def __init__(self, stale: Callable[[], bool], rebuild: Callable[[], float | None], interval_s: float) -> None:
        self._stale = stale
        self._rebuild = rebuild
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._interval_s > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="analytics-rollups", daemon=True)
            self._thread.start()

    def run_once(self) -> float | None:
        """Rebuild if stale; the seconds it took, or None when nothing was due."""
        if not self._stale():
            return None
        seconds = self._rebuild()
        if seconds is not None:
            log.info("analytics rollups rebuilt in %.2f s", seconds)
        return seconds

    def _run(self) -> None:
        delay = min(self._interval_s, 2.0)  # the first check soon after start, then every interval
        while not self._stop.wait(delay):
            try:
                self.run_once()
            except Exception:
                log.exception("analytics rollup rebuild failed; dashboards read the raw rows until the next try")
            delay = self._interval_s

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
