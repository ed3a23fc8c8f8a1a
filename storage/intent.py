"""Intent-lab records: classifications (with cache, breaker and limit state), model selections
and runs, corrections, and the users' saved reference images for @mentions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel

from storage.batched import BatchedInserts
from storage.database import Database

__all__ = ["IntentRepository", "SelectionRecord"]


class SelectionRecord(BaseModel):
    """One row of `intent_selections`: what was chosen for a request and what running it did."""

    user_id: str | None
    owner: str | None = None
    prompt: str
    has_image: bool
    workflow: str
    confidence: float
    method: str
    quality: str
    selected_model: str
    provider: str
    fallbacks: Sequence[str]
    estimated_cost_usd: float
    estimated_seconds: float
    enhanced_prompt: str
    status: str
    actual_model: str | None = None
    actual_cost_usd: float | None = None
    actual_seconds: float | None = None
    output_sha256: str | None = None
    output_kind: str | None = None
    operations: str | None = None
    message: str


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_CLASSIFICATION_COLUMNS = (
    "id", "created_at", "user_id", "prompt", "has_image", "method", "workflow", "confidence", "latency_ms",
    "fallback_used", "cache_hit", "breaker_state", "rate_limited", "error", "owner",
)


class IntentRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._classifications = BatchedInserts(db, "intent_classifications", _CLASSIFICATION_COLUMNS)

    def log_classification(
        self,
        *,
        user_id: str | None,
        prompt: str,
        has_image: bool,
        method: str,
        workflow: str | None,
        confidence: float | None,
        latency_ms: float,
        fallback_used: str | None,
        cache_hit: bool,
        breaker_state: str | None,
        rate_limited: bool,
        error: str | None = None,
        owner: str | None = None,
    ) -> None:
        """Buffered: a cache hit must not wait for a DuckDB commit. Reads here flush first."""
        self._classifications.add(
            [uuid.uuid4().hex, _now(), user_id, prompt[:2000], has_image, method, workflow, confidence,
             latency_ms, fallback_used, cache_hit, breaker_state, rate_limited, error, owner]
        )

    def flush(self) -> None:
        self._classifications.flush()

    def close(self) -> None:
        self._classifications.close()

    def add_correction(self, user_id: str | None, prompt: str, has_image: bool, workflow: str,
                       owner: str | None = None) -> None:  # fmt: skip
        self._db.write(
            "INSERT INTO intent_corrections (id, created_at, user_id, prompt, has_image, workflow, owner)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [uuid.uuid4().hex, _now(), user_id, prompt[:2000], has_image, workflow, owner],
        )

    def corrections(self) -> list[tuple[str, bool, str]]:
        return self._db.cursor().execute(
            "SELECT prompt, has_image, workflow FROM intent_corrections ORDER BY created_at"
        ).fetchall()

    def log_selection(self, record: SelectionRecord) -> str:
        """Insert one selection (and its run, if any) in one statement; returns its id."""
        row_id = uuid.uuid4().hex
        values = record.model_dump()
        values["prompt"] = values["prompt"][:2000]
        values["enhanced_prompt"] = values["enhanced_prompt"][:4000]
        values["fallbacks"] = list(values["fallbacks"])
        columns = ", ".join(["id", "created_at", *values])
        marks = ", ".join("?" * (len(values) + 2))
        self._db.write(
            f"INSERT INTO intent_selections ({columns}) VALUES ({marks})", [row_id, _now(), *values.values()]
        )
        return row_id

    def selections(self, limit: int = 50, owner: str | None = None) -> list[SelectionRecord]:
        """The newest selections first; only `owner`'s when given."""
        cursor = self._db.cursor().execute(
            f"SELECT {', '.join(SelectionRecord.model_fields)} FROM intent_selections"
            " WHERE (? IS NULL OR owner = ?) ORDER BY created_at DESC LIMIT ?",
            [owner, owner, limit],
        )
        names = [column[0] for column in cursor.description]
        return [SelectionRecord.model_validate(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    def save_reference(self, owner: str, tag: str, media_sha256: str) -> None:
        """Name an image for @mentions of `owner`; saving a tag again replaces its image.
        (`user_id` holds the owner too: the key is (user_id, tag).)"""
        self._db.write(
            "INSERT INTO intent_references (user_id, tag, media_sha256, created_at, owner) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, tag) DO UPDATE SET media_sha256 = excluded.media_sha256,"
            " created_at = excluded.created_at",
            [owner, tag, media_sha256, _now(), owner],
        )

    def references(self, owner: str) -> dict[str, str]:
        """tag -> media sha256 of the owner's saved reference images."""
        rows = self._db.cursor().execute(
            "SELECT tag, media_sha256 FROM intent_references WHERE owner = ? ORDER BY tag", [owner]
        ).fetchall()
        return {str(tag): str(sha) for tag, sha in rows}

    def method_summary(self) -> list[tuple[str, int, float, float]]:
        """(method, classifications, cache hit rate, mean latency ms)."""
        self.flush()
        return self._db.cursor().execute(
            "SELECT method, count(*), avg(cache_hit::INTEGER), avg(latency_ms)"
            " FROM intent_classifications GROUP BY method ORDER BY method"
        ).fetchall()
