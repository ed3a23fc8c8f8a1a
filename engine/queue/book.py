"""Job state transitions: each one queued to the journal (DuckDB, group-committed), then published.

A submission is in the database before the queue follows it. Other transitions are durable a
moment (one group commit) after they are published: after a crash, a job whose completion had
not reached the database yet runs again, and a start that had not reached it does not count as
an attempt. Jobs run at least once and are never lost.

`JobBook` is not thread-safe on its own; `GenerationQueue` calls it under its lock.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.errors import JobCancelled, JobTimeout, NotFound, QueueFull, StudioError
from engine.queue.events import EventHub
from engine.queue.intake import BAD_PARENT, CreationClock, blocked_message, new_jobs
from engine.queue.journal import JobJournal
from engine.queue.models import Job, JobEvent, JobSpec, JobStatus, QueueConfig
from engine.queue.retry import retry_delay
from engine.queue.scheduler import Entry, Registration, Run, Scheduler
from storage.jobs import JobRecord, JobRepository

__all__ = ["Intake", "JobBook", "utcnow"]

logger = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL_S = 0.5  # progress reaches subscribers at once, DuckDB at most this often
FINISHED_CACHE_SIZE = 4096  # finished jobs kept in memory for get/wait; older ones are read back

_PENDING, _RUNNING = JobStatus.PENDING, JobStatus.RUNNING


def utcnow() -> datetime:
    return datetime.now(UTC)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, StudioError):
        return exc.user_message
    return str(exc) or type(exc).__name__


@dataclass(eq=False)
class Intake:
    """Jobs accepted by `submit` whose rows the journal is writing (`seq`)."""

    jobs: list[Job]
    seq: int
    fresh: int  # how many of them are pending (counted against max_pending meanwhile)
    admitted: list[Job] = field(default_factory=list)  # snapshots as the queue began to follow them


class JobBook:
    """The unfinished jobs (working copies) and every transition between statuses."""

    def __init__(self, repo: JobRepository, journal: JobJournal, hub: EventHub, scheduler: Scheduler,
                 config: QueueConfig, registrations: dict[str, Registration]) -> None:
        self._repo = repo
        self._journal = journal
        self._hub = hub
        self._scheduler = scheduler
        self._config = config
        self._registrations = registrations
        self.entries: dict[str, Entry] = {}
        self.pending = 0
        self._finished: OrderedDict[str, Job] = OrderedDict()
        self._seq = itertools.count()
        self._clock = CreationClock()
        self._intakes: OrderedDict[int, Intake] = OrderedDict()  # by seq: admitted in that order
        self._accepting: dict[str, Job] = {}
        self._reserved = 0

    # -- reading ---------------------------------------------------------------------------

    def snapshot(self, job_id: str) -> Job:
        entry = self.entries.get(job_id)
        if entry is not None:
            return entry.job.model_copy()
        finished = self._finished.get(job_id) or self._accepting.get(job_id)
        if finished is not None:
            return finished.model_copy()
        return Job.from_record(self._repo.get(job_id))

    def event(self, job: Job) -> JobEvent:
        message = job.error if job.status in BAD_PARENT else job.message
        return JobEvent(job_id=job.id, status=job.status, progress=job.progress, message=message, at=utcnow())

    # -- submitting --------------------------------------------------------------------------

    def accept(self, specs: Sequence[JobSpec]) -> Intake:
        """Validate and queue the rows of new jobs; nothing is kept if anything is wrong.

        The caller waits (without the queue's lock) for `Intake.seq` to be committed, then
        calls `admit`; concurrent submitters so share one transaction.
        """
        jobs = new_jobs(specs, self._registrations, self._config, self.snapshot, self._used_ids, self._clock)
        fresh = sum(1 for job in jobs if job.status is _PENDING)
        if self.pending + self._reserved + fresh > self._config.max_pending:
            raise QueueFull(
                f"The queue already holds {self.pending + self._reserved} pending jobs "
                f"(limit {self._config.max_pending}); wait for some to finish or raise STUDIO_QUEUE_MAX_PENDING."
            )
        seq = self._journal.insert([job.to_record() for job in jobs])
        intake = Intake(jobs=jobs, seq=seq, fresh=fresh)
        self._intakes[seq] = intake
        self._reserved += fresh
        for job in jobs:
            self._accepting[job.id] = job
        return intake

    def admit(self, intake: Intake) -> list[Job]:
        """Follow the jobs of every committed intake up to this one, oldest first (a parent is
        followed before a child submitted after it, whichever submitter wakes first)."""
        committed = self._journal.inserted
        while self._intakes:
            seq, first = next(iter(self._intakes.items()))
            if seq > committed:
                break
            self._intakes.popitem(last=False)
            self._reserved -= first.fresh
            if self._journal.failure(seq) is None:
                first.admitted = self._follow(first.jobs)
            else:
                for job in first.jobs:
                    self._accepting.pop(job.id, None)
        error = self._journal.failure(intake.seq)
        if error is not None:
            self._journal.forget_failure(intake.seq)
            raise error
        return intake.admitted

    def _follow(self, jobs: list[Job]) -> list[Job]:
        now = time.monotonic()
        admitted = []
        for job in jobs:
            self._accepting.pop(job.id, None)
            if job.status.is_terminal:  # blocked at birth, or cancelled while being written
                self._remember(job)
            else:
                entry = Entry(job=job, seq=next(self._seq))
                self._track(entry, now)
            self._publish(job)
            admitted.append(job.model_copy())
        return admitted

    def _used_ids(self, ids: list[str]) -> list[str]:
        taken = [i for i in ids if i in self.entries or i in self._finished or i in self._accepting]
        return taken + list(self._repo.find_statuses([i for i in ids if i not in taken]))

    def _track(self, entry: Entry, now: float) -> None:
        """Follow a new job; schedule it if nothing holds it back."""
        self._link(entry)
        if entry.job.status is _PENDING and not entry.waiting:
            self.make_ready(entry, now)

    def _link(self, entry: Entry) -> None:
        """Index an unfinished job and tie it to its unfinished parents."""
        job = entry.job
        self.entries[job.id] = entry
        for parent_id in job.parents:
            parent = self.entries.get(parent_id)
            if parent is not None:
                entry.waiting.add(parent_id)
                parent.children.append(job.id)
        if job.status is _PENDING:
            self.pending += 1

    def make_ready(self, entry: Entry, now: float) -> None:
        batching = self._registrations[entry.job.kind].batch_handler is not None
        self._scheduler.make_ready(entry, now, batching)

    # -- resuming ----------------------------------------------------------------------------

    def resume(self, records: Sequence[JobRecord]) -> None:
        """Follow jobs left unfinished by an earlier process; running ones go back to pending."""
        now_dt, now = utcnow(), time.monotonic()
        requeued: list[JobRecord] = []
        for record in records:
            if record.id in self.entries:
                continue
            if record.kind not in self._registrations:
                logger.warning("Job %s of unregistered kind %r left %s.",
                               record.id, record.kind, record.status)
                continue
            if record.status == _RUNNING.value:
                record.status, record.device, record.progress = _PENDING.value, None, 0.0
                record.message = "resumed after a restart"
                requeued.append(record)
            self._clock.advance_to(record.created_at)
            job = Job.from_record(record)
            self._link(Entry(job=job, seq=next(self._seq), not_before=record.not_before))
        self._journal.save(requeued)
        blocked_roots = []
        for entry in list(self.entries.values()):
            problem = self._finished_parent_problem(entry)
            if problem is not None:
                blocked_roots.append((entry, problem))
            elif not entry.waiting and entry.job.status is _PENDING and not entry.ready:
                if entry.not_before is not None and entry.not_before > now_dt:
                    self._scheduler.delay(entry, now + (entry.not_before - now_dt).total_seconds())
                else:
                    self.make_ready(entry, now)
        for entry, problem in blocked_roots:
            self._block([entry], problem)

    def _finished_parent_problem(self, entry: Entry) -> str | None:
        """Why a job cannot run because of a parent outside the unfinished set, if it cannot."""
        for parent_id in entry.job.parents:
            if parent_id in self.entries:
                continue
            try:
                parent = self.snapshot(parent_id)
            except NotFound:
                return f"blocked: parent {parent_id} is missing from the database"
            if parent.status is not JobStatus.COMPLETED:
                return blocked_message(parent)
        return None

    # -- running -----------------------------------------------------------------------------

    def mark_running(self, run: Run) -> None:
        """Queue the start of a run (written with the next group commit)."""
        now_dt = utcnow()
        records = []
        for entry in run.entries:
            record = entry.job.to_record()
            record.status, record.attempts = _RUNNING.value, record.attempts + 1
            record.device, record.started_at, record.progress = run.device.name, now_dt, 0.0
            record.message = None
            records.append(record)
        self._journal.save(records)
        for entry, record in zip(run.entries, records):
            job = entry.job
            job.status, job.attempts, job.device = _RUNNING, record.attempts, run.device.name
            job.started_at, job.progress, job.message = now_dt, 0.0, None
            entry.not_before, entry.run, entry.cancel_event = None, run, threading.Event()
            entry.last_progress_write = time.monotonic()
            self.pending -= 1
            self._publish(job)

    def report(self, entry: Entry, run: Run, progress: float, message: str) -> None:
        if run.finished or entry.run is not run:
            return
        job = entry.job
        job.progress = progress
        if message:
            job.message = message
        now = time.monotonic()
        if now - entry.last_progress_write >= PROGRESS_WRITE_INTERVAL_S:
            self._journal.save([job.to_record()])
            entry.last_progress_write = now
        self._publish(job)

    def complete(
        self, run: Run, results: list[dict[str, Any] | None] | None, error: Exception | None
    ) -> None:
        """Record how a run ended: completed, cancelled, retried later or failed, per job."""
        if run.finished:
            return
        run.finished = True
        now_dt = utcnow()
        changed = []
        for index, entry in enumerate(run.entries):
            job = entry.job
            entry.run = None
            if entry.cancel_requested or (isinstance(error, JobCancelled) and not run.batched):
                job.status, job.error, job.finished_at = JobStatus.CANCELLED, "cancelled", now_dt
            elif error is None and results is not None:
                job.status, job.result, job.error = JobStatus.COMPLETED, results[index], None
                job.progress, job.finished_at = 1.0, now_dt
            else:
                self._fail_or_retry(entry, error or RuntimeError("no result"), now_dt)
            changed.append(entry)
        self._commit(changed)

    def time_out(self, run: Run) -> None:
        """The run passed its deadline: signal its handler to stop, then fail (and maybe retry) its jobs."""
        for entry in run.entries:
            entry.cancel_event.set()
        limit = max(entry.job.timeout_s for entry in run.entries)
        self.complete(run, None, JobTimeout(f"The job ran past its timeout of {limit:g} s and was stopped."))

    def _fail_or_retry(self, entry: Entry, error: Exception, now_dt: datetime) -> None:
        job = entry.job
        job.error = _error_text(error)
        if job.attempts <= job.max_retries:
            delay = retry_delay(job.attempts, self._config.retry_initial_s, self._config.retry_max_s)
            job.status = _PENDING
            job.message = f"attempt {job.attempts} failed: {job.error}; retrying in {delay:.2f} s"
            entry.not_before = now_dt + timedelta(seconds=delay)
            self._scheduler.delay(entry, time.monotonic() + delay)
            self.pending += 1
        else:
            job.status, job.finished_at = JobStatus.FAILED, now_dt

    # -- cancelling --------------------------------------------------------------------------

    def cancel(self, job_id: str) -> Job:
        entry = self.entries.get(job_id)
        if entry is None:
            job = self.snapshot(job_id)
            accepting = self._accepting.get(job_id)
            if accepting is not None and accepting.status is _PENDING:  # its row is being written
                accepting.status, accepting.error, accepting.finished_at = JobStatus.CANCELLED, "cancelled", utcnow()
                self._journal.save([accepting.to_record()])
                return accepting.model_copy()
            if not job.status.is_terminal:  # known to the database, not yet resumed by start()
                job = job.model_copy(update={"status": JobStatus.CANCELLED, "error": "cancelled",
                                             "finished_at": utcnow()})
                self._journal.save([job.to_record()])
            return job
        job = entry.job
        if job.status is _PENDING:
            entry.ready, entry.due = False, None
            self.pending -= 1
            job.status, job.error, job.finished_at = JobStatus.CANCELLED, "cancelled", utcnow()
            self._commit([entry])
        elif job.status is _RUNNING and not entry.cancel_requested:
            entry.cancel_requested = True
            entry.cancel_event.set()
            job.message = "cancelling"
            self._publish(job)
        return job.model_copy()

    # -- committing --------------------------------------------------------------------------

    def _commit(self, changed: list[Entry]) -> None:
        """Persist changed entries, publish them, then settle what follows from each end."""
        seq = self._journal.save([entry.job.to_record(entry.not_before) for entry in changed])
        for entry in changed:
            entry.written = seq
            job = entry.job
            self._publish(job)
            if not job.status.is_terminal:
                continue
            self._forget(entry)
            if job.status is JobStatus.COMPLETED:
                self._release_children(entry)
            else:
                children = [self.entries[c] for c in entry.children if c in self.entries]
                self._block(children, blocked_message(job))

    def _release_children(self, entry: Entry) -> None:
        now = time.monotonic()
        for child_id in entry.children:
            child = self.entries.get(child_id)
            if child is None:
                continue
            child.waiting.discard(entry.job.id)
            if not child.waiting and child.job.status is _PENDING and not child.ready and child.due is None:
                self.make_ready(child, now)

    def _block(self, roots: list[Entry], message: str) -> None:
        """Block these jobs and every descendant, in one transaction."""
        now_dt = utcnow()
        blocked: dict[str, Entry] = {}
        stack = list(roots)
        while stack:
            entry = stack.pop()
            if entry.job.status is not _PENDING or entry.job.id in blocked:
                continue
            entry.ready, entry.due = False, None
            self.pending -= 1
            entry.job.status, entry.job.error, entry.job.finished_at = JobStatus.BLOCKED, message, now_dt
            blocked[entry.job.id] = entry
            stack.extend(self.entries[c] for c in entry.children if c in self.entries)
        if not blocked:
            return
        seq = self._journal.save([entry.job.to_record() for entry in blocked.values()])
        for entry in blocked.values():
            entry.written = seq
            self._publish(entry.job)
            self._forget(entry)

    def _forget(self, entry: Entry) -> None:
        """A job reached a terminal status: keep its snapshot in the finished cache, wake waiters."""
        self.entries.pop(entry.job.id, None)
        self._remember(entry.job)
        entry.done.set()

    def forget_finished(self, job_id: str) -> None:
        """Drop a finished job's snapshot (its row was deleted with its owner)."""
        self._finished.pop(job_id, None)

    def _remember(self, job: Job) -> None:
        self._finished[job.id] = job
        while len(self._finished) > FINISHED_CACHE_SIZE:
            self._finished.popitem(last=False)

    def _publish(self, job: Job) -> None:
        if self._hub.wants(job.id):
            self._hub.publish(self.event(job))
