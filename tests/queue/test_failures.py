"""Retries with backoff, timeouts and cancellation."""

from __future__ import annotations

import threading
import time

import pytest

from engine.errors import InvalidRequest, JobCancelled, JobError, ProviderUnavailable
from engine.queue import Device, JobContext, JobSpec, JobStatus
from engine.queue.retry import retry_delay
from storage.database import Database
from storage.jobs import JobRepository
from tests.queue.conftest import MakeQueue

WAIT = 10.0


def test_retry_delay_grows_exponentially_with_bounded_jitter() -> None:
    for attempt, low in [(1, 0.1), (2, 0.2), (3, 0.4)]:
        delay = retry_delay(attempt, 0.1, 10.0)
        assert low <= delay <= low + 0.1
    assert retry_delay(30, 0.1, 2.0) == 2.0


def test_failed_attempts_retry_with_backoff_then_complete(make_queue: MakeQueue) -> None:
    queue = make_queue(retry_initial_s=0.05, retry_max_s=1.0)
    starts: list[float] = []

    def handler(ctx: JobContext) -> dict[str, int]:
        starts.append(time.monotonic())
        if len(starts) < 3:
            raise ValueError(f"flaky {len(starts)}")
        return {"attempt": ctx.job.attempts}

    queue.register("flaky", handler)
    queue.start()
    job = queue.submit(JobSpec(kind="flaky", max_retries=2))
    statuses = [(event.status, event.message) for event in queue.events(job.id, timeout=WAIT)]
    done = queue.get(job.id)
    assert (done.status, done.attempts, done.result) == (JobStatus.COMPLETED, 3, {"attempt": 3})
    assert done.error is None
    assert starts[1] - starts[0] >= 0.05 and starts[2] - starts[1] >= 0.1
    retries = [m for s, m in statuses if s is JobStatus.PENDING and m and m.startswith("attempt")]
    assert [m.split(";")[0] for m in retries] == ["attempt 1 failed: flaky 1", "attempt 2 failed: flaky 2"]
    assert statuses[-1][0] is JobStatus.COMPLETED


def test_retries_run_out_then_the_job_fails_with_the_user_message(
    make_queue: MakeQueue, db: Database
) -> None:
    queue = make_queue()
    calls = []

    def handler(ctx: JobContext) -> None:
        calls.append(ctx.job.attempts)
        raise ProviderUnavailable("The image model is not loaded.")

    queue.register("down", handler)
    queue.start()
    job = queue.wait(queue.submit(JobSpec(kind="down", max_retries=1)).id, WAIT)
    assert (job.status, job.attempts, job.error) == (JobStatus.FAILED, 2, "The image model is not loaded.")
    assert calls == [1, 2]
    stored = JobRepository(db).get(job.id)
    assert (stored.status, stored.attempts, stored.error) == ("failed", 2, "The image model is not loaded.")


def test_timeout_signals_the_handler_retries_then_fails(make_queue: MakeQueue) -> None:
    queue = make_queue()
    saw_cancel: list[bool] = []

    def handler(ctx: JobContext) -> None:
        saw_cancel.append(ctx.wait_cancelled(WAIT))  # a cooperative handler notices the timeout

    queue.register("slow", handler)
    queue.start()
    job = queue.wait(queue.submit(JobSpec(kind="slow", timeout_s=0.2, max_retries=1)).id, WAIT)
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
    assert job.error is not None and "timeout of 0.2 s" in job.error
    assert saw_cancel == [True, True]


def test_a_stuck_handler_is_abandoned_and_its_slot_reused(make_queue: MakeQueue) -> None:
    queue = make_queue([Device("cpu", "cpu", 1)])
    unstick = threading.Event()

    def handler(ctx: JobContext) -> dict[str, bool]:
        if ctx.job.payload.get("stuck"):
            unstick.wait(WAIT)  # ignores ctx.cancelled
        return {"ok": True}

    queue.register("maybe_stuck", handler)
    queue.start()
    stuck = queue.submit(JobSpec(kind="maybe_stuck", payload={"stuck": True}, timeout_s=0.2, max_retries=0))
    other = queue.submit(JobSpec(kind="maybe_stuck"))
    assert queue.wait(other.id, WAIT).status is JobStatus.COMPLETED  # ran while the stuck thread still waits
    assert queue.get(stuck.id).status is JobStatus.FAILED
    unstick.set()  # the late result of the abandoned attempt is ignored
    assert queue.wait(stuck.id, WAIT).result is None


def test_cancel_pending_job_blocks_its_children(make_queue: MakeQueue) -> None:
    queue = make_queue([Device("cpu", "cpu", 1)])
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def handler(ctx: JobContext) -> None:
        ran.append(ctx.job.id)
        if ctx.job.payload.get("gate"):
            started.set()
            release.wait(WAIT)

    queue.register("work", handler)
    queue.start()
    busy = queue.submit(JobSpec(kind="work", payload={"gate": True}))
    assert started.wait(WAIT)
    victim = queue.submit(JobSpec(kind="work", id="victim"))
    child = queue.submit(JobSpec(kind="work", parents=["victim"]))
    cancelled = queue.cancel(victim.id)
    assert cancelled.status is JobStatus.CANCELLED  # at once
    blocked = queue.get(child.id)
    assert blocked.status is JobStatus.BLOCKED
    assert blocked.error == "blocked: parent victim (work) failed: cancelled"
    release.set()
    queue.wait(busy.id, WAIT)
    assert ran == [busy.id]
    assert queue.cancel(busy.id).status is JobStatus.COMPLETED  # finished jobs stay as they are


@pytest.mark.parametrize("cooperative", [True, False])
def test_cancel_running_job(make_queue: MakeQueue, cooperative: bool) -> None:
    queue = make_queue()
    started = threading.Event()
    release = threading.Event()

    def handler(ctx: JobContext) -> dict[str, bool]:
        started.set()
        if cooperative:
            ctx.wait_cancelled(WAIT)
            ctx.raise_if_cancelled()
        else:
            release.wait(WAIT)  # finishes normally; the cancel still wins
        return {"finished": True}

    queue.register("long", handler)
    queue.start()
    job = queue.submit(JobSpec(kind="long", max_retries=3))
    assert started.wait(WAIT)
    assert queue.cancel(job.id).status is JobStatus.RUNNING  # flag set; the handler decides when
    release.set()
    done = queue.wait(job.id, WAIT)
    assert (done.status, done.attempts, done.result) == (JobStatus.CANCELLED, 1, None)


def test_raise_if_cancelled_raises_job_cancelled(make_queue: MakeQueue) -> None:
    queue = make_queue()
    errors: list[BaseException] = []
    started = threading.Event()

    def handler(ctx: JobContext) -> None:
        started.set()
        ctx.wait_cancelled(WAIT)
        try:
            ctx.raise_if_cancelled()
        except JobCancelled as exc:
            errors.append(exc)
            raise

    queue.register("long", handler)
    queue.start()
    job = queue.submit(JobSpec(kind="long"))
    assert started.wait(WAIT)
    queue.cancel(job.id)
    assert queue.wait(job.id, WAIT).status is JobStatus.CANCELLED
    assert len(errors) == 1


def test_cancel_during_retry_backoff_is_immediate(make_queue: MakeQueue) -> None:
    queue = make_queue(retry_initial_s=30.0, retry_max_s=30.0)

    def handler(ctx: JobContext) -> None:
        raise RuntimeError("down")

    queue.register("down", handler)
    queue.start()
    job = queue.submit(JobSpec(kind="down", max_retries=3))
    with queue.events(job.id, timeout=WAIT) as stream:
        for event in stream:
            if event.message and "retrying in" in event.message:
                break  # now pending with a not_before 30 s away
    assert queue.cancel(job.id).status is JobStatus.CANCELLED
    assert queue.wait(job.id, WAIT).attempts == 1


def test_lifecycle_misuse_is_refused(make_queue: MakeQueue) -> None:
    queue = make_queue()
    queue.register("noop", lambda ctx: None)
    queue.start()
    with pytest.raises(InvalidRequest):
        queue.register("late", lambda ctx: None)
    queue.stop()
    with pytest.raises(JobError):
        queue.submit(JobSpec(kind="noop"))
