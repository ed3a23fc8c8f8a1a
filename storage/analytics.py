"""Dashboard, report and training-export queries over the analytics views (migration 009).

Every dashboard query takes the same three bound parameters — first day, day after the last,
workflow (NULL = all) — and reads one view, so the Analytics tab, the report and the bench run
exactly the same SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pandas as pd

from storage.database import Database
from storage.rollups import ROLLUPS, RollupStore

__all__ = ["DASHBOARD_QUERIES", "AnalyticsRepository"]

_RANGE = "day >= ? AND day < ? AND (CAST(? AS VARCHAR) IS NULL OR workflow = ?)"

DASHBOARD_QUERIES: dict[str, str] = {
    "requests": (
        "SELECT day, workflow, model, CAST(sum(requests) AS BIGINT) AS requests, CAST(sum(errors) AS BIGINT) AS errors,"
        " sum(cost_usd) AS cost_usd, sum(latency_ms_sum) / sum(requests) AS mean_latency_ms"
        " FROM v_requests_daily WHERE " + _RANGE + " GROUP BY ALL ORDER BY day, workflow, model"
    ),
    "ratings": (
        "SELECT workflow, model, CAST(sum(ratings) AS BIGINT) AS ratings, sum(rating_sum) / sum(ratings) AS mean_rating,"
        " CAST(sum(low) AS BIGINT) AS low_ratings FROM v_ratings WHERE " + _RANGE + " GROUP BY ALL ORDER BY mean_rating"
    ),
    "router": (
        "SELECT workflow, tier, chosen, model, CAST(sum(decisions) AS BIGINT) AS decisions,"
        " sum(ok) / sum(decisions) AS success_rate, sum(complexity_sum) / sum(decisions) AS mean_complexity,"
        " sum(cost_usd) AS cost_usd, sum(rating_sum) / nullif(sum(ratings), 0) AS mean_rating"
        " FROM (SELECT *, kind AS workflow FROM v_router_outcomes) WHERE " + _RANGE + " GROUP BY ALL ORDER BY workflow, tier"
    ),
    "intent_methods": (
        "SELECT method, CAST(sum(requests) AS BIGINT) AS requests, sum(confidence_sum) / sum(requests) AS mean_confidence,"
        " sum(fallbacks) / sum(requests) AS fallback_rate, sum(cache_hits) / sum(requests) AS cache_hit_rate,"
        " sum(latency_ms_sum) / sum(requests) AS mean_latency_ms"
        " FROM (SELECT *, 'intent' AS workflow FROM v_intent_methods)"
        " WHERE day >= ? AND day < ? AND (CAST(? AS VARCHAR) IS NULL OR ? IN ('intent', workflow))"
        " GROUP BY ALL ORDER BY method"
    ),
    "classifier_ab": (
        "SELECT method, CAST(sum(requests) AS BIGINT) AS requests, CAST(sum(corrected) AS BIGINT) AS corrected,"
        " sum(right_on_corrected) / nullif(sum(corrected), 0) AS accuracy_on_corrections,"
        " sum(latency_ms_sum) / sum(requests) AS mean_latency_ms"
        " FROM (SELECT *, 'intent' AS workflow FROM v_classifier_ab)"
        " WHERE day >= ? AND day < ? AND (CAST(? AS VARCHAR) IS NULL OR ? IN ('intent', workflow))"
        " GROUP BY ALL ORDER BY method"
    ),
    "selection": (
        "SELECT selected_model AS model, CAST(sum(selections) AS BIGINT) AS selections, sum(done) / sum(selections) AS success_rate,"
        " sum(cost_abs_error_sum) / nullif(sum(measured), 0) AS cost_mae_usd,"
        " sum(seconds_abs_error_sum) / nullif(sum(measured), 0) AS seconds_mae"
        " FROM v_selection_calibration WHERE " + _RANGE + " GROUP BY ALL ORDER BY selections DESC"
    ),
    "queue": (
        "SELECT day, kind AS workflow, device, CAST(sum(jobs) AS BIGINT) AS jobs, CAST(sum(completed) AS BIGINT) AS completed, CAST(sum(failed) AS BIGINT) AS failed,"
        " sum(wait_s_sum) / nullif(sum(started), 0) AS mean_wait_s, sum(run_s_sum) / nullif(sum(finished), 0) AS mean_run_s"
        " FROM (SELECT *, kind AS workflow FROM v_queue_throughput) WHERE " + _RANGE + " GROUP BY ALL ORDER BY day"
    ),
    "narration": (
        # The cache keeps all-time counters, so the date range does not apply.
        "SELECT CAST(coalesce(hits, 0) AS BIGINT) AS hits, CAST(coalesce(misses, 0) AS BIGINT) AS misses,"
        " CAST(coalesce(preloads, 0) AS BIGINT) AS preloads,"
        " hit_rate FROM v_narration_cache"
    ),
}

_WORKFLOWS = "SELECT DISTINCT workflow FROM v_requests_daily WHERE day >= ? AND day < ? ORDER BY workflow"

# The report counts whole days (from the day of `since`), so it reads the same rollups.
_OVERALL = """
SELECT coalesce(sum(requests), 0) AS requests,
       1 - sum(errors) / sum(requests) AS success_rate,
       sum(fallbacks) / sum(requests) AS fallback_rate,
       coalesce(sum(cost_usd), 0) AS cost_usd
FROM v_requests_daily WHERE day >= CAST(? AS DATE)
"""
_SATISFACTION = """
SELECT sum(rating_sum) / sum(ratings), coalesce(sum(ratings), 0) FROM v_ratings WHERE day >= CAST(? AS DATE)
"""
_LOWEST_RATED = """
SELECT workflow, model, sum(rating_sum) / sum(ratings) AS mean_rating, CAST(sum(ratings) AS BIGINT) AS ratings
FROM v_ratings WHERE day >= CAST(? AS DATE)
GROUP BY ALL ORDER BY mean_rating, ratings DESC LIMIT ?
"""
_ERRORS = """
SELECT provider, left(error, 160) AS error, count(*) AS count FROM generations
WHERE created_at >= ? AND outcome = 'error' GROUP BY ALL ORDER BY count DESC LIMIT ?
"""
_TRENDS = """
SELECT day, CAST(sum(requests) AS BIGINT) AS requests, 1 - sum(errors) / sum(requests) AS success_rate,
       sum(cost_usd) AS cost_usd
FROM v_requests_daily WHERE day >= CAST(? AS DATE) GROUP BY ALL ORDER BY day
"""
_BAD_ROUTING = """
SELECT d.generation_id, d.created_at, d.kind, d.tier, d.chosen, d.complexity, g.cost_usd, f.rating,
       CASE WHEN d.tier = 'local' THEN 'low rating on the local model'
            ELSE 'expensive call on an easy prompt' END AS problem
FROM router_decisions d
LEFT JOIN generations g ON g.id = d.generation_id
LEFT JOIN (SELECT generation_id, avg(rating) AS rating FROM feedback GROUP BY generation_id) f
       ON f.generation_id = d.generation_id
WHERE d.created_at >= ?
  AND ((d.tier = 'local' AND f.rating <= 2)
       OR (d.tier = 'strong' AND d.complexity < d.threshold / 2 AND coalesce(g.cost_usd, 0) > 0))
ORDER BY d.created_at DESC LIMIT ?
"""

_EXPORT = """
SELECT s.generation_id, s.created_at, s.kind, s.messages, s.completion, f.rating
FROM text_samples s
JOIN generations g ON g.id = s.generation_id AND g.outcome = 'ok'
LEFT JOIN (SELECT generation_id, avg(rating) AS rating FROM feedback GROUP BY generation_id) f
       ON f.generation_id = s.generation_id
WHERE s.created_at >= coalesce(?, TIMESTAMP '1970-01-01')
  AND (CAST(? AS VARCHAR) IS NULL OR s.kind = ?)
  AND (CAST(? AS DOUBLE) IS NULL OR f.rating >= ?)
ORDER BY s.kind, s.created_at
"""
_EXPORT_WITHOUT_TOMBSTONES = _EXPORT.replace(
    "ORDER BY s.kind", "AND sha256(coalesce(s.owner, '')) NOT IN (SELECT owner_hash FROM deleted_owners) ORDER BY s.kind"
)
_HAS_TOMBSTONES = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'deleted_owners'"


_VIEW = re.compile(r"\bv_(\w+)\b")


class AnalyticsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._rollups = RollupStore(db)

    def _over_rollups(self, sql: str) -> tuple[str, list[object]]:
        """`sql` with its view read as closed-day rollup + recent rows; the parameters that adds
        (they come first: the view is named before any other placeholder of these queries)."""
        match = _VIEW.search(sql)
        if match is None or match.group(1) not in ROLLUPS:
            return sql, []
        source, params = self._rollups.source(match.group(1), self._rollups.through().get(match.group(1)))
        return sql[: match.start()] + source + sql[match.end():], params

    def _execute(self, sql: str, params: list[Any]) -> Any:
        sql, prefix = self._over_rollups(sql)
        return self._db.cursor().execute(sql, prefix + params)

    def dashboard(self, name: str, start: date, end: date, workflow: str | None) -> pd.DataFrame:
        """One dashboard query by name (see `DASHBOARD_QUERIES`) over [start, end)."""
        sql = DASHBOARD_QUERIES[name]
        params = [start, end, workflow, workflow][: sql.count("?")]
        return self._execute(sql, params).df()

    def rollups_stale(self) -> bool:
        return self._rollups.stale()

    def rebuild_rollups(self) -> float | None:
        """Recompute the closed-day rollups; seconds, or None if a deletion overtook it (storage/rollups.py)."""
        return self._rollups.rebuild()

    def workflows(self, start: date, end: date) -> list[str]:
        return [str(r[0]) for r in self._execute(_WORKFLOWS, [start, end]).fetchall()]

    def overall(self, since: datetime) -> dict[str, Any]:
        requests, success, fallback, cost = self._execute(_OVERALL, [since]).fetchone()
        satisfaction, ratings = self._execute(_SATISFACTION, [since]).fetchone()
        return {
            "requests": int(requests),
            "success_rate": None if success is None else float(success),
            "fallback_rate": None if fallback is None else float(fallback),
            "cost_usd": float(cost),
            "satisfaction": None if satisfaction is None else float(satisfaction),
            "ratings": int(ratings),
        }

    def lowest_rated(self, since: datetime, limit: int = 5) -> list[dict[str, Any]]:
        return self._rows(_LOWEST_RATED, [since, limit])

    def frequent_errors(self, since: datetime, limit: int = 5) -> list[dict[str, Any]]:
        return self._rows(_ERRORS, [since, limit])

    def trends(self, since: datetime) -> list[dict[str, Any]]:
        return self._rows(_TRENDS, [since])

    def bad_routing(self, since: datetime, limit: int = 20) -> list[dict[str, Any]]:
        return self._rows(_BAD_ROUTING, [since, limit])

    def training_rows(
        self, since: datetime | None, kind: str | None, min_rating: float | None
    ) -> Iterator[tuple[Any, ...]]:
        """(generation_id, created_at, kind, messages JSON, completion, rating) rows to export,
        never a tombstoned owner's; streamed in chunks."""
        cursor = self._db.cursor()
        tombstones = bool(cursor.execute(_HAS_TOMBSTONES).fetchone()[0])  # type: ignore[index]
        sql = _EXPORT_WITHOUT_TOMBSTONES if tombstones else _EXPORT
        cursor.execute(sql, [since, kind, kind, min_rating, min_rating])
        while chunk := cursor.fetchmany(10_000):
            yield from chunk

    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        cursor = self._execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
