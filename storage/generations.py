"""The `generations` table: one row per provider call, written in batches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from storage.batched import BatchedInserts
from storage.database import Database
from storage.ownership import Tombstones

__all__ = ["OUTPUT_CAPABILITY", "GenerationLog", "GenerationRecord"]

# The capability of a row that records a rated output, not a model call (engine/analytics/outputs.py).
OUTPUT_CAPABILITY = "output"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


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
    owner: str | None = None
    kind: str | None = None  # what the call was for (CallContext.kind); migration 009
    ttft_ms: float | None = None  # time to the first streamed piece
    estimated_cost_usd: float | None = None  # the adapter's estimate; cost_usd is the actual one (migration 012)
    remote_seconds: float | None = None  # how long the remote provider says it ran
    remote_id: str | None = None  # the provider's id(s) of the call, e.g. Replicate prediction ids


_COLUMNS = tuple(GenerationRecord.model_fields)


class GenerationLog:
    """Records are buffered and written in batches (see `BatchedInserts`); every read
    flushes first, so readers always see every record."""

    def __init__(self, db: Database, batch_size: int = 64, flush_interval_s: float = 1.0,
                 tombstones: Tombstones | None = None) -> None:  # fmt: skip
        self._db = db
        self._tombstones = tombstones
        self._writer = BatchedInserts(db, "generations", _COLUMNS, batch_size, flush_interval_s)

    def record(self, record: GenerationRecord) -> None:
        """Buffer one record; a record for a deleted owner is dropped (nothing is stored for them again)."""
        if self._tombstones is not None and self._tombstones.is_deleted(record.owner):
            return
        self._writer.add(tuple(record.model_dump().values()))

    def flush(self) -> int:
        return self._writer.flush()

    def recent(self, limit: int = 50, owner: str | None = None, *, outputs: bool = False) -> list[GenerationRecord]:
        """The newest model calls; only `owner`'s when given (None: everybody's, for an admin).
        `outputs`: include the rows of rated outputs (capability 'output', which are not model calls)."""
        self.flush()
        cursor = self._db.cursor()
        rows = cursor.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM generations WHERE (? IS NULL OR owner = ?)"
            " AND (? OR capability <> 'output') ORDER BY created_at DESC LIMIT ?",
            [owner, owner, outputs, limit],
        ).fetchall()
        return [GenerationRecord(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]

    def count(self) -> int:
        self.flush()
        return int(self._db.cursor().execute("SELECT count(*) FROM generations").fetchone()[0])  # type: ignore[index]

    def summary_by_provider(self) -> list[tuple[str, str, str, int, float, float]]:
        """(capability, provider, outcome, calls, mean latency ms, total cost) per group of model calls."""
        self.flush()
        return self._db.cursor().execute(
            "SELECT capability, provider, outcome, count(*), avg(latency_ms), sum(cost_usd)"
            " FROM generations WHERE capability <> 'output' GROUP BY ALL ORDER BY capability, provider, outcome"
        ).fetchall()

    def close(self) -> None:
        self._writer.close()
