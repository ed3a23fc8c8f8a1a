"""Intent-lab records: classifications (with cache, breaker and limit state) and corrections."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from storage.database import Database

__all__ = ["IntentRepository"]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class IntentRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

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
    ) -> None:
        self._db.write(
            "INSERT INTO intent_classifications (id, created_at, user_id, prompt, has_image, method, workflow,"
            " confidence, latency_ms, fallback_used, cache_hit, breaker_state, rate_limited, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [uuid.uuid4().hex, _now(), user_id, prompt[:2000], has_image, method, workflow, confidence,
             latency_ms, fallback_used, cache_hit, breaker_state, rate_limited, error],
        )

    def add_correction(self, user_id: str | None, prompt: str, has_image: bool, workflow: str) -> None:
        self._db.write(
            "INSERT INTO intent_corrections (id, created_at, user_id, prompt, has_image, workflow) VALUES (?, ?, ?, ?, ?, ?)",
            [uuid.uuid4().hex, _now(), user_id, prompt[:2000], has_image, workflow],
        )

    def corrections(self) -> list[tuple[str, bool, str]]:
        return self._db.cursor().execute(
            "SELECT prompt, has_image, workflow FROM intent_corrections ORDER BY created_at"
        ).fetchall()

    def method_summary(self) -> list[tuple[str, int, float, float]]:
        """(method, classifications, cache hit rate, mean latency ms)."""
        return self._db.cursor().execute(
            "SELECT method, count(*), avg(cache_hit::INTEGER), avg(latency_ms)"
            " FROM intent_classifications GROUP BY method ORDER BY method"
        ).fetchall()
