"""Closed-day rollups of the analytics views (migration 011).

Each view `v_<name>` is the table macro `m_<name>(lo, hi)` over all time; `r_<name>` holds the
macro's rows for every day before `rollup_state.through`. `source(name, through)` is the SQL a
dashboard reads instead of the view: the rollup for closed days and the raw rows from `through`
on, so a query aggregates the last two days of rows, not all of them. Without a rollup (never
built, or dropped by a deletion) the source is the macro over all time: slower, never wrong.

A rebuild recomputes every rollup up to the start of yesterday (UTC) and stores them in one transaction:
rows are written with the time of the call, so a day older than that is closed. A rating of an
output from a closed day is folded into the `ratings` and `router_outcomes` rollups in the same
transaction as the rating (`fold_rating`), so dashboards show it at once; it also bumps the epoch,
so a rebuild that read the rows before the rating is discarded and redone. Other late changes to
a closed day (a job that ends days after it was queued) show after the next rebuild.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import duckdb

from storage.database import Database

__all__ = ["ROLLUPS", "RollupStore", "closed_before", "drop_rollups", "fold_rating"]

ROLLUPS: tuple[str, ...] = (
    "requests_daily", "intent_methods", "selection_calibration", "queue_throughput",
    "ratings", "router_outcomes", "classifier_ab",
)
_BEGINNING = datetime(1970, 1, 1)
_FOREVER = datetime(9999, 12, 31)


def _today() -> date:
    return datetime.now(UTC).date()


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

    def rebuild(self, today: date | None = None) -> float | None:
        """Recompute every rollup up to `closed_before(today)`; returns seconds, or None when a
        deletion happened meanwhile (the result counted rows that are gone; the next try redoes it).

        The aggregation runs outside the write lock (it can take seconds on millions of rows);
        only storing the small result is a transaction, so writers wait milliseconds."""
        through = closed_before(today or _today())
        until = datetime.combine(through, datetime.min.time())
        started = time.perf_counter()
        cursor = self._db.cursor()
        epoch = cursor.execute("SELECT n FROM rollup_epoch").fetchone()
        computed = {
            name: cursor.execute(f"SELECT * FROM m_{name}(?::TIMESTAMP, ?::TIMESTAMP)",
                                 [_BEGINNING, until]).df()
            for name in ROLLUPS
        }
        with self._db.transaction() as tx:
            if tx.execute("SELECT n FROM rollup_epoch").fetchone() != epoch:
                return None
            for name, rows in computed.items():
                tx.execute(f"DELETE FROM r_{name}")
                tx.register("computed_rows", rows)
                tx.execute(f"INSERT INTO r_{name} SELECT * FROM computed_rows")
                tx.unregister("computed_rows")
            seconds = time.perf_counter() - started
            tx.execute("DELETE FROM rollup_state")
            tx.executemany(
                "INSERT INTO rollup_state (name, through, refreshed_at, seconds) VALUES (?, ?, ?, ?)",
                [[name, through, datetime.now(UTC).replace(tzinfo=None), seconds] for name in ROLLUPS],
            )
        return seconds


def drop_rollups(tx: duckdb.DuckDBPyConnection) -> None:
    """Forget every rollup inside a caller's transaction (a deletion: the sums included the owner)."""
    tx.execute("UPDATE rollup_epoch SET n = n + 1")
    tx.execute("DELETE FROM rollup_state")
    for name in ROLLUPS:
        tx.execute(f"DELETE FROM r_{name}")


def _built_through(tx: duckdb.DuckDBPyConnection, name: str) -> date | None:
    row = tx.execute("SELECT through FROM rollup_state WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def fold_rating(tx: duckdb.DuckDBPyConnection, generation_id: str, rating: int) -> bool:
    """Add one new rating of `generation_id` to the closed-day rollups that count it, inside the
    caller's transaction (the one that inserts the feedback row). True when a rollup changed."""
    low = 1 if rating <= 2 else 0
    folded = False
    generation = tx.execute(
        "SELECT CAST(date_trunc('day', created_at) AS DATE), coalesce(kind, capability), model"
        " FROM generations WHERE id = ?",
        [generation_id],
    ).fetchone()
    through = _built_through(tx, "ratings")
    if generation is not None and through is not None and generation[0] < through:
        day, workflow, model = generation
        updated = tx.execute(
            "UPDATE r_ratings SET ratings = ratings + 1, rating_sum = rating_sum + ?, low = low + ?"
            " WHERE day = ? AND workflow IS NOT DISTINCT FROM ? AND model IS NOT DISTINCT FROM ?",
            [rating, low, day, workflow, model],
        ).fetchone()
        if not updated or updated[0] == 0:
            tx.execute(
                "INSERT INTO r_ratings (day, workflow, model, ratings, rating_sum, low) VALUES (?, ?, ?, 1, ?, ?)",
                [day, workflow, model, rating, low],
            )
        folded = True
    through = _built_through(tx, "router_outcomes")
    if through is not None:
        for day, kind, tier, chosen, model in tx.execute(
            "SELECT CAST(date_trunc('day', d.created_at) AS DATE), d.kind, d.tier, d.chosen, coalesce(g.model, '-')"
            " FROM router_decisions d LEFT JOIN generations g ON g.id = d.generation_id WHERE d.generation_id = ?",
            [generation_id],
        ).fetchall():
            if day < through:
                tx.execute(
                    "UPDATE r_router_outcomes SET ratings = ratings + 1, rating_sum = coalesce(rating_sum, 0) + ?"
                    " WHERE day = ? AND kind = ? AND tier = ? AND chosen = ? AND model = ?",
                    [rating, day, kind, tier, chosen, model],
                )
                folded = True
    if folded:
        tx.execute("UPDATE rollup_epoch SET n = n + 1")
    return folded
