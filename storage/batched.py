"""Rows buffered in memory and inserted in one transaction per batch, off the request path."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from storage.database import Database

__all__ = ["BatchedInserts"]


class BatchedInserts:
    """Buffers rows for one INSERT and writes them together.

    A batch is written when `batch_size` rows wait, every `flush_interval_s` on a background
    thread, whenever the owner calls `flush()` (before any read, so readers see every row),
    and on `close()`. One DuckDB commit costs milliseconds; a buffered row costs microseconds.
    """

    def __init__(
        self, db: Database, table: str, columns: Sequence[str], batch_size: int = 64, flush_interval_s: float = 1.0
    ) -> None:
        self._db = db
        self._insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        self._width = len(columns)
        self._batch_size = batch_size
        self._interval = flush_interval_s
        self._pending: list[Sequence[Any]] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._stopped = threading.Event()
        self._flusher = threading.Thread(target=self._flush_periodically, name=f"{table}-writer", daemon=True)
        self._flusher.start()

    def add(self, row: Sequence[Any]) -> None:
        if len(row) != self._width:
            raise ValueError(f"expected {self._width} values, got {len(row)}")
        with self._lock:
            self._pending.append(row)
            full = len(self._pending) >= self._batch_size
        if full:
            self.flush()

    def flush(self) -> int:
        # One flush at a time: a reader (or a deletion) that flushes must not pass a batch another
        # thread took but has not yet written, or it would read (or delete) before those rows land.
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, []
            if batch:
                self._db.write_many(self._insert, batch)
            return len(batch)

    def _flush_periodically(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - the next flush retries; close() surfaces errors
                continue

    def close(self) -> None:
        self._stopped.set()
        self._flusher.join(timeout=5)
        self.flush()
