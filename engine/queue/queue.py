"""`GenerationQueue`: the scheduler thread, the device pools, and the public API."""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from typing import Any

from engine.errors import InvalidRequest, JobError, JobTimeout, StudioError
from engine.queue.book import JobBook
from engine.queue.context import JobContext
from engine.queue.devices import Device
from engine.queue.events import EventHub, EventStream
from engine.queue.journal import JobJournal
from engine.queue.models import Job, JobSpec, JobStatus, QueueConfig
from engine.queue.scheduler import BatchHandler, Entry, Handler, Registration, Run, Scheduler
from engine.queue.workers import DevicePool, Work
from storage.database import Database
from storage.jobs import JobRepository

__all__ = ["GenerationQueue"]

logger = logging.getLogger(__name__)

_ALL_KINDS = frozenset({"cpu", "cuda"})


class GenerationQueue:
    """A persisted, prioritised, dependency-aware job queue with one worker pool per device.

    A submitted job is in DuckDB before `submit` returns; state changes are group-committed a
    moment after they are published (see `engine.queue.journal`), and `wait` returns a finished
    job only once its finish is in DuckDB. On `start()` jobs left pending or running by an earlier process
    are resumed; a job whose completion reached the database is never redone.
    Handlers run on worker threads; timeouts and cancellation are cooperative (see
    `JobContext`): a handler that runs past its timeout is abandoned, not killed.
    """

    def __init__(self, db: Database, devices: list[Device], config: QueueConfig) -> None:
        if not devices:
            raise InvalidRequest(
                "devices", "give at least one device, e.g. detect_devices(use_cuda, cpu_workers)"
            )
        self._repo = JobRepository(db)
        self._devices = list(devices)
        self._config = config
        self._registrations: dict[str, Registration] = {}
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._hub = EventHub()
        self._scheduler = Scheduler(config.batch_window_ms / 1000)
        self._journal = JobJournal(self._repo)
        self._book = JobBook(self._repo, self._journal, self._hub, self._scheduler, config, self._registrations)
        self._pools = {device: DevicePool(device, self._execute) for device in self._devices}
        self._thread: threading.Thread | None = None
        self._started = False
        self._stopping = False

    # -- set-up ------------------------------------------------------------------------------

    def register(
        self,
        kind: str,
        handler: Handler,
        *,
        batch_handler: BatchHandler | None = None,
        max_batch: int | None = None,
        device_kinds: frozenset[str] = _ALL_KINDS,
    ) -> None:
        """Say how to run jobs of `kind`; `batch_handler` runs several compatible jobs in one call."""
        if not kind:
            raise InvalidRequest("kind", "must be a non-empty name")
        if max_batch is not None and max_batch < 1:
            raise InvalidRequest("max_batch", f"must be at least 1, got {max_batch}")
        if not device_kinds <= _ALL_KINDS or not device_kinds:
            raise InvalidRequest("device_kinds", f"must be a non-empty subset of {sorted(_ALL_KINDS)}")
        if not any(device.kind in device_kinds for device in self._devices):
            present = sorted({device.kind for device in self._devices})
            raise InvalidRequest(
                "device_kinds", f"{kind!r} needs {sorted(device_kinds)}, this queue has {present}"
            )
        with self._lock:
            if self._started:
                raise InvalidRequest(
                    "kind", f"register {kind!r} before start(); the queue is already running"
                )
            if kind in self._registrations:
                raise InvalidRequest(
                    "kind", f"a handler for {kind!r} is already registered; each job kind has one handler "
                    "(build the service that owns it once per queue)"
                )
            self._registrations[kind] = Registration(
                kind=kind,
                handler=handler,
                batch_handler=batch_handler,
                max_batch=max_batch or self._config.max_batch,
                device_kinds=frozenset(device_kinds),
            )

    def start(self) -> None:
        """Resume unfinished jobs from the database and start the scheduler and the workers."""
        with self._lock:
            if self._started:
                raise JobError("The queue is already started; start() runs once per queue.")
            self._started = True
            self._book.resume(self._repo.load_unfinished())
            for pool in self._pools.values():
                pool.start()
            self._thread = threading.Thread(target=self._schedule_loop, name="queue-scheduler", daemon=True)
            self._thread.start()

    def stop(self, wait: bool = True, timeout: float = 10) -> None:
        """Stop dispatching; with `wait`, let running handlers finish (up to `timeout` s) and join workers.

        Jobs still pending stay pending in the database and resume on the next start.
        """
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
            self._wakeup.notify_all()
        deadline = time.monotonic() + timeout
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        if self._started:
            for pool in self._pools.values():
                pool.stop()
            if wait:
                for pool in self._pools.values():
                    pool.join(deadline)
        self._journal.close()
        self._hub.close()

    # -- submitting and controlling ------------------------------------------------------------

    def submit(self, spec: JobSpec) -> Job:
        """Queue one job; `QueueFull` past `max_pending`, `InvalidRequest` for an unknown kind or parent."""
        return self.submit_many([spec])[0]

    def submit_many(self, specs: list[JobSpec]) -> list[Job]:
        """Queue several jobs in one transaction; a spec may name an earlier spec's `id` as a parent."""
        if not specs:
            return []
        with self._lock:
            if self._stopping:
                raise JobError("The queue is stopped; it accepts no more jobs.")
            intake = self._book.accept(specs)
        try:
            self._journal.wait_insert(intake.seq)  # outside the lock: other submitters join this commit
        finally:
            with self._lock:
                try:
                    jobs = self._book.admit(intake)  # raises the StorageError of a failed write
                finally:
                    self._wakeup.notify()
        return jobs

    def cancel(self, job_id: str) -> Job:
        """Cancel a pending job at once (its descendants become blocked); ask a running one to stop."""
        with self._lock:
            job = self._book.cancel(job_id)
            self._wakeup.notify()
        return job

    # -- reading -------------------------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        """The job's current state; `NotFound` if there is no such job."""
        with self._lock:
            return self._book.snapshot(job_id)

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until the job is finished; `JobTimeout` if `timeout` seconds pass first."""
        with self._lock:
            entry = self._book.entries.get(job_id)
            job = self._book.snapshot(job_id) if entry is None else None
            written = self._journal.last_state  # its finish, if it finished, is queued by now
        if job is not None:
            if not job.status.is_terminal:
                raise JobError(
                    f"Job {job_id} is {job.status.value} but not followed by this queue; call start()."
                )
            self._journal.wait_state(written)
            return job
        assert entry is not None
        if not entry.done.wait(timeout):
            raise JobTimeout(f"Job {job_id} is still {entry.job.status.value} after waiting {timeout} s.")
        self._journal.wait_state(entry.written)  # a finish the caller sees is one a restart keeps
        return self.get(job_id)

    def wait_many(self, job_ids: list[str], timeout: float | None = None) -> list[Job]:
        """Block until every job is finished or `timeout` seconds pass; each job's state, in order (one
        not finished in time is returned as it stands, not terminal). The finishes returned are durable
        after ONE journal commit for all of them, where `wait` per job pays one each (a batch's caller)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        written = 0
        for job_id in job_ids:
            with self._lock:
                entry = self._book.entries.get(job_id)
                if entry is None:
                    job = self._book.snapshot(job_id)
                    if not job.status.is_terminal:
                        raise JobError(
                            f"Job {job_id} is {job.status.value} but not followed by this queue; call start()."
                        )
                    written = max(written, self._journal.last_state)
                    continue
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if entry.done.wait(remaining):
                written = max(written, entry.written)
        self._journal.wait_state(written)  # a finish the caller sees is one a restart keeps
        return [self.get(job_id) for job_id in job_ids]

    def events(self, job_id: str, timeout: float | None = None) -> EventStream:
        """The job's current state, then each change, ending after a terminal event.

        Blocks on the subscriber's own inbox (no polling); `timeout` bounds the whole stream,
        which then ends quietly. Close it (or use `with`) to unsubscribe early.
        """
        with self._lock:
            first = self._book.event(self._book.snapshot(job_id))
            return self._hub.subscribe(job_id, first, timeout)

    def subscribe_all(self) -> EventStream:
        """Every job's events from now on, until `stop()` or `close()`."""
        return self._hub.subscribe(None)

    def flush(self) -> None:
        """Block until every state change so far is in the `jobs` table (before reading or deleting rows)."""
        self._journal.flush()

    def counts(self) -> dict[str, int]:
        """Jobs per status, every status present."""
        self._journal.flush()
        found = self._repo.counts()
        return {status.value: found.get(status.value, 0) for status in JobStatus}

    def forget(self, job_ids: list[str]) -> None:
        """Drop finished jobs from memory after their rows were deleted (a deleted owner's)."""
        with self._lock:
            for job_id in job_ids:
                self._book.forget_finished(job_id)

    def list_jobs(self, status: JobStatus | None = None, limit: int = 50, owner: str | None = None) -> list[Job]:
        """Newest first; only the jobs of `owner` (an owner id, `Job.user_id`) when given."""
        if limit < 1:
            raise InvalidRequest("limit", f"must be at least 1, got {limit}")
        self._journal.flush()
        records = self._repo.list_jobs(None if status is None else JobStatus(status).value, limit, owner)
        return [Job.from_record(record) for record in records]

    def device_loads(self) -> list[tuple[Device, int]]:
        """Running jobs per device (a batch counts each of its jobs)."""
        with self._lock:
            return [(device, self._pools[device].jobs) for device in self._devices]

    # -- the scheduler thread --------------------------------------------------------------------

    def _schedule_loop(self) -> None:
        with self._wakeup:
            while not self._stopping:
                wake: float | None = None
                try:
                    wake = self._schedule_once()
                except Exception:  # the scheduler thread must outlive any one bad pass
                    logger.exception("A queue scheduling pass failed; the scheduler keeps going.")
                timeout = None if wake is None else max(0.0, wake - time.monotonic())
                self._wakeup.wait(timeout)

    def _schedule_once(self) -> float | None:
        now = time.monotonic()
        for run in self._scheduler.expired_runs(now):
            self._free_slot(run)
            run.abandoned = True
            self._pools[run.device].replace_worker()
            self._book.time_out(run)
        for entry in self._scheduler.due_entries(now, self._book.entries):
            self._book.make_ready(entry, now)
        loads = {device: self._pools[device].running for device in self._devices}
        chosen, window_closes = self._scheduler.select(now, self._book.entries, self._registrations, loads)
        for device, batch in chosen:
            self._dispatch(device, batch)
        return self._scheduler.next_wakeup(window_closes)

    def _dispatch(self, device: Device, batch: list[Entry]) -> None:
        registration = self._registrations[batch[0].job.kind]
        timeout = max(entry.job.timeout_s for entry in batch)
        run = Run(
            id=self._scheduler.next_run_id(),
            device=device,
            entries=batch,
            contexts=[],
            registration=registration,
            batched=registration.batch_handler is not None,
            deadline=time.monotonic() + timeout,
        )
        try:
            self._book.mark_running(run)
        except StudioError:
            logger.exception("Could not record the start of run %s; trying again in a second.", run.id)
            for entry in batch:
                self._scheduler.delay(entry, time.monotonic() + 1.0)
            return
        run.contexts = [
            JobContext(entry.job.model_copy(), device, entry.cancel_event,
                       functools.partial(self._report, entry, run))
            for entry in batch
        ]
        self._scheduler.watch(run)
        pool = self._pools[device]
        pool.running += 1
        pool.jobs += len(batch)
        pool.submit(run)

    def _free_slot(self, run: Run) -> None:
        pool = self._pools[run.device]
        pool.running -= 1
        pool.jobs -= len(run.entries)

    # -- worker threads ----------------------------------------------------------------------------

    def _execute(self, work: Work) -> None:
        run = work
        assert isinstance(run, Run)
        results: list[dict[str, Any] | None] | None = None
        error: Exception | None = None
        try:
            results = self._call(run)
        except Exception as exc:  # a handler's failure is the job's failure, whatever it is
            error = exc
        with self._wakeup:
            try:
                if not run.finished:
                    self._free_slot(run)
                self._book.complete(run, results, error)
            except Exception:  # a worker thread must outlive any one bad run
                logger.exception("Could not record the end of run %s.", run.id)
            self._wakeup.notify()

    @staticmethod
    def _call(run: Run) -> list[dict[str, Any] | None]:
        registration = run.registration
        if run.batched:
            assert registration.batch_handler is not None
            results = registration.batch_handler(run.contexts)
            if not isinstance(results, list) or len(results) != len(run.contexts):
                raise InvalidRequest(
                    "batch_handler",
                    f"{registration.kind!r} must return a list of {len(run.contexts)} results",
                )
        else:
            results = [registration.handler(run.contexts[0])]
        for result in results:
            if result is not None and not isinstance(result, dict):
                raise InvalidRequest(
                    "result", f"{registration.kind!r} returned {type(result).__name__}, not a dict"
                )
            try:
                json.dumps(result)
            except (TypeError, ValueError) as exc:
                raise InvalidRequest(
                    "result", f"{registration.kind!r} returned a result that is not JSON: {exc}"
                ) from exc
        return results

    def _report(self, entry: Entry, run: Run, progress: float, message: str) -> None:
        with self._lock:
            self._book.report(entry, run, progress, message)

