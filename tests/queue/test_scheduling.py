"""Priorities, dependencies, blocking, placement and submission checks."""

from __future__ import annotations

import threading

import pytest

from engine.errors import InvalidRequest, QueueFull
from engine.queue import Device, JobContext, JobSpec, JobStatus, Priority
from storage.database import Database
from storage.jobs import JobRepository
from tests.queue.conftest import MakeQueue

WAIT = 10.0


def test_interactive_runs_before_prefetch_before_background(make_queue: MakeQueue) -> None:
    queue = make_queue([Device("cpu", "cpu", 1)])
    order: list[str] = []
    started, release = threading.Event(), threading.Event()

    def handler(ctx: JobContext) -> dict[str, str]:
        if ctx.job.payload.get("block"):
            started.set()
            release.wait(WAIT)
        order.append(ctx.job.payload["name"])
        return {"name": ctx.job.payload["name"]}

    queue.register("work", handler)
    queue.start()
    jobs = [queue.submit(JobSpec(kind="work", payload={"name": "blocker", "block": True}))]
    assert started.wait(WAIT)
    for name, priority in [("bg1", Priority.BACKGROUND), ("pre1", Priority.PREFETCH),
                           ("bg2", Priority.BACKGROUND), ("int1", Priority.INTERACTIVE),
                           ("pre2", Priority.PREFETCH), ("int2", Priority.INTERACTIVE)]:
        jobs.append(queue.submit(JobSpec(kind="work", payload={"name": name}, priority=priority)))
    release.set()
    for job in jobs:
        assert queue.wait(job.id, WAIT).status is JobStatus.COMPLETED
    assert order == ["blocker", "int1", "int2", "pre1", "pre2", "bg1", "bg2"]


def test_child_waits_for_its_parent(make_queue: MakeQueue) -> None:
    queue = make_queue()
    release = threading.Event()
    started = threading.Event()

    def handler(ctx: JobContext) -> None:
        if ctx.job.payload.get("gate"):
            started.set()
            release.wait(WAIT)

    queue.register("step", handler)
    queue.start()
    parent = queue.submit(JobSpec(kind="step", payload={"gate": True}))
    child = queue.submit(JobSpec(kind="step", parents=[parent.id]))
    assert started.wait(WAIT)
    assert queue.get(child.id).status is JobStatus.PENDING  # a free slot, yet it waits
    release.set()
    done_child = queue.wait(child.id, WAIT)
    done_parent = queue.get(parent.id)
    assert done_child.status is JobStatus.COMPLETED
    assert done_parent.finished_at is not None and done_child.started_at is not None
    assert done_child.started_at >= done_parent.finished_at
    late = queue.submit(JobSpec(kind="step", parents=[parent.id]))  # parent already completed
    assert queue.wait(late.id, WAIT).status is JobStatus.COMPLETED


def test_failure_blocks_every_descendant_with_the_reason(make_queue: MakeQueue, db: Database) -> None:
    queue = make_queue()

    def handler(ctx: JobContext) -> None:
        if ctx.job.payload.get("fail"):
            raise ValueError("boom")

    queue.register("flaky", handler)
    queue.start()
    specs = [
        JobSpec(kind="flaky", id="a", payload={"fail": True}, max_retries=0),
        JobSpec(kind="flaky", id="b", parents=["a"]),
        JobSpec(kind="flaky", id="e"),
        JobSpec(kind="flaky", id="c", parents=["b"]),
        JobSpec(kind="flaky", id="d", parents=["c", "e"]),
    ]
    queue.submit_many(specs)
    assert queue.wait("a", WAIT).error == "boom"
    assert queue.wait("e", WAIT).status is JobStatus.COMPLETED
    reason = "blocked: parent a (flaky) failed: boom"
    for job_id in ("b", "c", "d"):
        job = queue.wait(job_id, WAIT)
        assert (job.status, job.error, job.attempts) == (JobStatus.BLOCKED, reason, 0)
        assert JobRepository(db).get(job_id).status == "blocked"
    late = queue.submit(JobSpec(kind="flaky", parents=["c"]))
    assert late.status is JobStatus.BLOCKED and late.error == reason


def test_least_loaded_placement_across_devices(make_queue: MakeQueue) -> None:
    cpu, gpu = Device("cpu", "cpu", 2), Device("cuda:0", "cuda", 1)
    queue = make_queue([cpu, gpu])
    seen: dict[str, str] = {}
    started = threading.Semaphore(0)
    release = threading.Event()

    def handler(ctx: JobContext) -> None:
        seen[ctx.job.id] = ctx.device.name
        started.release()
        release.wait(WAIT)

    queue.register("place", handler)
    queue.register("cpu_only", handler, device_kinds=frozenset({"cpu"}))
    queue.start()
    first = queue.submit(JobSpec(kind="place"))
    assert started.acquire(timeout=WAIT)  # both idle: the first listed device
    second = queue.submit(JobSpec(kind="place"))
    assert started.acquire(timeout=WAIT)  # cpu at 1/2, cuda at 0/1
    third = queue.submit(JobSpec(kind="place"))
    assert started.acquire(timeout=WAIT)  # cuda full
    assert [seen[first.id], seen[second.id], seen[third.id]] == ["cpu", "cuda:0", "cpu"]
    assert queue.device_loads() == [(cpu, 2), (gpu, 1)]
    wants_gpu = queue.submit(JobSpec(kind="place", device="cuda"))
    assert queue.get(wants_gpu.id).status is JobStatus.PENDING
    with pytest.raises(InvalidRequest) as caught:
        queue.submit(JobSpec(kind="cpu_only", device="cuda"))
    assert caught.value.field == "device"
    release.set()
    assert queue.wait(wants_gpu.id, WAIT).device == "cuda:0"
    cpu_job = queue.submit(JobSpec(kind="cpu_only"))
    assert queue.wait(cpu_job.id, WAIT).device == "cpu"


def test_queue_full_past_max_pending(make_queue: MakeQueue) -> None:
    queue = make_queue(max_pending=2)
    queue.register("noop", lambda ctx: None)
    queue.submit(JobSpec(kind="noop"))  # not started: jobs stay pending
    with pytest.raises(QueueFull):
        queue.submit_many([JobSpec(kind="noop"), JobSpec(kind="noop")])
    queue.submit(JobSpec(kind="noop"))
    with pytest.raises(QueueFull):
        queue.submit(JobSpec(kind="noop"))
    assert queue.counts()["pending"] == 2  # the refused batch left nothing behind


def test_invalid_submissions_name_the_field(make_queue: MakeQueue) -> None:
    queue = make_queue()
    queue.register("noop", lambda ctx: None)
    cases = [
        (JobSpec(kind="nope"), "kind"),
        (JobSpec(kind="noop", parents=["no-such-job"]), "parents"),
        (JobSpec(kind="noop", payload={"bad": object()}), "payload"),
    ]
    for spec, field in cases:
        with pytest.raises(InvalidRequest) as caught:
            queue.submit(spec)
        assert caught.value.field == field
    queue.submit(JobSpec(kind="noop", id="mine"))
    with pytest.raises(InvalidRequest) as caught:
        queue.submit(JobSpec(kind="noop", id="mine"))
    assert caught.value.field == "id"
    with pytest.raises(InvalidRequest):
        queue.submit_many([JobSpec(kind="noop", id="x", parents=["y"]), JobSpec(kind="noop", id="y")])
    with pytest.raises(InvalidRequest):
        queue.register("gpu_only", lambda ctx: None, device_kinds=frozenset({"cuda"}))  # no cuda device here
    assert queue.counts()["pending"] == 1
