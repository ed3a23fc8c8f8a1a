"""Router records: decisions (buffered), calibrations, the text samples behind training export,
and the sliding-window performance per (provider, model, kind) the router decides on."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from storage.batched import BatchedInserts
from storage.database import Database

__all__ = ["DecisionRow", "PerformanceRow", "RouterLog", "SampleRow"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class DecisionRow(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    created_at: datetime = Field(default_factory=_now)
    owner: str | None = None
    kind: str
    generation_id: str | None = None
    complexity: float
    threshold: float
    features: dict[str, Any]
    chosen: str
    tier: str
    reasons: list[str]
    overhead_ms: float


class SampleRow(BaseModel):
    generation_id: str
    created_at: datetime = Field(default_factory=_now)
    owner: str | None = None
    kind: str
    messages: list[dict[str, str]]
    completion: str


class PerformanceRow(BaseModel):
    provider: str
    model: str
    kind: str
    calls: int
    success_rate: float
    p50_ms: float | None
    p95_ms: float | None
    ttft_p50_ms: float | None
    mean_rating: float | None
    ratings: int
    cost_usd: float


_DECISION_COLUMNS = tuple(DecisionRow.model_fields)
_SAMPLE_COLUMNS = tuple(SampleRow.model_fields)

_PERFORMANCE = """
SELECT g.provider, g.model, coalesce(g.kind, g.capability) AS kind,
       count(*) AS calls,
       avg(CASE WHEN g.outcome = 'error' THEN 0.0 ELSE 1.0 END) AS success_rate,
       quantile_cont(g.latency_ms, 0.5) AS p50_ms,
       quantile_cont(g.latency_ms, 0.95) AS p95_ms,
       quantile_cont(g.ttft_ms, 0.5) AS ttft_p50_ms,
       avg(f.rating) AS mean_rating,
       count(f.rating) AS ratings,
       sum(g.cost_usd) AS cost_usd
FROM generations g
LEFT JOIN (SELECT generation_id, avg(rating) AS rating FROM feedback GROUP BY generation_id) f
       ON f.generation_id = g.id
WHERE g.created_at >= ? AND g.capability = 'text'
GROUP BY ALL ORDER BY kind, g.provider
"""


class RouterLog:
    """Decisions and samples are buffered (`BatchedInserts`) so routing costs microseconds."""

    def __init__(self, db: Database, batch_size: int = 64, flush_interval_s: float = 1.0) -> None:
        self._db = db
        self._decisions = BatchedInserts(db, "router_decisions", _DECISION_COLUMNS, batch_size, flush_interval_s)
        self._samples = BatchedInserts(db, "text_samples", _SAMPLE_COLUMNS, batch_size, flush_interval_s)

    def record_decision(self, row: DecisionRow) -> None:
        values = row.model_dump()
        values["features"] = json.dumps(values["features"])
        values["reasons"] = json.dumps(values["reasons"])
        self._decisions.add(tuple(values.values()))

    def record_sample(self, row: SampleRow) -> None:
        values = row.model_dump()
        values["messages"] = json.dumps(values["messages"], ensure_ascii=False)
        self._samples.add(tuple(values.values()))

    def flush(self) -> None:
        self._decisions.flush()
        self._samples.flush()

    def recent_decisions(self, limit: int = 50, since: datetime | None = None) -> list[DecisionRow]:
        self.flush()
        rows = self._db.cursor().execute(
            f"SELECT {', '.join(_DECISION_COLUMNS)} FROM router_decisions"
            " WHERE created_at >= coalesce(?, TIMESTAMP '1970-01-01') ORDER BY created_at DESC LIMIT ?",
            [since, limit],
        ).fetchall()
        found = []
        for row in rows:
            values = dict(zip(_DECISION_COLUMNS, row, strict=True))
            values["features"] = json.loads(values["features"])
            values["reasons"] = json.loads(values["reasons"])
            found.append(DecisionRow(**values))
        return found

    def recent_complexities(self, limit: int) -> list[float]:
        self.flush()
        rows = self._db.cursor().execute(
            "SELECT complexity FROM router_decisions ORDER BY created_at DESC LIMIT ?", [limit]
        ).fetchall()
        return [float(r[0]) for r in rows]

    def save_calibration(self, threshold: float, share: float, sample_size: int) -> None:
        self._db.write(
            "INSERT INTO router_calibrations (created_at, threshold, share, sample_size) VALUES (?, ?, ?, ?)",
            [_now(), threshold, share, sample_size],
        )

    def calibrated_threshold(self) -> float | None:
        row = self._db.cursor().execute(
            "SELECT threshold FROM router_calibrations ORDER BY created_at DESC LIMIT 1"
        ).fetchone()
        return float(row[0]) if row else None

    def performance(self, since: datetime) -> list[PerformanceRow]:
        """Measured text performance per (provider, model, kind) since `since`."""
        self.flush()
        cursor = self._db.cursor().execute(_PERFORMANCE, [since])
        names = [d[0] for d in cursor.description]
        return [PerformanceRow(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    def delete_owner(self, owner_id: str) -> None:
        """Remove a person's decisions and text samples (for delete-my-data)."""
        self.flush()
        with self._db.transaction() as cursor:
            cursor.execute("DELETE FROM router_decisions WHERE owner = ?", [owner_id])
            cursor.execute("DELETE FROM text_samples WHERE owner = ?", [owner_id])

    def close(self) -> None:
        self._decisions.close()
        self._samples.close()
