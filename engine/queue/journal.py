"""Group commit of job rows: what many submitters and workers wrote, in few DuckDB transactions.

DuckDB spends about a millisecond per statement and microseconds per row, so a transaction per
state change caps the queue at a few hundred jobs a second. The journal writes on one thread,
as many rows per statement as are waiting:

- `insert` queues new jobs; the submitter `wait_insert`s, so a job is in the database before
  `submit` returns (a classic group commit: concurrent submitters share one transaction);
- `save` queues state changes and returns at once; they are written together once the oldest
  has waited `STATE_DELAY_S`, once `STATE_BATCH` jobs changed, or as soon as someone
  `wait_state`s for one; within a group the latest state of a job wins.

State groups are written in the order they were queued, so a state is never durable before an
earlier one (a child's start never without its parent's completion). A new job may be written
before states queued earlier; a job blocked at birth takes the earlier states with it, so it is
never durable before the failure that blocked it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from engine.errors import JobTimeout, StorageError
from storage.jobs import JobRecord, JobRepository

__all__ = ["JobJournal"]

logger = logging.getLogger(__name__)

STATE_DELAY_S = 0.05
STATE_BATCH = 512


class JobJournal:
    """One writer thread for the `jobs` table; everything else only queues rows for it."""

    def __init__(self, repo: JobRepository) -> None:
        self._repo = repo
        self._changed = threading.Condition()
        self._inserts: list[tuple[int, list[JobRecord]]] = []
        self._states: dict[str, JobRecord] = {}
        self._states_since = 0.0  # monotonic time the oldest queued state was queued
        self._seq = 0  # number of the last write queued (inserts and states share the count)
        self._last_insert = self._last_state = 0
        self._inserted = 0  # every insert up to this number is written (or failed, below)
        self._saved = 0  # every state up to this number is written
        self._wanted = 0  # someone waits for the states up to this number
        self._failed: dict[int, StorageError] = {}
        self._closed = False
        self._thread = threading.Thread(target=self._write_loop, name="queue-journal", daemon=True)
        self._thread.start()

    @property
    def inserted(self) -> int:
        with self._changed:
            return self._inserted

    @property
    def last_state(self) -> int:
        """The number of the last state queued."""
        with self._changed:
            return self._last_state

    def insert(self, records: Sequence[JobRecord]) -> int:
        """Queue new jobs; `wait_insert` on the returned number until they are in the database."""
        with self._changed:
            if self._closed:
                self._repo.insert_many(records)
                return 0
            self._seq += 1
            self._last_insert = self._seq
            self._inserts.append((self._seq, list(records)))
            self._changed.notify_all()
            return self._seq

    def save(self, records: Sequence[JobRecord]) -> int:
        """Queue the state of jobs (written soon, in order); `wait_state` on the number for it."""
        with self._changed:
            if self._closed:  # a handler abandoned by stop() finished late: write it directly
                self._repo.save_states(records)
                return 0
            if not records:
                return 0
            self._seq += 1
            self._last_state = self._seq
            first = not self._states
            if first:
                self._states_since = time.monotonic()
            for record in records:
                self._states[record.id] = record
            if first or len(self._states) >= STATE_BATCH:
                self._changed.notify_all()  # the writer sets its timer, or writes a full batch
            return self._seq

    def failure(self, seq: int) -> StorageError | None:
        """Why the insert numbered `seq` could not be written, if it could not."""
        with self._changed:
            return self._failed.get(seq)

    def forget_failure(self, seq: int) -> None:
        with self._changed:
            self._failed.pop(seq, None)

    def wait_insert(self, seq: int, timeout: float | None = None) -> None:
        """Block until insert `seq` is written; raise its `StorageError` if it could not be."""
        with self._changed:
            done = self._changed.wait_for(lambda: self._inserted >= seq, timeout)
            error = self._failed.get(seq)
        if error is not None:
            raise error
        if not done:
            raise JobTimeout(f"The job table did not take new jobs within {timeout} s.")

    def wait_state(self, seq: int, timeout: float | None = None) -> None:
        """Block until the states queued up to `seq` are written (asking for them now)."""
        with self._changed:
            if self._saved >= seq:
                return
            self._wanted = max(self._wanted, seq)
            self._changed.notify_all()
            if not self._changed.wait_for(lambda: self._saved >= seq, timeout):
                raise JobTimeout(f"The job table did not take job states within {timeout} s.")

    def flush(self) -> None:
        """Block until everything queued so far is in the database (before reading the table)."""
        with self._changed:
            inserts, states = self._last_insert, self._last_state
        self.wait_state(states)
        with self._changed:
            self._changed.wait_for(lambda: self._inserted >= inserts)

    def close(self) -> None:
        """Write what is queued, then stop the writer; later writes go straight to the table."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join()

    def _states_due(self) -> bool:
        return bool(self._states) and (
            self._closed or self._wanted > self._saved or len(self._states) >= STATE_BATCH
            or time.monotonic() >= self._states_since + STATE_DELAY_S
        )

    def _write_loop(self) -> None:
        while True:
            with self._changed:
                while not (self._inserts or self._states_due()):
                    if self._closed and not self._states:
                        return
                    delay = None if not self._states else self._states_since + STATE_DELAY_S - time.monotonic()
                    self._changed.wait(None if delay is None else max(0.0, delay))
                inserts, self._inserts = self._inserts, []
                born_finished = any(r.status != "pending" for _, batch in inserts for r in batch)
                states: list[JobRecord] = []
                if self._states_due() or (born_finished and self._states):
                    states, self._states = list(self._states.values()), {}
                saved_upto = self._seq
            failed = self._write(inserts, states)
            with self._changed:
                self._failed.update(failed)
                if inserts:
                    self._inserted = inserts[-1][0]
                if states:
                    self._saved = saved_upto
                self._changed.notify_all()

    def _write(self, inserts: list[tuple[int, list[JobRecord]]], states: list[JobRecord]) -> dict[int, StorageError]:
        """One transaction; if it fails, each submission alone (so one bad row fails only its own
        submitter), then the states alone."""
        try:
            self._repo.write([record for _, batch in inserts for record in batch], states)
            return {}
        except StorageError:
            if not inserts:
                logger.exception("Could not save the state of %d jobs; their rows stay behind.", len(states))
                return {}
        failed: dict[int, StorageError] = {}
        for seq, batch in inserts:
            try:
                self._repo.insert_many(batch)
            except StorageError as exc:
                failed[seq] = exc
        try:
            self._repo.save_states(states)
        except StorageError:
            logger.exception("Could not save the state of %d jobs; their rows stay behind.", len(states))
        return failed
