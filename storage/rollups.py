"""Closed-day rollups of the analytics views (migration 011).

Each view `v_<name>` is the table macro `m_<name>(lo, hi)` over all time; `r_<name>` holds the
macro's rows for every day before `rollup_state.through`. `source(name, through)` is the SQL a
dashboard reads instead of the view: the rollup for closed days and the raw rows from `through`
on, so a query aggregates the last two days of rows, not all of them. Without a rollup (never
built, or dropped by a deletion) the source is the macro over all time: slower, never wrong.

A rebuild is one transaction that recomputes every rollup up to the start of yesterday (UTC):
rows are written with the time of the call, so a day older than that is closed. What changes a
closed day later (a rating of an old output, a job that ends days after it was queued) shows
after the next rebuild, at the latest a day later.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import duckdb

from storage.database import Database

__all__ = ["ROLLUPS", "RollupStore", "closed_before", "drop_rollups"]

ROLLUPS: tuple[str, ...] = (
    "requests_daily", "intent_methods", "selection_calibration", "queue_throughput",
    "ratings", "router_outcomes", "classifier_ab",
)
_BEGINNING = datetime(1970, 1, 1)
_FOREVER = datetime(9999, 12, 31)


def _today() -> date:
    return datetime.now(timezone.utc).date()


def closed_before(today: date) -> date:
    """The first day a rebuild leaves to the raw rows: yesterday, so a late flush is never lost."""
    return today - timedelta(days=1)


class RollupStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def through(self) -> dict[str, date]:
        """The first day each built rollup does not cover."""
        rows = self._db.cursor().execute("SELECT name, through FROM rollup_state").fetchall()
        return {str(name): through for name, through in rows}

    def source(self, name: str, through: date | None) -> tuple[str, list[object]]:
        """(SQL of a subquery with the view's columns, its parameters)."""
        if name not in ROLLUPS:
            raise KeyError(name)
        if through is None:
            return f"(SELECT * FROM m_{name}(?::TIMESTAMP, ?::TIMESTAMP))", [_BEGINNING, _FOREVER]
        return (
            f"(SELECT * FROM r_{name} WHERE day < ? UNION ALL SELECT * FROM m_{name}(?::TIMESTAMP, ?::TIMESTAMP))",
            [through, datetime.combine(through, datetime.min.time()), _FOREVER],
        )

    def stale(self, today: date | None = None) -> bool:
        """True when a rebuild would cover more days than the rollups do (or they are missing)."""
        target = closed_before(today or _today())
        built = self.through()
        return any(built.get(name) != target for name in ROLLUPS)

    def rebuild(self, today: date | None = None) -> float:
        """Recompute every rollup up to `closed_before(today)` in one transaction; returns seconds."""
        through = closed_before(today or _today())
        until = datetime.combine(through, datetime.min.time())
        started = time.perf_counter()
        with self._db.transaction() as tx:
            for name in ROLLUPS:
                tx.execute(f"DELETE FROM r_{name}")  # noqa: S608 - names from ROLLUPS
                tx.execute(f"INSERT INTO r_{name} SELECT * FROM m_{name}(?::TIMESTAMP, ?::TIMESTAMP)",  # noqa: S608
                           [_BEGINNING, until])
            seconds = time.perf_counter() - started
            tx.execute("DELETE FROM rollup_state")
            tx.executemany(
                "INSERT INTO rollup_state (name, through, refreshed_at, seconds) VALUES (?, ?, ?, ?)",
                [[name, through, datetime.now(timezone.utc).replace(tzinfo=None), seconds] for name in ROLLUPS],
            )
        return seconds


def drop_rollups(tx: duckdb.DuckDBPyConnection) -> None:
    """Forget every rollup inside a caller's transaction (a deletion: the sums included the owner)."""
    tx.execute("DELETE FROM rollup_state")
    for name in ROLLUPS:
        tx.execute(f"DELETE FROM r_{name}")  # noqa: S608 - names from ROLLUPS
