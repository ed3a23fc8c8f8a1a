"""The `jobs` table: one row per queued job, every state change written here.

The queue writes through `job_log` (`log`): one narrow row per group commit holding whole records,
folded into `jobs` in batches (`fold`). Reads of one job (`get`, `find_statuses`) see the log; the
listing reads (`list_jobs`, `counts`, `load_unfinished`) fold it first; other readers of `jobs`
(analytics views) see a job once its group is folded, within a second (see engine.queue.journal).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from engine.errors import NotFound, StorageError
from storage.database import Database

__all__ = ["JobRecord", "JobRepository"]

_SELECT = (
    "SELECT id, kind, payload, priority, status, parents, attempts, max_retries, timeout_s, batch_key,"
    " device, required_device, user_id, progress, message, result, error, not_before,"
    " created_at, started_at, finished_at FROM jobs"
)

# One statement per batch, whatever its size: DuckDB spends about a millisecond per statement and
# microseconds per row, so rows travel as one list per column and are unnested in SQL.
_INSERT = (
    "INSERT INTO jobs (id, kind, payload, priority, status, parents, attempts, max_retries, timeout_s,"
    " batch_key, device, required_device, user_id, progress, message, result, error, not_before,"
    " created_at, started_at, finished_at, updated_at)"
    " SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])::JSON, unnest(?::INTEGER[]),"
    " unnest(?::VARCHAR[]), unnest(?::VARCHAR[][]), unnest(?::INTEGER[]), unnest(?::INTEGER[]),"
    " unnest(?::DOUBLE[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
    " unnest(?::DOUBLE[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])::JSON, unnest(?::VARCHAR[]),"
    " unnest(?::TIMESTAMP[]), unnest(?::TIMESTAMP[]), unnest(?::TIMESTAMP[]), unnest(?::TIMESTAMP[]), ?::TIMESTAMP"
)

_INSERT_NEW = _INSERT.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)  # a fold never fails on one row

_SAVE_STATES = (
    "UPDATE jobs SET status = s.status, attempts = s.attempts, device = s.device, progress = s.progress,"
    " message = s.message, result = s.result::JSON, error = s.error, not_before = s.not_before,"
    " started_at = s.started_at, finished_at = s.finished_at, updated_at = ?::TIMESTAMP"
    " FROM (SELECT unnest(?::VARCHAR[]) AS id, unnest(?::VARCHAR[]) AS status, unnest(?::INTEGER[]) AS attempts,"
    " unnest(?::VARCHAR[]) AS device, unnest(?::DOUBLE[]) AS progress, unnest(?::VARCHAR[]) AS message,"
    " unnest(?::VARCHAR[]) AS result, unnest(?::VARCHAR[]) AS error, unnest(?::TIMESTAMP[]) AS not_before,"
    " unnest(?::TIMESTAMP[]) AS started_at, unnest(?::TIMESTAMP[]) AS finished_at) AS s"
    " WHERE jobs.id = s.id"
)


@dataclass
class JobRecord:
    """One row of `jobs`. Datetimes are timezone-aware UTC; JSON columns are dicts."""

    id: str
    kind: str
    priority: int
    status: str
    max_retries: int
    timeout_s: float
    created_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)
    attempts: int = 0
    batch_key: str | None = None
    device: str | None = None
    required_device: str | None = None
    user_id: str | None = None
    progress: float = 0.0
    message: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    not_before: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


def _to_db(moment: datetime | None) -> datetime | None:
    """DuckDB TIMESTAMP holds naive UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _from_db(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_FOLD_ATTEMPTS = 5
_TIMES = ("not_before", "created_at", "started_at", "finished_at")


def _doc(record: JobRecord, new: bool) -> dict[str, Any]:
    fields = dict(vars(record))  # shallow: json.dumps walks payload and result itself
    for name in _TIMES:
        moment = fields[name]
        fields[name] = None if moment is None else moment.astimezone(UTC).isoformat()
    return {"new": new, "record": fields}


def _from_doc(fields: dict[str, Any]) -> JobRecord:
    fields = dict(fields)
    for name in _TIMES:
        if fields[name] is not None:
            fields[name] = datetime.fromisoformat(fields[name])
    return JobRecord(**fields)


def _latest(groups: Sequence[str]) -> tuple[dict[str, JobRecord], set[str]]:
    """The last record of each job in these log rows (oldest row first), and which jobs are new there."""
    latest: dict[str, JobRecord] = {}
    new: set[str] = set()
    for docs in groups:
        for doc in json.loads(docs):
            record = _from_doc(doc["record"])
            latest[record.id] = record
            if doc["new"]:
                new.add(record.id)
    return latest, new


def _record(row: tuple[Any, ...]) -> JobRecord:
    (job_id, kind, payload, priority, status, parents, attempts, max_retries, timeout_s, batch_key,
     device, required_device, user_id, progress, message, result, error, not_before,
     created_at, started_at, finished_at) = row
    return JobRecord(
        id=job_id,
        kind=kind,
        payload=json.loads(payload) if payload else {},
        priority=int(priority),
        status=status,
        parents=list(parents or []),
        attempts=int(attempts),
        max_retries=int(max_retries),
        timeout_s=float(timeout_s),
        batch_key=batch_key,
        device=device,
        required_device=required_device,
        user_id=user_id,
        progress=float(progress),
        message=message,
        result=json.loads(result) if result is not None else None,
        error=error,
        not_before=_from_db(not_before),
        created_at=_from_db(created_at),  # type: ignore[arg-type]
        started_at=_from_db(started_at),
        finished_at=_from_db(finished_at),
    )


class JobRepository:
    """Reads and writes `jobs`. Writes go through `Database.write`/`transaction` (serialised)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def insert_many(self, records: Sequence[JobRecord]) -> None:
        """Insert new jobs, all or none."""
        if records:
            self._run(_INSERT, self._insert_params(records), "save new jobs")

    def save_states(self, records: Sequence[JobRecord]) -> None:
        """Write the mutable state (status, attempts, progress, result, times...) of jobs; one transaction."""
        if records:
            self._run(_SAVE_STATES, self._state_params(records), "save job states")

    def log(self, seq: int, new: Sequence[JobRecord], states: Sequence[JobRecord]) -> None:
        """Commit `new` jobs and the `states` of others as ONE narrow `job_log` row (a group commit);
        durable from here, in `jobs` once folded. Within the row `new` come first."""
        docs = [_doc(r, True) for r in new] + [_doc(r, False) for r in states]
        if docs:
            self._run("INSERT INTO job_log VALUES (?, ?)", [seq, json.dumps(docs)], "save jobs")

    def fold(self) -> int:
        """Move what `job_log` holds into `jobs` (new rows inserted, states saved) in one
        transaction; returns how many jobs it touched. A state of a job no longer in `jobs`
        (its owner was deleted) is dropped. Another connection folding the same rows at the same
        time (a second queue on this file) makes one of the two conflict: it starts again on what
        is left."""
        for attempt in range(_FOLD_ATTEMPTS):
            try:
                return self._fold_once()
            except (duckdb.ConstraintException, duckdb.TransactionException) as exc:
                if attempt == _FOLD_ATTEMPTS - 1:
                    raise StorageError(f"Cannot fold the job log into jobs: {exc}") from exc
                time.sleep(0.005 * (attempt + 1))
            except duckdb.Error as exc:
                raise StorageError(f"Cannot fold the job log into jobs: {exc}") from exc
        return 0

    def _fold_once(self) -> int:
        with self._db.transaction() as tx:
            rows = tx.execute("SELECT seq, docs FROM job_log ORDER BY seq").fetchall()
            if not rows:
                return 0
            latest, new = _latest([docs for _, docs in rows])
            fresh = [r for job_id, r in latest.items() if job_id in new]
            states = [r for job_id, r in latest.items() if job_id not in new]
            if fresh:
                tx.execute(_INSERT_NEW, self._insert_params(fresh))
            if states:
                tx.execute(_SAVE_STATES, self._state_params(states))
            tx.execute("DELETE FROM job_log WHERE list_contains(?, seq)", [[seq for seq, _ in rows]])
            return len(latest)

    def _logged(self, job_ids: Sequence[str]) -> dict[str, JobRecord]:
        """The latest logged (not yet folded) record of each of these jobs that has one."""
        if not job_ids:
            return {}
        rows = self._read(
            "SELECT docs FROM job_log WHERE list_bool_or([contains(docs, i) for i in ?::VARCHAR[]]) ORDER BY seq",
            [list(job_ids)],
        )
        latest, _ = _latest([docs for (docs,) in rows])
        return {job_id: latest[job_id] for job_id in job_ids if job_id in latest}

    @staticmethod
    def _insert_params(records: Sequence[JobRecord]) -> list[object]:
        columns: list[list[Any]] = [
            [r.id for r in records], [r.kind for r in records], [json.dumps(r.payload) for r in records],
            [r.priority for r in records], [r.status for r in records], [list(r.parents) for r in records],
            [r.attempts for r in records], [r.max_retries for r in records], [r.timeout_s for r in records],
            [r.batch_key for r in records], [r.device for r in records], [r.required_device for r in records],
            [r.user_id for r in records], [r.progress for r in records], [r.message for r in records],
            [_json(r.result) for r in records], [r.error for r in records], [_to_db(r.not_before) for r in records],
            [_to_db(r.created_at) for r in records], [_to_db(r.started_at) for r in records],
            [_to_db(r.finished_at) for r in records],
        ]
        return [*columns, _now()]

    @staticmethod
    def _state_params(records: Sequence[JobRecord]) -> list[object]:
        records = list({r.id: r for r in records}.values())  # one row per job: the last state wins
        return [
            _now(), [r.id for r in records], [r.status for r in records], [r.attempts for r in records],
            [r.device for r in records], [r.progress for r in records], [r.message for r in records],
            [_json(r.result) for r in records], [r.error for r in records], [_to_db(r.not_before) for r in records],
            [_to_db(r.started_at) for r in records], [_to_db(r.finished_at) for r in records],
        ]

    def get(self, job_id: str) -> JobRecord:
        logged = self._logged([job_id]).get(job_id)
        if logged is not None:
            return logged
        rows = self._read(_SELECT + " WHERE id = ?", [job_id])
        if not rows:
            raise NotFound(f"No job with id {job_id!r}.")
        return _record(rows[0])

    def find_statuses(self, job_ids: Sequence[str]) -> dict[str, str]:
        """Status of each id that exists; missing ids are left out."""
        if not job_ids:
            return {}
        rows = self._read("SELECT id, status FROM jobs WHERE list_contains(?, id)", [list(job_ids)])
        found = {str(job_id): str(status) for job_id, status in rows}
        found.update({job_id: record.status for job_id, record in self._logged(job_ids).items()})
        return found

    def list_jobs(self, status: str | None = None, limit: int = 50, owner: str | None = None) -> list[JobRecord]:
        """Newest first; only `owner`'s jobs (`user_id`) when given."""
        self.fold()
        rows = self._read(
            _SELECT + " WHERE (? IS NULL OR status = ?) AND (? IS NULL OR user_id = ?)"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            [status, status, owner, owner, limit],
        )
        return [_record(row) for row in rows]

    def counts(self) -> dict[str, int]:
        self.fold()
        rows = self._read("SELECT status, count(*) FROM jobs GROUP BY status", [])
        return {str(status): int(n) for status, n in rows}

    def load_unfinished(self) -> list[JobRecord]:
        """Pending and running jobs, oldest first (the order they were submitted)."""
        self.fold()
        rows = self._read(
            _SELECT + " WHERE status IN ('pending', 'running') ORDER BY created_at, id", []
        )
        return [_record(row) for row in rows]

    def _read(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        try:
            return self._db.cursor().execute(sql, params).fetchall()
        except duckdb.Error as exc:
            raise StorageError(f"Cannot read jobs: {exc}") from exc

    def _run(self, sql: str, params: Sequence[object], what: str) -> None:
        try:
            self._db.write(sql, params)
        except duckdb.Error as exc:
            raise StorageError(f"Cannot {what}: {exc}") from exc
