"""The `generations` table: one row per provider call, written in batches."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone

from pydantic import BaseModel, Field

from storage.database import Database

__all__ = ["GenerationRecord", "GenerationLog"]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class GenerationRecord(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    created_at: datetime = Field(default_factory=_now)
    user_id: str | None = None
    session_id: str | None = None
    job_id: str | None = None
    capability: str
    provider: str
    model: str
    request_summary: str
    latency_ms: float
    cost_usd: float = 0.0
    outcome: str  # ok | placeholder | error
    error: str | None = None
    fallback_from: str | None = None


_COLUMNS = tuple(GenerationRecord.model_fields)
_INSERT = f"INSERT INTO generations ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"


class GenerationLog:
    """Buffers records and writes them in one transaction per batch.

    A batch is flushed when `batch_size` records wait, after `flush_interval_s`, before
    any read, and on `close()` — readers therefore always see every record.
    """

    def __init__(self, db: Database, batch_size: int = 64, flush_interval_s: float = 1.0) -> None:
        self._db = db
        self._batch_size = batch_size
        self._interval = flush_interval_s
        self._pending: list[GenerationRecord] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._flusher = threading.Thread(target=self._flush_periodically, name="generation-log", daemon=True)
        self._flusher.start()

    def record(self, record: GenerationRecord) -> None:
        with self._lock:
            self._pending.append(record)
            full = len(self._pending) >= self._batch_size
        if full:
            self.flush()

    def flush(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
        if batch:
            self._db.write_many(_INSERT, [tuple(r.model_dump().values()) for r in batch])
        return len(batch)

    def recent(self, limit: int = 50) -> list[GenerationRecord]:
        self.flush()
        cursor = self._db.cursor()
        rows = cursor.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM generations ORDER BY created_at DESC LIMIT ?", [limit]
        ).fetchall()
        return [GenerationRecord(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]

    def count(self) -> int:
        self.flush()
        return int(self._db.cursor().execute("SELECT count(*) FROM generations").fetchone()[0])  # type: ignore[index]

    def summary_by_provider(self) -> list[tuple[str, str, str, int, float, float]]:
        """(capability, provider, outcome, calls, mean latency ms, total cost) per group."""
        self.flush()
        return self._db.cursor().execute(
            "SELECT capability, provider, outcome, count(*), avg(latency_ms), sum(cost_usd)"
            " FROM generations GROUP BY ALL ORDER BY capability, provider, outcome"
        ).fetchall()

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
