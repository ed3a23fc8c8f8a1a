"""Group commit of job rows: what many submitters and workers wrote, in few DuckDB transactions.

DuckDB spends its time per statement and per column written (the 22-column `jobs` row costs
several times a narrow one), hardly per row. So the journal commits each group as ONE narrow
`job_log` row (`JobRepository.log`: a JSON list of whole records) on one writer thread, and folds
the log into `jobs` in batches: after `FOLD_ROWS` jobs, `FOLD_DELAY_S` after the first unfolded
one, on `flush` and on `close` (and a restart folds what a killed process left):

- `insert` queues new jobs; the submitter `wait_insert`s, so a job is durable before `submit`
  returns (a classic group commit: concurrent submitters share one commit);
- `save` queues state changes and returns at once; they are written with the next group, once
  the oldest has waited `STATE_DELAY_S`, once `STATE_BATCH` jobs changed, or as soon as someone
  `wait_state`s for one; within a group the latest state of a job wins.

Groups are written in the order they were queued, so a state is never durable before an earlier
one (a child's start never without its parent's completion); every queued state rides along with
each group, so a job blocked at birth is never durable before the failure that blocked it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence

from engine.errors import JobTimeout, StorageError
from storage.jobs import JobRecord, JobRepository

__all__ = ["JobJournal"]

logger = logging.getLogger(__name__)

STATE_DELAY_S = 0.05
STATE_BATCH = 512
FOLD_DELAY_S = 0.5
FOLD_ROWS = 2048
_LOG_SEQ = itertools.count(time.time_ns())  # log rows of every journal of this process, in order


class JobJournal:
    """The queue's writes to `job_log`/`jobs`: callers queue rows; one group is written at a time,
    by whoever waits for it (or the writer thread, for states nobody waits for and for folds)."""

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
        self._writing = False  # a group is being written (by a waiter or the writer thread)
        self._failed: dict[int, StorageError] = {}
        self._closed = False
        self._unfolded = 0  # jobs written to the log since the last fold
        self._unfolded_since = 0.0
        self._repo.fold()  # what an earlier process left in the log
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
            self._inserts.append((self._seq, list(records)))  # its submitter writes it (`wait_insert`)
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
            done = self._lead_until(lambda: self._inserted >= seq, timeout)
            error = self._failed.get(seq)
        if error is not None:
            raise error
        if not done:
            raise JobTimeout(f"The job table did not take new jobs within {timeout} s.")

    def wait_state(self, seq: int, timeout: float | None = None) -> None:
        """Block until the states queued up to `seq` are written (writing them now)."""
        with self._changed:
            if not self._lead_until(lambda: self._saved >= seq, timeout):
                raise JobTimeout(f"The job table did not take job states within {timeout} s.")

    def flush(self) -> None:
        """Block until everything queued so far is in `jobs` (before reading or deleting rows there)."""
        with self._changed:
            inserts, states = self._last_insert, self._last_state
            self._lead_until(lambda: self._inserted >= inserts and self._saved >= states, None)
            if self._closed:
                return  # close() folded; later writes went straight to `jobs`
        self._fold()

    def _lead_until(self, done: Callable[[], bool], timeout: float | None) -> bool:
        """Wait (holding `_changed`) until `done()`; whenever nobody is writing and something is
        queued, write it on this thread: the waiter leads the next group commit (no hand-off to the
        writer thread), and whoever queued meanwhile joins the group after it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done():
            if not self._writing and (self._inserts or self._states):
                self._write_queued()
                continue
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            self._changed.wait(remaining)
        return True

    def close(self) -> None:
        """Write what is queued, then stop the writer; later writes go straight to the table."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join()

    def _fold(self) -> None:
        with self._changed:
            counted = self._unfolded
        try:
            self._repo.fold()
        except StorageError:  # the rows stay in the log: durable, read by get(), folded later
            logger.exception("Could not fold the job log into jobs; it is tried again later.")
            with self._changed:
                self._unfolded_since = time.monotonic()
                if self._closed:
                    self._unfolded = 0  # the next start folds it
            return
        with self._changed:
            self._unfolded = max(0, self._unfolded - counted)

    def _fold_due(self) -> bool:
        return self._unfolded > 0 and (
            self._closed or self._unfolded >= FOLD_ROWS or time.monotonic() >= self._unfolded_since + FOLD_DELAY_S
        )

    def _next_wake(self) -> float | None:
        """Seconds until a timed write (states) or fold is due; None if nothing waits."""
        times = []
        if self._states:
            times.append(self._states_since + STATE_DELAY_S)
        if self._unfolded:
            times.append(self._unfolded_since + FOLD_DELAY_S)
        return None if not times else max(0.0, min(times) - time.monotonic())

    def _states_due(self) -> bool:
        return bool(self._states) and (
            self._closed or len(self._states) >= STATE_BATCH
            or time.monotonic() >= self._states_since + STATE_DELAY_S
        )

    def _write_loop(self) -> None:
        """The writer thread: states nobody waits for (after `STATE_DELAY_S`), folds, and the last
        writes at close. Waiters write their own groups (`_lead_until`)."""
        with self._changed:
            while True:
                if self._writing or not (self._states_due() or self._fold_due() or (self._closed and self._inserts)):
                    if self._closed and not self._writing and not self._states and not self._inserts and not self._unfolded:
                        return
                    self._changed.wait(None if self._writing else self._next_wake())
                elif self._inserts or self._states:
                    self._write_queued()
                else:  # nothing waits for a commit: fold now, in a quiet moment
                    self._writing = True
                    self._changed.release()
                    try:
                        self._fold()
                    finally:
                        self._changed.acquire()
                        self._writing = False
                        self._changed.notify_all()

    def _write_queued(self) -> None:
        """Write everything queued as one group; called and returns holding `_changed`, which it
        releases while DuckDB writes."""
        inserts, self._inserts = self._inserts, []
        states, self._states = list(self._states.values()), {}  # every queued state rides along
        saved_upto = self._seq
        self._writing = True
        self._changed.release()
        try:
            failed = self._write(inserts, states)
        finally:
            self._changed.acquire()
            self._writing = False
        self._failed.update(failed)
        if inserts:
            self._inserted = max(self._inserted, inserts[-1][0])
        self._saved = max(self._saved, saved_upto)
        written = sum(len(batch) for _, batch in inserts) + len(states)
        if written and not self._unfolded:
            self._unfolded_since = time.monotonic()
        self._unfolded += written
        self._changed.notify_all()

    def _write(self, inserts: list[tuple[int, list[JobRecord]]], states: list[JobRecord]) -> dict[int, StorageError]:
        """One narrow log row; if it cannot be written, every submission in it fails with the reason."""
        if not inserts and not states:
            return {}
        try:
            self._repo.log(next(_LOG_SEQ), [record for _, batch in inserts for record in batch], states)
            return {}
        except StorageError as exc:
            logger.exception("Could not write %d new jobs and %d job states.",
                             sum(len(batch) for _, batch in inserts), len(states))
            return {seq: exc for seq, _ in inserts}
