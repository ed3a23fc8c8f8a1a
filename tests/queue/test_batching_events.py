"""Dynamic batching and the event streams."""

from __future__ import annotations

import math
import threading
from typing import Any

from engine.queue import Device, JobContext, JobSpec, JobStatus
from tests.queue.conftest import MakeQueue

WAIT = 10.0


def _batching_queue(make_queue: MakeQueue, calls: list[list[str]], fail_first: bool = False,
                    **config: Any):
    queue = make_queue([Device("cpu", "cpu", 1)], **config)

    def one(ctx: JobContext) -> dict[str, Any]:
        calls.append([ctx.job.id])
        return {"i": ctx.job.payload["i"], "batched": False}

    def many(contexts: list[JobContext]) -> list[dict[str, Any] | None]:
        calls.append([ctx.job.id for ctx in contexts])
        assert len({ctx.job.batch_key for ctx in contexts}) == 1
        if fail_first and len(calls) == 1:
            raise RuntimeError("the model fell over")
        return [{"i": ctx.job.payload["i"], "size": len(contexts)} for ctx in contexts]

    queue.register("image", one, batch_handler=many, max_batch=2)
    return queue


def test_compatible_jobs_run_as_batches_without_mixing_keys(make_queue: MakeQueue) -> None:
    calls: list[list[str]] = []
    queue = _batching_queue(make_queue, calls, batch_window_ms=50)
    queue.start()
    specs = [JobSpec(kind="image", payload={"i": i}, batch_key="model-a") for i in range(5)]
    specs += [JobSpec(kind="image", payload={"i": 9}, batch_key="model-b")]
    jobs = queue.submit_many(specs)
    done = [queue.wait(job.id, WAIT) for job in jobs]
    assert all(job.status is JobStatus.COMPLETED for job in done)
    assert [job.result["i"] for job in done if job.result] == [0, 1, 2, 3, 4, 9]
    a_ids = {job.id for job in jobs[:5]}
    a_calls = [call for call in calls if set(call) & a_ids]
    assert len(a_calls) <= math.ceil(5 / 2)
    assert all(set(call) <= a_ids for call in a_calls)  # model-b never joins a model-a batch
    assert sorted(job_id for call in a_calls for job_id in call) == sorted(a_ids)


def test_batch_window_gathers_jobs_submitted_one_by_one(make_queue: MakeQueue) -> None:
    calls: list[list[str]] = []
    queue = _batching_queue(make_queue, calls, batch_window_ms=400, max_batch=8)
    queue.start()
    first = queue.submit(JobSpec(kind="image", payload={"i": 0}, batch_key="k"))
    second = queue.submit(JobSpec(kind="image", payload={"i": 1}, batch_key="k"))
    assert queue.wait(second.id, WAIT).result == {"i": 1, "size": 2}
    assert calls == [[first.id, second.id]]


def test_a_failed_batch_fails_each_job_which_retries_on_its_own(make_queue: MakeQueue) -> None:
    calls: list[list[str]] = []
    queue = _batching_queue(make_queue, calls, fail_first=True, batch_window_ms=20)
    queue.start()
    jobs = queue.submit_many([JobSpec(kind="image", payload={"i": i}, batch_key="k", max_retries=1)
                              for i in range(2)])
    done = [queue.wait(job.id, WAIT) for job in jobs]
    assert [(job.status, job.attempts) for job in done] == [(JobStatus.COMPLETED, 2)] * 2
    assert len(calls[0]) == 2


def test_event_stream_sees_running_progress_completed(make_queue: MakeQueue) -> None:
    queue = make_queue()
    gate = threading.Event()

    def handler(ctx: JobContext) -> dict[str, bool]:
        gate.wait(WAIT)
        ctx.report(0.5, "half way")
        return {"ok": True}

    queue.register("paint", handler)
    job = queue.submit(JobSpec(kind="paint"))
    stream = queue.events(job.id, timeout=WAIT)
    first = next(stream)
    assert first.status is JobStatus.PENDING  # the current state comes first
    queue.start()
    second = next(stream)  # blocks until the scheduler dispatches
    assert second.status is JobStatus.RUNNING
    gate.set()
    rest = [(event.status, event.progress, event.message) for event in stream]
    assert rest == [(JobStatus.RUNNING, 0.5, "half way"), (JobStatus.COMPLETED, 1.0, "half way")]
    finished = list(queue.events(job.id))  # a finished job: its state, then the end
    assert [event.status for event in finished] == [JobStatus.COMPLETED]


def test_subscribe_all_feeds_every_job_until_stop(make_queue: MakeQueue) -> None:
    queue = make_queue()
    queue.register("noop", lambda ctx: None)
    feed = queue.subscribe_all()
    queue.start()
    jobs = queue.submit_many([JobSpec(kind="noop"), JobSpec(kind="noop")])
    for job in jobs:
        queue.wait(job.id, WAIT)
    queue.stop()
    seen = [(event.job_id, event.status) for event in feed]  # ends at stop
    for job in jobs:
        expected = [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.COMPLETED]
        assert [s for j, s in seen if j == job.id] == expected
